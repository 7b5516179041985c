import test from 'ava';
import { isLoopbackHost, parseChallenge, registryBaseUrl } from './registry-client.js';

const urlCases: Array<{ name: string; domain: string; insecure: string[]; want: string }> = [
  { name: 'docker hub', domain: 'docker.io', insecure: [], want: 'https://registry-1.docker.io' },
  { name: 'remote registry', domain: 'quay.io', insecure: [], want: 'https://quay.io' },
  { name: 'insecure loopback ip', domain: '127.0.0.1:5000', insecure: ['127.0.0.1:5000'], want: 'http://127.0.0.1:5000' },
  { name: 'insecure localhost', domain: 'localhost:5000', insecure: ['localhost:5000'], want: 'http://localhost:5000' },
  { name: 'insecure ipv6 loopback', domain: '[::1]:5000', insecure: ['[::1]:5000'], want: 'http://[::1]:5000' },
  { name: 'loopback not listed stays https', domain: '127.0.0.1:5000', insecure: [], want: 'https://127.0.0.1:5000' },
  { name: 'listed but not loopback stays https', domain: 'registry.lan:5000', insecure: ['registry.lan:5000'], want: 'https://registry.lan:5000' },
  { name: 'listed private address stays https', domain: '10.0.0.1:5000', insecure: ['10.0.0.1:5000'], want: 'https://10.0.0.1:5000' },
];

for (const c of urlCases) {
  test(`registryBaseUrl: ${c.name}`, (t) => {
    t.is(registryBaseUrl(c.domain, c.insecure), c.want);
  });
}

test('isLoopbackHost', (t) => {
  t.true(isLoopbackHost('127.0.0.1'));
  t.true(isLoopbackHost('127.3.2.1:80'));
  t.true(isLoopbackHost('localhost:5000'));
  t.true(isLoopbackHost('[::1]:5000'));
  t.false(isLoopbackHost('128.0.0.1:5000'));
  t.false(isLoopbackHost('localhost.evil.com'));
  t.false(isLoopbackHost('127.0.0.1.nip.io'));
});

test('parseChallenge reads a bearer challenge', (t) => {
  const c = parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"');
  t.is(c.scheme, 'bearer');
  t.deepEqual(c.params, { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' });
});

test('parseChallenge reads a basic challenge', (t) => {
  const c = parseChallenge('Basic realm="Registry Realm"');
  t.is(c.scheme, 'basic');
  t.is(c.params.realm, 'Registry Realm');
});
