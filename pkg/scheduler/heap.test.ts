import test from 'ava';
import { KeyedHeap } from './heap.js';
import { seededRandom } from './random.js';

interface Item {
  key: string;
  v: number;
}

const newHeap = () => new KeyedHeap<Item>((i) => i.key, (a, b) => a.v < b.v);

test('KeyedHeap pops in order and supports update and delete', (t) => {
  const h = newHeap();
  const rand = seededRandom(7);
  const values = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const v = Math.floor(rand() * 1000);
    values.set(`k${i}`, v);
    h.push({ key: `k${i}`, v });
  }
  for (let i = 0; i < 50; i++) {
    const v = Math.floor(rand() * 1000);
    values.set(`k${i}`, v);
    h.push({ key: `k${i}`, v });
  }
  for (let i = 50; i < 80; i++) {
    t.is(h.delete(`k${i}`)?.key, `k${i}`);
    values.delete(`k${i}`);
  }
  t.is(h.size, values.size);
  t.false(h.has('k60'));
  t.is(h.get('k1')?.v, values.get('k1'));
  const out: number[] = [];
  for (let item = h.pop(); item; item = h.pop()) out.push(item.v);
  t.deepEqual(out, [...values.values()].sort((a, b) => a - b));
});
