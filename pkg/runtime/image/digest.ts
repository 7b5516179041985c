// digest.ts: sha256 content digests, computed while streaming so a blob is verified
// before it is ever renamed into the store.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ImageError } from './errors.js';

/** sha256Digest returns "sha256:<hex>" of a buffer. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** digestHex returns the hex part of "sha256:<hex>", refusing other algorithms and malformed digests. */
export function digestHex(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new ImageError('Unsupported', `unsupported or malformed digest ${JSON.stringify(digest)}`);
  return m[1]!;
}

/** DigestStream passes bytes through while hashing and counting them. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  /** bytes is how many bytes have passed so far. */
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  /** digest is "sha256:<hex>" of everything that passed; call once, after the end. */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** verifyDigest throws ImageError DigestMismatch unless got equals want. */
export function verifyDigest(what: string, want: string, got: string): void {
  if (want !== got) throw new ImageError('DigestMismatch', `${what}: digest mismatch: want ${want}, got ${got}`);
}
