import test from 'ava';
import { isImageError } from './errors.js';
import { normalizeReference, parseReference } from './reference.js';

const digest = `sha256:${'a'.repeat(64)}`;

const cases: Array<{ name: string; input: string; want: string }> = [
  { name: 'bare name', input: 'busybox', want: 'docker.io/library/busybox:latest' },
  { name: 'name and tag', input: 'busybox:1.36', want: 'docker.io/library/busybox:1.36' },
  { name: 'user repository', input: 'bitnami/nginx', want: 'docker.io/bitnami/nginx:latest' },
  { name: 'explicit docker.io', input: 'docker.io/busybox', want: 'docker.io/library/busybox:latest' },
  { name: 'index.docker.io', input: 'index.docker.io/library/busybox:1', want: 'docker.io/library/busybox:1' },
  { name: 'localhost with port', input: 'localhost:5000/web:v1', want: 'localhost:5000/web:v1' },
  { name: 'localhost without port', input: 'localhost/web', want: 'localhost/web:latest' },
  { name: 'ip and port', input: '127.0.0.1:5000/a/b:c', want: '127.0.0.1:5000/a/b:c' },
  { name: 'dotted domain', input: 'skiff.local/web:v2', want: 'skiff.local/web:v2' },
  { name: 'digest only', input: `busybox@${digest}`, want: `docker.io/library/busybox@${digest}` },
  { name: 'tag and digest', input: `localhost:5000/web:v1@${digest}`, want: `localhost:5000/web:v1@${digest}` },
];

for (const c of cases) {
  test(`normalizeReference: ${c.name}`, (t) => {
    t.is(normalizeReference(c.input), c.want);
  });
}

const invalid = ['', 'Busybox', 'busybox:', 'a/../b', 'busybox@sha256:abc', 'web:v1:v2/x', 'foo bar'];
for (const input of invalid) {
  test(`parseReference rejects ${JSON.stringify(input)}`, (t) => {
    const err = t.throws(() => parseReference(input));
    t.true(isImageError(err, 'InvalidReference'));
  });
}

test('parseReference splits domain, path, tag and digest', (t) => {
  t.deepEqual(parseReference('localhost:5000/team/web:v1'), {
    domain: 'localhost:5000',
    path: 'team/web',
    tag: 'v1',
    digest: undefined,
  });
});
