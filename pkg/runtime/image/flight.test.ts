import test from 'ava';
import { RwLock, SingleFlight } from './flight.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('SingleFlight shares one run between callers of the same kind', async (t) => {
  const flight = new SingleFlight();
  let runs = 0;
  const gate = deferred();
  const run = () =>
    flight.run('k', 'ensure', async () => {
      runs++;
      await gate.promise;
      return runs;
    });
  const both = Promise.all([run(), run()]);
  gate.resolve();
  t.deepEqual(await both, [1, 1]);
  t.is(runs, 1);
  t.is(flight.size, 0);
});

test('SingleFlight waits out an operation of another kind', async (t) => {
  const flight = new SingleFlight();
  const order: string[] = [];
  const gate = deferred();
  const del = flight.run('k', 'delete', async () => {
    await gate.promise;
    order.push('delete');
  });
  const ensure = flight.run('k', 'ensure', async () => {
    order.push('ensure');
  });
  gate.resolve();
  await Promise.all([del, ensure]);
  t.deepEqual(order, ['delete', 'ensure']);
});

test('RwLock runs readers together and a writer alone, without starving the writer', async (t) => {
  const lock = new RwLock();
  const events: string[] = [];
  const gate = deferred();
  const r1 = lock.read(async () => {
    events.push('r1 start');
    await gate.promise;
    events.push('r1 end');
  });
  const r2 = lock.read(async () => {
    events.push('r2');
  });
  const w = lock.write(async () => {
    events.push('w');
  });
  const r3 = lock.read(async () => {
    events.push('r3');
  });
  await new Promise((r) => setImmediate(r));
  t.deepEqual(events, ['r1 start', 'r2'], 'readers overlap; the writer waits');
  gate.resolve();
  await Promise.all([r1, r2, w, r3]);
  t.deepEqual(events, ['r1 start', 'r2', 'r1 end', 'w', 'r3'], 'a reader arriving after a waiting writer goes after it');
});
