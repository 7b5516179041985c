// exit-guard.ts: integration files that run an in-process agent or runtime can leave a long
// backoff timer behind in code under test; ava then waits for the worker to exit for good.
// Once every test and hook of the file is done, give the event loop a grace period, then end
// the worker (results are already reported by then).
import type { TestFn } from 'ava';

/** exitAfterFile ends the test worker graceMs after the file's last after.always hook. */
export function exitAfterFile(test: TestFn, graceMs = 10_000): void {
  test.after.always('exit guard', () => {
    setTimeout(() => process.exit(process.exitCode ?? 0), graceMs).unref();
  });
}
