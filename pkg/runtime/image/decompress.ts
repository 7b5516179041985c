// decompress.ts: turns a layer blob (gzip, zstd or plain tar) into a stream of tar bytes.
// The compression is detected from the first bytes rather than trusted from a media type,
// because registries and `docker save` archives are inconsistent about it.
import { Readable, PassThrough, Transform, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

/** Compression is the detected compression of a blob. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** detectCompression looks at a blob's magic number. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/**
 * decompress returns a readable of the uncompressed bytes of source. Errors in the source
 * or in decoding surface as errors on the returned stream.
 */
export function decompress(source: Readable): Readable {
  const out = new PassThrough();
  const start = async () => {
    const iter = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const headChunks: Buffer[] = [];
    let headLen = 0;
    let done = false;
    while (headLen < 4) {
      const r = await iter.next();
      if (r.done) {
        done = true;
        break;
      }
      headChunks.push(r.value);
      headLen += r.value.length;
    }
    const head = Buffer.concat(headChunks);
    async function* rest(): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      if (done) return;
      while (true) {
        const r = await iter.next();
        if (r.done) return;
        yield r.value;
      }
    }
    const kind = detectCompression(head);
    const raw = Readable.from(rest(), { objectMode: false });
    if (kind === 'gzip') {
      // 256 KiB output chunks: zlib runs on the threadpool and comes back to JS for every full
      // output buffer; the default 16 KiB made a 4 MB layer ~250 round trips.
      pipeline(raw, createGunzip({ chunkSize: 256 << 10 }), out, () => {});
    } else if (kind === 'zstd') {
      pipeline(raw, zstdDecompressor(), out, () => {});
    } else {
      pipeline(raw, out, () => {});
    }
  };
  start().catch((err) => out.destroy(err));
  return out;
}

/** zstdDecompressor wraps fzstd's streaming decoder as a Node transform stream. */
function zstdDecompressor(): Transform {
  const pending: Buffer[] = [];
  const decoder = new Decompress((data) => {
    // Copied: the decoder may reuse its window buffer for the next block.
    pending.push(Buffer.from(data));
  });
  const flush = (stream: Transform) => {
    for (const chunk of pending.splice(0)) stream.push(chunk);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        flush(this);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        decoder.push(new Uint8Array(0), true);
        flush(this);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}
