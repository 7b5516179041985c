// watch_stream.ts: decoding a watch response, a chunked stream of newline-delimited JSON events.
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { WatchEvent } from '../api/meta.js';

/**
 * decodeWatchStream yields one WatchEvent per line of res. It returns when the server ends the
 * stream or signal aborts, and throws if the connection breaks mid-stream. Leaving the loop early
 * (break/return) closes the connection.
 */
export async function* decodeWatchStream<T>(res: IncomingMessage, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  try {
    for await (const chunk of res) {
      buffered += decoder.write(chunk as Buffer);
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) yield JSON.parse(line) as WatchEvent<T>;
      }
    }
    if (!res.complete && !signal?.aborted) {
      throw Object.assign(new Error('watch stream closed before it was complete'), { code: 'ECONNRESET' });
    }
    const rest = (buffered + decoder.end()).trim();
    if (rest && !signal?.aborted) yield JSON.parse(rest) as WatchEvent<T>;
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  } finally {
    res.destroy();
  }
}
