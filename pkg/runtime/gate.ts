// gate.ts: the start gate of a container whose conmon is launched at CreateContainer (as CRI-O
// does) while its process may only run at StartContainer. The gate is a FIFO in the container's
// directory; the OCI runtime wrapper (oci/cli.ts) named by StartGateEnv opens it and waits for
// one byte before it runs the runtime: "1" goes on, anything else (or end of file: every writer
// is gone, so the runtime that made the gate died) cancels the start and conmon reports a failed
// create. The runtime holds the FIFO open read-write from the start, so the wrapper's open never
// blocks and the byte written at StartContainer waits in the pipe if the wrapper is not there yet.
import { closeSync, constants as fsConstants, openSync, rmSync, writeSync } from 'node:fs';
import { mknod, S_IFIFO } from './image/libc.js';

/** StartGate is one container's gate, held by the runtime that made it. */
export class StartGate {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** create makes the FIFO at path (replacing a stale one) and opens it. */
  static create(path: string): StartGate {
    try {
      mknod(path, S_IFIFO | 0o600, 0, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      rmSync(path, { force: true });
      mknod(path, S_IFIFO | 0o600, 0, 0);
    }
    // (libuv opens every file close-on-exec: conmon and the wrapper do not inherit it.)
    return new StartGate(path, openSync(path, fsConstants.O_RDWR | fsConstants.O_NONBLOCK));
  }

  /** open lets the wrapper run the runtime. The gate stays held until close: a byte in a FIFO
   * nobody holds is dropped. */
  open(): void {
    this.send('1\n');
  }

  /** cancel tells a waiting wrapper to give up, and closes the gate. */
  cancel(): void {
    this.send('0\n');
    this.close();
  }

  /** close lets go of the gate (a wrapper still waiting then reads end of file and gives up). */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private send(byte: string): void {
    if (this.fd === undefined) throw new Error(`start gate ${this.path} is closed`);
    writeSync(this.fd, byte);
  }
}
