import test from 'ava';
import { FakeClock } from '../client/testing/fake_clock.js';
import { ControllerExpectations, EXPECTATIONS_TTL_MS } from './expectations.js';

test('creations are satisfied once all are observed', (t) => {
  const e = new ControllerExpectations(new FakeClock());
  t.true(e.satisfied('ns/rs'));
  e.expectCreations('ns/rs', 2);
  t.false(e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  t.false(e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  t.true(e.satisfied('ns/rs'));
});

test('a deletion counts once per object, however many events report it', (t) => {
  const e = new ControllerExpectations(new FakeClock());
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  t.deepEqual(e.pending('ns/rs'), { add: 0, del: 1 });
  e.deletionObserved('ns/rs', 'ns/b');
  t.true(e.satisfied('ns/rs'));
});

test('expectations expire after the TTL so a lost event cannot wedge a controller', (t) => {
  const clock = new FakeClock();
  const e = new ControllerExpectations(clock);
  e.expectCreations('ns/rs', 1);
  clock.step(EXPECTATIONS_TTL_MS);
  t.false(e.satisfied('ns/rs'));
  clock.step(1);
  t.true(e.satisfied('ns/rs'));
});
