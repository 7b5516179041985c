import test from 'ava';
import { decodeProtobufObject, goDuration, parseType, ProtobufError } from './decode.js';
import { kinds, messages, unsupported } from './schema.js';

// A tiny encoder, enough to build test bodies field by field.
function varint(n: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const tag = (n: number, wire: number) => varint((n << 3) | wire);
const num = (n: number, v: bigint | number) => Buffer.concat([tag(n, 0), varint(v)]);
const bytes = (n: number, v: Buffer | string) => {
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
  return Buffer.concat([tag(n, 2), varint(b.length), b]);
};
const msg = (n: number, ...parts: Buffer[]) => bytes(n, Buffer.concat(parts));
const entry = (n: number, key: string, value: Buffer) => msg(n, bytes(1, key), value);

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, bytes(1, apiVersion), bytes(2, kind)), bytes(2, raw)]);
}

// ObjectMeta as Go writes it: every non-pointer field, zero or not.
const objectMeta = (name: string, ...more: Buffer[]) => msg(1, bytes(1, name), bytes(2, ''), bytes(3, ''), bytes(4, ''), bytes(5, ''), bytes(6, ''), num(7, 0), msg(8), ...more);

test('a ConfigMap: zero strings and numbers of non-pointer fields are dropped, map values and list items kept', (t) => {
  const raw = Buffer.concat([
    objectMeta('cm', entry(11, 'app', bytes(2, 'web')), entry(11, 'empty', bytes(2, '')), bytes(14, 'keep-me')),
    entry(2, 'a', bytes(2, '1')),
    entry(2, 'blank', bytes(2, '')),
    entry(3, 'bin', bytes(2, Buffer.from([0xff, 0]))),
  ]);
  t.deepEqual(decodeProtobufObject(envelope('v1', 'ConfigMap', raw)), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cm', labels: { app: 'web', empty: '' }, finalizers: ['keep-me'] },
    data: { a: '1', blank: '' },
    binaryData: { bin: Buffer.from([0xff, 0]).toString('base64') },
  });
});

test('a Deployment: a pointer zero (replicas 0) is kept, quantities, int-or-string and times', (t) => {
  // PodSpec: containers 2 (name 1, image 2, resources 8 with limits 1, stdin 16), terminationGracePeriodSeconds 4.
  const container = msg(2, bytes(1, 'c'), bytes(2, 'busybox'), msg(8, entry(1, 'cpu', msg(2, bytes(1, '250m')))), num(16, 0));
  const podSpec = msg(2, container, num(4, 0));
  const raw = Buffer.concat([
    objectMeta('web', msg(8, num(1, 1_700_000_000))),
    msg(2, num(1, 0), msg(2, entry(1, 'app', bytes(2, 'web'))), msg(3, objectMeta('', entry(11, 'app', bytes(2, 'web'))), podSpec), msg(4, bytes(1, 'RollingUpdate'), msg(2, msg(1, num(1, 1), bytes(3, '25%')), msg(2, num(1, 0), num(2, 0))))),
  ]);
  const o = decodeProtobufObject(envelope('apps/v1', 'Deployment', raw)) as Record<string, any>;  
  t.is(o.metadata.creationTimestamp, '2023-11-14T22:13:20Z');
  t.is(o.spec.replicas, 0, 'replicas is a *int32: its zero was sent on purpose');
  t.deepEqual(o.spec.selector, { matchLabels: { app: 'web' } });
  t.deepEqual(o.spec.template.metadata, { labels: { app: 'web' } });
  t.is(o.spec.template.spec.terminationGracePeriodSeconds, 0, '*int64 zero kept');
  t.deepEqual(o.spec.template.spec.containers, [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '250m' } } }]);
  t.deepEqual(o.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } });
});

test('a map key "__proto__" is an ordinary key (validation then judges it), not a prototype', (t) => {
  const raw = Buffer.concat([objectMeta('cm', entry(11, '__proto__', bytes(2, 'x')))]);
  const o = decodeProtobufObject(envelope('v1', 'ConfigMap', raw)) as { metadata: { labels: object } };
  t.deepEqual(Object.keys(o.metadata.labels), ['__proto__']);
  t.is(Object.getPrototypeOf(o.metadata.labels), Object.prototype);
  t.is(JSON.stringify(o.metadata.labels), '{"__proto__":"x"}');
});

test('negative int32 and int64 values (ten-byte varints)', (t) => {
  // ObjectMeta generation (int64) -1, PodSpec priority (*int32) -5: both sign-extended to ten bytes.
  const raw = Buffer.concat([objectMeta('p', num(7, -1n)), msg(2, num(25, -5))]);
  const o = decodeProtobufObject(envelope('v1', 'Pod', raw)) as Record<string, any>;  
  t.is(o.metadata.generation, -1);
  t.is(o.spec.priority, -5);
});

const cases: { name: string; body: Buffer; error: RegExp; unsupportedKind?: string }[] = [
  { name: 'no prefix', body: Buffer.from('{"kind":"Pod"}'), error: /prefix/ },
  { name: 'an unknown field, named with its path', body: envelope('v1', 'Pod', msg(2, msg(2, bytes(1, 'c'), bytes(250, 'x')))), error: /^spec\.containers\[0\]: field 250 of core\.v1\.Container is not known/ },
  { name: 'a truncated field', body: envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x05, 0x0a])), error: /truncated/ },
  { name: 'a wrong wire type', body: envelope('v1', 'ConfigMap', num(1, 3)), error: /^metadata: wire type 0 where 2/ },
  { name: 'a kind without a table', body: envelope('v1', 'Endpoints', Buffer.alloc(0)), error: /v1\/Endpoints are not supported; send JSON/, unsupportedKind: 'v1/Endpoints' },
];
for (const c of cases) {
  test(`rejected: ${c.name}`, (t) => {
    const err = t.throws(() => decodeProtobufObject(c.body), { instanceOf: ProtobufError });
    t.regex(err!.message, c.error);
    t.is(err!.unsupportedKind, c.unsupportedKind);
  });
}

test('the schema: every type parses and every message it names is defined, special, or declared unsupported', (t) => {
  const special = new Set(['meta.v1.Time', 'meta.v1.MicroTime', 'meta.v1.Duration', 'meta.v1.FieldsV1', 'resource.Quantity', 'intstr.IntOrString', 'runtime.RawExtension']);
  const named = (type: ReturnType<typeof parseType>): string | undefined => (type.kind === 'message' ? type.message : type.kind === 'repeated' ? named(type.element) : type.kind === 'map' ? named(type.value) : undefined);
  for (const [message, fields] of Object.entries(messages)) {
    const names = new Set<string>();
    for (const spec of Object.values(fields)) {
      const [name, typeText] = spec.split(' ');
      t.false(names.has(name), `${message}.${name} twice`);
      names.add(name);
      const ref = named(parseType(typeText));
      if (ref) t.true(ref in messages || special.has(ref) || unsupported.includes(ref), `${message}.${name}: ${ref} is not defined`);
    }
  }
  for (const message of Object.values(kinds)) t.true(message in messages, message);
});

test('goDuration prints as Go does', (t) => {
  t.is(goDuration(0n), '0s');
  t.is(goDuration(1_500_000n), '1.5ms');
  t.is(goDuration(90_000_000_000n), '1m30s');
  t.is(goDuration(3_600_000_000_000n), '1h0m0s');
  t.is(goDuration(-2_500_000_000n), '-2.5s');
});
