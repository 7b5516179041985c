// attach.ts: attach to a running container's own stdio (kubectl attach, kubectl run -i) through
// conmon's attach socket.
//
// conmon listens on `<bundle>/attach`, a SOCK_SEQPACKET socket. Every packet it sends is one read
// of the container's output, its first byte saying which stream (2 stdout, 3 stderr); every
// packet it receives goes to the container's stdin (kept open by `conmon -i`). When the client
// shuts its side down, conmon closes the container's stdin unless told to leave it open (CRI's
// stdinOnce: false). Terminal resizes go through the `<bundle>/ctl` FIFO ("1 <rows> <cols>").
//
// libuv only streams SOCK_STREAM sockets, so a small perl relay holds the packet socket: it frames
// each packet on its stdout with a 4-byte length and turns its stdin into packets. perl is there
// already: the OCI wrapper uses it.
import { closeSync, constants as fsConstants, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { exited, spawnProcessAsync } from '../util/spawn.js';
import type { ExecSession } from './exec.js';

/** AttachOptions selects the streams of an attach session. */
export interface AttachOptions {
  /** stdin forwards what the client writes to the container's stdin. */
  stdin?: boolean;
}

/** Packet type bytes of conmon's attach socket. */
const Pipe = { stdout: 2, stderr: 3 } as const;

/** The relay: connect, then copy packets both ways. A packet of conmon's is at most 8 KiB + 1;
 * what it receives it reads 32 KiB at a time, so input goes in 8 KiB packets. On end of input
 * it shuts its writing side (conmon then closes the container's stdin, unless kept open). */
const relayScript = `
use strict; use Socket;
$| = 1;
socket(my $s, PF_UNIX, SOCK_SEQPACKET, 0) or die "socket: $!\\n";
connect($s, pack_sockaddr_un($ARGV[0])) or die "connect $ARGV[0]: $!\\n";
print STDOUT "ok";
my $in_open = 1;
while (1) {
  my $r = '';
  vec($r, fileno($s), 1) = 1;
  vec($r, fileno(STDIN), 1) = 1 if $in_open;
  select($r, undef, undef, undef) > 0 or next;
  if (vec($r, fileno($s), 1)) {
    my $n = sysread($s, my $buf, 65536);
    last unless $n;
    syswrite(STDOUT, pack('N', $n) . $buf);
  }
  if ($in_open && vec($r, fileno(STDIN), 1)) {
    my $n = sysread(STDIN, my $buf, 8192);
    if (!$n) { shutdown($s, 1); $in_open = 0; next; }
    send($s, $buf, 0);
  }
}
`;

/** attachToConmon attaches to the container whose bundle is bundleDir. exit resolves with the
 * container's exit code once it has ended; the session ends then, or when kill() detaches. */
export async function attachToConmon(bundleDir: string, opts: AttachOptions, exit: () => Promise<number>): Promise<ExecSession> {
  // The socket's path can be longer than a sockaddr_un holds: reach it through a short
  // /proc/self/fd path of a directory descriptor the relay inherits.
  const dirFd = openSync(bundleDir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  let child;
  try {
    child = await spawnProcessAsync('perl', ['-e', relayScript, `/proc/self/fd/3/attach`], { env: { PATH: process.env.PATH }, stdio: ['input', 'pipe', 'pipe', dirFd] });
  } finally {
    closeSync(dirFd);
  }
  const [input, output, errors] = [child.pipes[0]!, child.pipes[1]!, child.pipes[2]!];
  input.on('error', () => undefined);
  let relayError = '';
  errors.on('data', (d: Buffer) => (relayError += d.toString()));

  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let pending: Buffer = Buffer.alloc(0);
  let connected = false;
  const ready = new Promise<void>((resolve, reject) => {
    output.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      if (!connected) {
        if (pending.length < 2) return;
        if (pending.subarray(0, 2).toString() !== 'ok') return reject(new Error('attach relay spoke out of turn'));
        connected = true;
        pending = pending.subarray(2);
        resolve();
      }
      while (pending.length >= 4) {
        const size = pending.readUInt32BE(0);
        if (pending.length < 4 + size) break;
        const packet = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        if (packet[0] === Pipe.stdout) stdout.write(packet.subarray(1));
        else if (packet[0] === Pipe.stderr) stderr.write(packet.subarray(1));
      }
    });
    output.once('close', () => reject(new Error(`attaching to the container failed: ${relayError.trim() || 'the relay ended'}`)));
  });
  // Our end of the relay's stdin stays open until its output ends (the socket closed).
  output.once('close', () => input.destroy());
  const ended = exited(child); // after the listeners above: it resumes the pipes
  await ready;
  const done = ended.then(() => {
    stdout.end();
    stderr.end();
  });
  let detached = false;
  return {
    stdin: opts.stdin ? input : null,
    stdout,
    stderr,
    // The container's exit code once the socket closed because it ended; -1 after a detach.
    exitCode: done.then(() => (detached ? -1 : exit())),
    resize(width: number, height: number) {
      resizeTerminal(bundleDir, width, height);
    },
    async kill() {
      detached = true;
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // ended already
      }
      await done;
    },
  };
}

/** resizeTerminal asks conmon to resize the container's terminal (a no-op without one). */
export function resizeTerminal(bundleDir: string, width: number, height: number): void {
  try {
    const fd = openSync(path.join(bundleDir, 'ctl'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    try {
      writeFileSync(fd, `1 ${Math.round(height)} ${Math.round(width)}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // conmon gone (the container ended) or its FIFO full: a resize can be dropped
  }
}
