import test from 'ava';
import { containerState, decideExit, type ExitFacts } from './exit.js';

function newFacts(overrides: Partial<ExitFacts> = {}): ExitFacts {
  return { oomFile: false, conmonAlive: true, ociStatus: 'running', nowMs: 1000, ...overrides };
}

const cases = [
  { name: 'still running', facts: newFacts(), want: undefined },
  { name: 'completed', facts: newFacts({ exitCode: 0, exitTimeMs: 500, conmonAlive: false, ociStatus: 'stopped' }), want: { exitCode: 0, finishedAt: 500e6, reason: 'Completed', message: '' } },
  { name: 'error', facts: newFacts({ exitCode: 3, exitTimeMs: 500 }), want: { exitCode: 3, finishedAt: 500e6, reason: 'Error', message: '' } },
  { name: 'oom file', facts: newFacts({ exitCode: 137, exitTimeMs: 500, oomFile: true }), want: { exitCode: 137, finishedAt: 500e6, reason: 'OOMKilled', message: '' } },
  { name: 'oom counter grew', facts: newFacts({ exitCode: 137, exitTimeMs: 500, oomKills: 1 }), want: { exitCode: 137, finishedAt: 500e6, reason: 'OOMKilled', message: '' } },
  { name: 'monitor lost, runtime says stopped', facts: newFacts({ conmonAlive: false, ociStatus: 'stopped' }), want: { exitCode: 255, finishedAt: 1000e6, reason: 'Error', message: 'container monitor exited without recording an exit code (runtime state: stopped)' } },
  { name: 'monitor lost but container still running', facts: newFacts({ conmonAlive: false, ociStatus: 'running' }), want: undefined },
];
for (const c of cases) {
  test(`decideExit: ${c.name}`, (t) => {
    t.deepEqual(decideExit({ oomKillsAtStart: 0 }, c.facts), c.want);
  });
}

test('containerState maps records to CRI states', (t) => {
  t.is(containerState({ finished: false, startedAt: 0 }), 'CONTAINER_CREATED');
  t.is(containerState({ finished: false, startedAt: 1 }), 'CONTAINER_RUNNING');
  t.is(containerState({ finished: true, startedAt: 1 }), 'CONTAINER_EXITED');
});
