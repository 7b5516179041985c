// netns.ts: named network namespaces (/run/netns/<name>, as `ip netns` makes them), running
// commands in one by path, and binding a socket inside one from this process (setns on the
// main thread around a synchronous bind, so no other code runs while the thread is away).
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { bindLibc, lastErrno } from '../util/libc.js';
import { pinNamedNetns, unpinNamespace } from '../util/namespaces.js';
import { execRunner, type Runner } from './exec.js';

/** NETNS_DIR is where `ip netns` keeps its bind-mounted namespaces. */
export const NETNS_DIR = '/run/netns';
const CLONE_NEWNET = 0x40000000;

/** netnsPathOf returns the path of a named namespace. */
export function netnsPathOf(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** inNetnsPath prefixes argv to run inside the namespace at path ("" = this process's). */
export function inNetnsPath(path: string, argv: string[]): string[] {
  return path ? ['nsenter', `--net=${path}`, ...argv] : argv;
}

/** createNetns makes the named namespace with loopback up unless it exists; created says whether
 * it is new. No process is run (pinNamedNetns; `ip netns add` would be two with `lo up`). */
export function createNetns(name: string): { path: string; created: boolean } {
  const path = netnsPathOf(name);
  if (existsSync(path)) return { path, created: false };
  return { path: pinNamedNetns(NETNS_DIR, name), created: true };
}

/** ensureNetns creates the named namespace with loopback up if it does not exist yet. */
export async function ensureNetns(name: string, run: Runner = execRunner): Promise<string> {
  const { path, created } = createNetns(name);
  if (!created) await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return path;
}

/** deleteNetns removes the named namespace (idempotent), as `ip netns delete`. */
export async function deleteNetns(name: string): Promise<void> {
  unpinNamespace(netnsPathOf(name));
}

/** listNetns returns the names of namespaces that start with prefix: the entries of
 * NETNS_DIR, which is all `ip netns list` reads (without running it). */
export async function listNetns(prefix: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return []; // no namespace was ever made
  }
  return names.filter((n) => n.startsWith(prefix)).sort();
}

const libc = bindLibc<{ setns: (fd: number, nstype: number) => number }>({ setns: 'int setns(int fd, int nstype)' });

function setns(fd: number): void {
  if (libc().setns(fd, CLONE_NEWNET) !== 0) throw new Error(`setns: errno ${lastErrno()}`);
}

/**
 * withNetns runs fn with the main thread inside the namespace at path and switches back
 * before returning. fn must be synchronous: sockets it creates stay in that namespace.
 */
export function withNetns<T>(path: string, fn: () => T): T {
  if (!path) return fn();
  const self = openSync('/proc/thread-self/ns/net', 'r');
  const target = openSync(path, 'r');
  try {
    setns(target);
    try {
      return fn();
    } finally {
      setns(self);
    }
  } finally {
    closeSync(target);
    closeSync(self);
  }
}
