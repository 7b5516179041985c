import test from 'ava';
import { KeyedBackoff } from './backoff.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('delays start at 10 s and double up to 300 s', (t) => {
  const c = clock();
  const b = new KeyedBackoff({ now: c.now });
  const delays = Array.from({ length: 8 }, () => b.next('k'));
  t.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('remainingMs counts from the event time and ends after the delay', (t) => {
  const c = clock();
  const b = new KeyedBackoff({ now: c.now });
  t.is(b.remainingMs('k', c.now()), 0, 'no entry: no backoff');
  const finished = c.now();
  b.next('k', finished);
  t.is(b.remainingMs('k', finished), 10_000);
  c.advance(4_000);
  t.is(b.remainingMs('k', finished), 6_000);
  c.advance(6_000);
  t.is(b.remainingMs('k', finished), 0);
});

test('an entry idle for more than twice the maximum starts over', (t) => {
  const c = clock();
  const b = new KeyedBackoff({ now: c.now });
  b.next('k');
  b.next('k');
  t.is(b.delayMs('k'), 20_000);
  c.advance(600_001);
  t.is(b.remainingMs('k', c.now()), 0);
  t.is(b.next('k'), 10_000);
});

test('forgetPrefix drops only matching keys', (t) => {
  const b = new KeyedBackoff();
  b.next('uid1/a');
  b.next('uid2/a');
  b.forgetPrefix('uid1/');
  t.is(b.delayMs('uid1/a'), 0);
  t.is(b.delayMs('uid2/a'), 10_000);
});
