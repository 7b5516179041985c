// progress.ts: a one-line progress indicator for long waits, shown only on a terminal (so
// scripts and tests see clean output).
import type { OutputStream } from '../io.js';

/** Progress rewrites one status line on a TTY; elsewhere it prints nothing. */
export class Progress {
  private shown = false;

  constructor(private readonly out: OutputStream) {}

  /** update replaces the status line. */
  update(message: string): void {
    if (!this.out.isTTY) return;
    this.out.write(`\r\x1b[K${message}`);
    this.shown = true;
  }

  /** done clears the status line. */
  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
