import test from 'ava';
import { capabilitySet, generateSpec, mergeCommand, mergeEnv, type SpecInput } from './spec.js';
import { defaultCapabilities, defaultMaskedPaths, defaultReadonlyPaths } from './defaults.js';

function newSpecInput(overrides: Partial<SpecInput> = {}): SpecInput {
  return {
    rootfs: 'rootfs',
    image: { Entrypoint: ['/bin/app'], Cmd: ['--serve'], Env: ['PATH=/bin', 'A=image'], WorkingDir: '/srv' },
    user: { uid: 0, gid: 0, additionalGids: [] },
    namespaces: {},
    ...overrides,
  };
}

const commandCases = [
  { name: 'image only', command: undefined, args: undefined, want: ['/bin/app', '--serve'] },
  { name: 'args replace Cmd', command: undefined, args: ['--x'], want: ['/bin/app', '--x'] },
  { name: 'command drops Cmd', command: ['/bin/sh'], args: undefined, want: ['/bin/sh'] },
  { name: 'command and args', command: ['/bin/sh', '-c'], args: ['echo hi'], want: ['/bin/sh', '-c', 'echo hi'] },
];
for (const c of commandCases) {
  test(`mergeCommand: ${c.name}`, (t) => {
    t.deepEqual(mergeCommand({ Entrypoint: ['/bin/app'], Cmd: ['--serve'] }, c.command, c.args), c.want);
  });
}

test('mergeCommand: no command anywhere is an error', (t) => {
  t.throws(() => mergeCommand({}, [], []), { message: /no command/ });
});

test('mergeEnv: container env overrides image env in place and PATH is defaulted', (t) => {
  t.deepEqual(mergeEnv(['A=1', 'B=2'], [{ key: 'A', value: '3' }, { key: 'C', value: 'x=y' }]), [
    'A=3',
    'B=2',
    'C=x=y',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ]);
  t.deepEqual(mergeEnv(['PATH=/bin'], []), ['PATH=/bin']);
});

const capCases = [
  { name: 'default', caps: undefined, privileged: false, want: [...defaultCapabilities] },
  { name: 'add and drop with and without prefix', caps: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['CAP_KILL', 'mknod'] }, privileged: false, want: [...defaultCapabilities.filter((c) => c !== 'CAP_KILL' && c !== 'CAP_MKNOD'), 'CAP_NET_ADMIN'] },
  { name: 'drop ALL then add one', caps: { addCapabilities: ['NET_BIND_SERVICE'], dropCapabilities: ['ALL'] }, privileged: false, want: ['CAP_NET_BIND_SERVICE'] },
];
for (const c of capCases) {
  test(`capabilitySet: ${c.name}`, (t) => {
    t.deepEqual(capabilitySet(c.caps, c.privileged), c.want);
  });
}

test('capabilitySet: privileged and add ALL grant CAP_SYS_ADMIN', (t) => {
  t.true(capabilitySet(undefined, true).includes('CAP_SYS_ADMIN'));
  t.true(capabilitySet({ addCapabilities: ['ALL'] }, false).includes('CAP_SYS_ADMIN'));
});

test('generateSpec: process fields come from image and container config', (t) => {
  const spec = generateSpec(
    newSpecInput({
      args: ['--port', '80'],
      envs: [{ key: 'A', value: 'container' }],
      workingDir: '/work',
      user: { uid: 1000, gid: 2000, additionalGids: [3000] },
      noNewPrivileges: true,
    }),
  );
  t.deepEqual(spec.process.args, ['/bin/app', '--port', '80']);
  t.deepEqual(spec.process.env, ['PATH=/bin', 'A=container']);
  t.is(spec.process.cwd, '/work');
  t.deepEqual(spec.process.user, { uid: 1000, gid: 2000, additionalGids: [3000] });
  t.true(spec.process.noNewPrivileges);
  t.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
  t.deepEqual(spec.process.capabilities.bounding, [...defaultCapabilities]);
  t.is(spec.root.readonly, false);
});

test('generateSpec: working dir falls back to image then /', (t) => {
  t.is(generateSpec(newSpecInput()).process.cwd, '/srv');
  t.is(generateSpec(newSpecInput({ image: { Cmd: ['x'] } })).process.cwd, '/');
});

