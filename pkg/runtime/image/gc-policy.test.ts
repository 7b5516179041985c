import test from 'ava';
import { bytesToFree, chooseVictims } from './gc-policy.js';
import type { StoredImage, StoredLayer } from './image-db.js';

function newLayer(name: string, bytes: number): StoredLayer {
  return { digest: `sha256:${name.padEnd(64, '0')}`, diffID: `sha256:${name.padEnd(64, '1')}`, size: bytes / 2, unpackedBytes: bytes / 2 };
}

function newImage(id: string, lastUsed: number, layers: StoredLayer[]): StoredImage {
  return { id, repoTags: [], repoDigests: [], size: 0, config: {}, lastUsed, layers };
}

const base = newLayer('a', 100);
const images = [
  newImage('old', 1, [base, newLayer('b', 10)]),
  newImage('mid', 2, [base, newLayer('c', 20)]),
  newImage('new', 3, [newLayer('d', 40)]),
];

const cases: Array<{ name: string; toFree: number; inUse: string[]; want: string[] }> = [
  { name: 'nothing to free', toFree: 0, inUse: [], want: [] },
  { name: 'oldest first', toFree: 5, inUse: [], want: ['old'] },
  { name: 'shared layer counts only once its last user goes', toFree: 135, inUse: [], want: ['old', 'mid', 'new'] },
  { name: 'shared layer freed with second image', toFree: 120, inUse: [], want: ['old', 'mid'] },
  { name: 'in-use images are skipped', toFree: 15, inUse: ['old'], want: ['mid'] },
  { name: 'stops when nothing is left', toFree: 10_000, inUse: ['new'], want: ['old', 'mid'] },
];

for (const c of cases) {
  test(`chooseVictims: ${c.name}`, (t) => {
    t.deepEqual(
      chooseVictims(images, (i) => c.inUse.includes(i.id), c.toFree),
      c.want,
    );
  });
}

test('bytesToFree with byte thresholds', (t) => {
  t.is(bytesToFree({ highBytes: 1000, lowBytes: 600 }, { storeBytes: 900, capacity: 0, available: 0 }), 0);
  t.is(bytesToFree({ highBytes: 1000, lowBytes: 600 }, { storeBytes: 1200, capacity: 0, available: 0 }), 600);
  t.is(bytesToFree({ highBytes: 1000 }, { storeBytes: 1200, capacity: 0, available: 0 }), 400);
});

test('bytesToFree with percentages of the file system', (t) => {
  t.is(bytesToFree({ highPercent: 90, lowPercent: 50 }, { storeBytes: 0, capacity: 1000, available: 200 }), 0);
  t.is(bytesToFree({ highPercent: 70, lowPercent: 50 }, { storeBytes: 0, capacity: 1000, available: 200 }), 300);
  t.is(bytesToFree({}, { storeBytes: 0, capacity: 1000, available: 100 }), 100);
});
