// wait.ts: polling for tests — wait until a condition holds, or fail saying what was last seen.

/** Poll is what waitFor calls: a value once the condition holds, else undefined or false (sync or async). */
export type Poll<T> = () => T | undefined | false | Promise<T | undefined | false>;

/** waitFor polls fn until it returns a truthy value, or throws after timeoutMs with what it last saw. */
export async function waitFor<T>(what: string, fn: Poll<T>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