test('generateSpec: a sandbox gets new namespaces and its hostname', (t) => {
  const spec = generateSpec(newSpecInput({ hostname: 'web-0', namespaces: {} }));
  t.deepEqual(spec.linux.namespaces.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
  t.true(spec.linux.namespaces.every((n) => n.path === undefined));
  t.is(spec.hostname, 'web-0');
});

test('generateSpec: a container joins the pod namespaces and does not set the hostname', (t) => {
  const spec = generateSpec(
    newSpecInput({
      hostname: 'web-0',
      namespaces: { network: '/run/netns/skiff-a', ipc: '/proc/42/ns/ipc', uts: '/proc/42/ns/uts' },
    }),
  );
  t.deepEqual(spec.linux.namespaces, [
    { type: 'pid' },
    { type: 'network', path: '/run/netns/skiff-a' },
    { type: 'ipc', path: '/proc/42/ns/ipc' },
    { type: 'uts', path: '/proc/42/ns/uts' },
    { type: 'mount' },
    { type: 'cgroup' },
  ]);
  t.is(spec.hostname, undefined);
});

test('generateSpec: shared PID namespace and host namespaces', (t) => {
  const spec = generateSpec(newSpecInput({ namespaces: { pid: '/proc/42/ns/pid', network: 'host' } }));
  t.deepEqual(spec.linux.namespaces.find((n) => n.type === 'pid'), { type: 'pid', path: '/proc/42/ns/pid' });
  t.is(spec.linux.namespaces.find((n) => n.type === 'network'), undefined);
});

test('generateSpec: resources map CRI fields and swap equals the memory limit', (t) => {
  const spec = generateSpec(
    newSpecInput({
      resources: { cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, memoryLimitInBytes: 20 * 1024 * 1024, pidsLimit: 64, oomScoreAdj: 999 },
      cgroupsPath: '/kubepods/pod1/c1',
    }),
  );
  t.deepEqual(spec.linux.resources.cpu, { shares: 512, quota: 50000, period: 100000 });
  t.deepEqual(spec.linux.resources.memory, { limit: 20971520, swap: 20971520 });
  t.deepEqual(spec.linux.resources.pids, { limit: 64 });
  t.deepEqual(spec.linux.resources.devices[0], { allow: false, access: 'rwm' });
  t.is(spec.linux.cgroupsPath, '/kubepods/pod1/c1');
  t.is(spec.process.oomScoreAdj, 999);
});

test('generateSpec: zero resources leave limits unset', (t) => {
  const spec = generateSpec(newSpecInput({ resources: { cpuShares: 0, memoryLimitInBytes: 0 } }));
  t.is(spec.linux.resources.memory, undefined);
  t.is(spec.linux.resources.cpu, undefined);
  t.is(spec.linux.resources.pids, undefined);
});

test('generateSpec: standard mounts, etc files and volumes sorted by depth', (t) => {
  const spec = generateSpec(
    newSpecInput({
      etcFiles: { hosts: '/s/hosts', resolvConf: '/s/resolv.conf', hostname: '/s/hostname' },
      shmPath: '/s/shm',
      mounts: [
        { containerPath: '/data/sub', hostPath: '/h/sub', readonly: true },
        { containerPath: '/data', hostPath: '/h/data', propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
      ],
    }),
  );
  t.deepEqual(spec.mounts.map((m) => m.destination), [
    '/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup',
    '/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/data', '/data/sub',
  ]);
  t.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, ['nosuid', 'noexec', 'nodev', 'ro']);
  t.deepEqual(spec.mounts.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/s/shm', options: ['rbind', 'rprivate', 'rw'] });
  t.deepEqual(spec.mounts.find((m) => m.destination === '/data')?.options, ['rbind', 'rslave', 'rw']);
  t.deepEqual(spec.mounts.find((m) => m.destination === '/data/sub')?.options, ['rbind', 'rprivate', 'ro']);
});

test('generateSpec: a volume at /etc/hosts replaces the runtime one', (t) => {
  const spec = generateSpec(newSpecInput({ etcFiles: { hosts: '/s/hosts' }, mounts: [{ containerPath: '/etc/hosts', hostPath: '/mine' }] }));
  t.deepEqual(spec.mounts.filter((m) => m.destination === '/etc/hosts').map((m) => m.source), ['/mine']);
});

test('generateSpec: masked and readonly paths default to containerd, privileged clears them', (t) => {
  const spec = generateSpec(newSpecInput());
  t.deepEqual(spec.linux.maskedPaths, [...defaultMaskedPaths]);
  t.deepEqual(spec.linux.readonlyPaths, [...defaultReadonlyPaths]);
  const custom = generateSpec(newSpecInput({ maskedPaths: ['/proc/x'], readonlyPaths: ['/proc/y'] }));
  t.deepEqual(custom.linux.maskedPaths, ['/proc/x']);
  t.deepEqual(custom.linux.readonlyPaths, ['/proc/y']);
  const priv = generateSpec(newSpecInput({ privileged: true, noNewPrivileges: true }));
  t.deepEqual(priv.linux.maskedPaths, []);
  t.deepEqual(priv.linux.readonlyPaths, []);
  t.false(priv.process.noNewPrivileges);
  t.deepEqual(priv.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

test('generateSpec: readonly root', (t) => {
  t.true(generateSpec(newSpecInput({ readonlyRootfs: true })).root.readonly);
});
