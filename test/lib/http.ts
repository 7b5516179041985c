// http.ts: a tiny JSON HTTP helper for API tests (the real client lives in pkg/client).
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** req sends a request with a JSON (or raw string) body and parses a JSON answer. */
export async function req<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const init: RequestInit = { method, headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** watchLines opens a watch and collects its events until `until` returns true or timeoutMs passes. */
export async function watchEvents(base: string, path: string, until: (events: any[]) => boolean, timeoutMs = 5000, headers: Record<string, string> = {}): Promise<{ status: number; events: any[] }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: any[] = [];
  let status = 0;
  try {
    const res = await fetch(base + path, { signal: ac.signal, headers });
    status = res.status;
    if (!res.ok || !res.body) {
      events.push(await res.json().catch(() => undefined));
      return { status, events };
    }
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
      if (until(events)) break;
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return { status, events };
}
