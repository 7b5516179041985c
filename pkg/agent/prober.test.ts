import test from 'ava';
import type { RuntimeService } from '../runtime/service.js';
import { httpRequest, parseHttpStatus, Prober, resolvePort, type NetnsRunner } from './prober.js';

const target = { containerId: 'c1', netnsPath: '/run/netns/skifftest-x', ports: [{ name: 'http', containerPort: 8080 }] };

test('httpGet probes send HTTP/1.0 through nc in the pod netns and judge the status code', async (t) => {
  const calls: { netns: string; argv: string[]; stdin: string }[] = [];
  let response = 'HTTP/1.1 200 OK\r\n\r\nok';
  const runner: NetnsRunner = async (netns, argv, stdin) => {
    calls.push({ netns, argv, stdin });
    return { code: 0, stdout: response };
  };
  const prober = new Prober({} as RuntimeService, runner);
  const ok = await prober.check({ httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] } }, target, 2);
  t.true(ok.success);
  t.is(calls[0]!.netns, '/run/netns/skifftest-x');
  t.deepEqual(calls[0]!.argv, ['nc', '-w', '2', '127.0.0.1', '8080']);
  t.regex(calls[0]!.stdin, /^GET \/healthz HTTP\/1\.0\r\nHost: 127\.0\.0\.1:8080\r\n.*X-Probe: 1\r\n\r\n$/s);
  response = 'HTTP/1.1 503 Service Unavailable\r\n\r\n';
  t.false((await prober.check({ httpGet: { port: 8080 } }, target, 1)).success);
  response = '';
  t.false((await prober.check({ httpGet: { port: 8080 } }, target, 1)).success);
});

test('tcpSocket probes succeed when nc connects; exec probes use the runtime', async (t) => {
  let code = 0;
  const prober = new Prober(
    { execSync: async (_id: string, cmd: string[]) => ({ stdout: Buffer.from('out'), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'true' ? 0 : 1 }) } as unknown as RuntimeService,
    async () => ({ code, stdout: '' }),
  );
  t.true((await prober.check({ tcpSocket: { port: 8080 } }, target, 1)).success);
  code = 1;
  t.false((await prober.check({ tcpSocket: { port: 8080 } }, target, 1)).success);
  t.true((await prober.check({ exec: { command: ['true'] } }, target, 1)).success);
  t.false((await prober.check({ exec: { command: ['false'] } }, target, 1)).success);
  t.false((await prober.check({ tcpSocket: { port: 'nope' } }, target, 1)).success, 'unknown named port fails');
});

test('helpers', (t) => {
  t.is(resolvePort('8080', []), 8080);
  t.is(parseHttpStatus('HTTP/1.0 302 Found\r\n'), 302);
  t.is(parseHttpStatus('garbage'), 0);
  t.regex(httpRequest({ port: 1, httpHeaders: [{ name: 'Host', value: 'h' }] }, '127.0.0.1', 1), /^GET \/ HTTP\/1\.0\r\nUser-Agent/);
});
