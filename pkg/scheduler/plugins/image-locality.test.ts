import test from 'ava';
import { clusterOf, scoreResults } from '../testing/harness.js';
import { newNode, newPod } from '../testing/builders.js';
import { imageLocality } from './image-locality.js';

const MB = 1024 * 1024;

test('ImageLocality: big images present score; small or absent ones do not', (t) => {
  const cache = clusterOf([
    newNode('big', { images: [{ names: ['app:1'], sizeBytes: 500 * MB }] }),
    newNode('tiny', { images: [{ names: ['app:2'], sizeBytes: 1 * MB }] }),
    newNode('none'),
  ]);
  const scores = scoreResults(imageLocality, newPod('p', { image: 'app:1' }), cache)!;
  t.true(scores.big > 0);
  t.is(scores.none, 0);
  t.is(scoreResults(imageLocality, newPod('p', { image: 'app:2' }), cache)!.tiny, 0);
});

test('ImageLocality: an image on every node counts more than on one (spread factor)', (t) => {
  const img = { names: ['app:1'], sizeBytes: 800 * MB };
  const one = scoreResults(imageLocality, newPod('p', { image: 'app:1' }), clusterOf([newNode('a', { images: [img] }), newNode('b'), newNode('c')]))!;
  const all = scoreResults(imageLocality, newPod('p', { image: 'app:1' }), clusterOf([newNode('a', { images: [img] }), newNode('b', { images: [img] }), newNode('c', { images: [img] })]))!;
  t.true(all.a > one.a);
});

test('ImageLocality: skipped when no node reports images', (t) => {
  t.is(scoreResults(imageLocality, newPod('p'), clusterOf([newNode('a')])), undefined);
});
