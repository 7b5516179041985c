import test from 'ava';
import type { Pod } from '../api/core/pod-types.js';
import { FakeClock } from '../client/testing/fake_clock.js';
import { EventSpamFilter } from './event-spam-filter.js';
import type { EventSink } from './scheduler.js';
import { newPod } from './testing/builders.js';

function recorder(): EventSink & { seen: string[] } {
  const seen: string[] = [];
  return { seen, event: (pod: Pod, type, reason) => void seen.push(`${type} ${reason} ${pod.metadata.name}`) };
}

test('Normal events pass up to the burst, then at qps; Warnings always pass', (t) => {
  const clock = new FakeClock();
  const sink = recorder();
  const filter = new EventSpamFilter(sink, { burst: 3, qps: 2, clock });
  for (let i = 0; i < 5; i++) filter.event(newPod(`p${i}`), 'Normal', 'Scheduled', 'ok');
  filter.event(newPod('w'), 'Warning', 'FailedScheduling', 'no fit');
  t.deepEqual(sink.seen, ['Normal Scheduled p0', 'Normal Scheduled p1', 'Normal Scheduled p2', 'Warning FailedScheduling w']);
  t.is(filter.dropped, 2);

  // Dropping does not run the bucket into debt: half a second later one more token is there.
  clock.step(500);
  filter.event(newPod('p5'), 'Normal', 'Scheduled', 'ok');
  filter.event(newPod('p6'), 'Normal', 'Scheduled', 'ok');
  t.deepEqual(sink.seen.slice(4), ['Normal Scheduled p5']);
  t.is(filter.dropped, 3);
});
