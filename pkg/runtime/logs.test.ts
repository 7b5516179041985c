import test from 'ava';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { containerLogPath, parseCriLogLine, readContainerLog, type ReadLogOptions } from './logs.js';

async function newLogFile(t: { teardown: (fn: () => Promise<void>) => void }, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skifftest-logs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, '0.log');
  await writeFile(file, content);
  return file;
}

async function collect(file: string, opts: ReadLogOptions = {}): Promise<string> {
  let out = '';
  for await (const s of readContainerLog(file, opts)) out += s;
  return out;
}

const sample = [
  '2024-01-01T00:00:00.000000001+00:00 stdout F one',
  '2024-01-01T00:00:01.000000000Z stderr F two',
  '2024-01-01T00:00:02.000000000Z stdout P thr',
  '2024-01-01T00:00:02.500000000Z stdout F ee',
  '2024-01-01T00:00:03.000000000Z stdout F ',
  'garbage',
  '',
].join('\n');

test('parseCriLogLine parses records and normalizes UTC', (t) => {
  t.deepEqual(parseCriLogLine('2024-01-01T00:00:00.000000001+00:00 stdout F hello world'), {
    time: '2024-01-01T00:00:00.000000001Z',
    stream: 'stdout',
    partial: false,
    content: 'hello world',
  });
  t.true(parseCriLogLine('2024-01-01T00:00:00Z stderr P x')!.partial);
  t.is(parseCriLogLine('nonsense'), undefined);
});

test('containerLogPath follows kubelet layout', (t) => {
  t.is(containerLogPath('/var/log/pods/ns_p_uid', 'app', 2), '/var/log/pods/ns_p_uid/app/2.log');
});

const cases: { name: string; opts: ReadLogOptions; want: string }[] = [
  { name: 'all lines, partials joined', opts: {}, want: 'one\ntwo\nthree\n\n' },
  { name: 'tail 2', opts: { tailLines: 2 }, want: 'three\n\n' },
  { name: 'tail 0', opts: { tailLines: 0 }, want: '' },
  { name: 'stderr only', opts: { stream: 'stderr' }, want: 'two\n' },
  { name: 'timestamps', opts: { timestamps: true, tailLines: 1, stream: 'stderr' }, want: '2024-01-01T00:00:01.000000000Z two\n' },
  { name: 'since time', opts: { sinceTimeMs: Date.parse('2024-01-01T00:00:01Z') }, want: 'two\nthree\n\n' },
  { name: 'limit bytes', opts: { limitBytes: 6 }, want: 'one\ntw' },
];
for (const c of cases) {
  test(`readContainerLog: ${c.name}`, async (t) => {
    t.is(await collect(await newLogFile(t, sample), c.opts), c.want);
  });
}

test('readContainerLog: follow sees appended lines, survives rotation, ends when the container stops', async (t) => {
  const file = await newLogFile(t, '2024-01-01T00:00:00Z stdout F first\n');
  let running = true;
  const got: string[] = [];
  const reader = (async () => {
    for await (const s of readContainerLog(file, { follow: true, pollMs: 20, stillRunning: async () => running })) got.push(s);
  })();
  await new Promise((r) => setTimeout(r, 60));
  await appendFile(file, '2024-01-01T00:00:01Z stdout F second\n');
  await new Promise((r) => setTimeout(r, 60));
  await rename(file, `${file}.1`);
  await writeFile(file, '2024-01-01T00:00:02Z stdout F third\n');
  await new Promise((r) => setTimeout(r, 60));
  running = false;
  await reader;
  t.deepEqual(got, ['first\n', 'second\n', 'third\n']);
});

test('readContainerLog: follow stops on abort', async (t) => {
  const file = await newLogFile(t, '');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  t.is(await collect(file, { follow: true, pollMs: 10, signal: ac.signal }), '');
});
