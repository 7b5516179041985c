import test from 'ava';
import { KeyedMutex } from './mutex.js';

test('KeyedMutex serializes one key and lets others run', async (t) => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const slow = (name: string, ms: number) => async () => {
    log.push(`${name}+`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`${name}-`);
    return name;
  };
  const results = await Promise.all([m.run('a', slow('a1', 30)), m.run('a', slow('a2', 1)), m.run('b', slow('b1', 1))]);
  t.deepEqual(results, ['a1', 'a2', 'b1']);
  t.true(log.indexOf('a1-') < log.indexOf('a2+'));
  t.true(log.indexOf('b1-') < log.indexOf('a1-'));
});

test('KeyedMutex keeps going after a failure', async (t) => {
  const m = new KeyedMutex();
  await t.throwsAsync(m.run('a', async () => { throw new Error('boom'); }), { message: 'boom' });
  t.is(await m.run('a', async () => 1), 1);
});
