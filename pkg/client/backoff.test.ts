import test from 'ava';
import { Backoff } from './backoff.js';

test('delays double up to the cap and reset starts over', (t) => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0, random: () => 0.5 });
  t.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  t.is(b.next(), 100);
});

test('jitter adds up to jitter × delay and never exceeds the cap', (t) => {
  const b = new Backoff({ initialMs: 100, maxMs: 250, jitter: 1, random: () => 0.5 });
  t.is(b.next(), 150);
  t.is(b.next(), 250); // 200 + 100 capped
  const zero = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 1, random: () => 0 });
  t.is(zero.next(), 100);
});
