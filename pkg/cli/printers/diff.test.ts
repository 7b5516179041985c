import test from 'ava';
import { unifiedDiff } from './diff.js';

test('unifiedDiff prints diff -u hunks', (t) => {
  // Expected outputs are GNU diff -u's for the same inputs.
  const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].join('\n') + '\n';
  const b = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'].join('\n') + '\n';
  t.is(unifiedDiff(a, b, 'live', 'merged'), ['--- live', '+++ merged', '@@ -1,7 +1,7 @@', ' a', ' b', ' c', '-d', '+D', ' e', ' f', ' g', '@@ -10,3 +10,4 @@', ' j', ' k', ' l', '+m', ''].join('\n'));
  const short = unifiedDiff('a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n', 'a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n', 'x', 'y');
  t.is(short.split('\n')[2], '@@ -1,10 +1,11 @@', 'changes 6 lines apart share a hunk');
  t.is(unifiedDiff(a, a, 'x', 'y'), '');
  t.is(unifiedDiff('', 'new\n', 'x', 'y'), '--- x\n+++ y\n@@ -0,0 +1,1 @@\n+new\n');
});
