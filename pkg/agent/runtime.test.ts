import test from 'ava';
import type { RuntimeService } from '../runtime/service.js';
import { serializeStatusReads } from './runtime.js';

test('serializeStatusReads: reads never overlap each other or a create; creates overlap', async (t) => {
  let active = { read: 0, create: 0 };
  const events: string[] = [];
  const tick = () => new Promise((r) => setTimeout(r, 5));
  const read = async () => {
    t.is(active.read + active.create, 0, 'a read runs alone');
    active.read++;
    await tick();
    active.read--;
    events.push('read');
    return [];
  };
  const fake = {
    listContainers: read,
    containerStatus: read,
    async unused() {
      t.is(active.read + active.create, 0, 'a read runs alone');
      active.read++;
      await tick();
      active.read--;
      events.push('read');
      return [];
    },
    async createContainer() {
      t.is(active.read, 0);
      active.create++;
      const overlapped = active.create > 1;
      await tick();
      active.create--;
      events.push(overlapped ? 'create-overlapped' : 'create');
      return 'id';
    },
    async version() {
      return 'v';
    },
  } as unknown as RuntimeService;
  const rt = serializeStatusReads(fake);
  await Promise.all([rt.createContainer('s', {} as never), rt.createContainer('s', {} as never), rt.listContainers(), rt.listContainers(), rt.containerStatus('x')]);
  t.true(events.includes('create-overlapped'));
  t.is(events.filter((e) => e === 'read').length, 3);
  active = { read: 0, create: 0 };
  t.is(await rt.version(), 'v' as never);
});
