import test from 'ava';
import { hashString, randomForPod, seededRandom } from './random.js';

test('hashString is stable and spreads', (t) => {
  t.is(hashString('abc'), hashString('abc'));
  t.not(hashString('pod-1'), hashString('pod-2'));
});

test('seededRandom repeats its sequence for a seed and stays in [0, 1)', (t) => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  for (let i = 0; i < 1000; i++) {
    const x = a();
    t.is(x, b());
    t.true(x >= 0 && x < 1);
  }
});

test('randomForPod differs between pods', (t) => {
  t.not(randomForPod('uid-a')(), randomForPod('uid-b')());
});
