import test from 'ava';
import { canonicalQuantity, compareQuantities, parseQuantity, QuantityError, toBytes, toMilli, tryParseQuantity } from './quantity.js';

const formatCases: { name: string; input: string | number; canonical: string; milli: number; bytes: number }[] = [
  { name: 'milli cpu', input: '100m', canonical: '100m', milli: 100, bytes: 1 },
  { name: 'fractional', input: '0.5', canonical: '500m', milli: 500, bytes: 1 },
  { name: 'whole', input: '2', canonical: '2', milli: 2000, bytes: 2 },
  { name: 'thousand folds into k', input: '1000', canonical: '1k', milli: 1_000_000, bytes: 1000 },
  { name: 'milli folds into units', input: '1000m', canonical: '1', milli: 1000, bytes: 1 },
  { name: 'binary', input: '64Mi', canonical: '64Mi', milli: 64 * 1024 * 1024 * 1000, bytes: 64 * 1024 * 1024 },
  { name: 'binary folds up', input: '1024Mi', canonical: '1Gi', milli: 1024 ** 3 * 1000, bytes: 1024 ** 3 },
  { name: 'fractional binary', input: '0.5Gi', canonical: '512Mi', milli: 512 * 1024 * 1024 * 1000, bytes: 512 * 1024 * 1024 },
  { name: 'small binary prints decimal', input: '0.5Ki', canonical: '512', milli: 512_000, bytes: 512 },
  { name: 'binary not divisible', input: '1.5Ki', canonical: '1536', milli: 1_536_000, bytes: 1536 },
  { name: 'decimal SI', input: '1G', canonical: '1G', milli: 1e12, bytes: 1e9 },
  { name: 'exponent', input: '1e3', canonical: '1e3', milli: 1_000_000, bytes: 1000 },
  { name: 'upper-case exponent', input: '1E3', canonical: '1e3', milli: 1_000_000, bytes: 1000 },
  { name: 'exa suffix', input: '1E', canonical: '1E', milli: 1e21, bytes: 1e18 },
  { name: 'JSON number', input: 0.25, canonical: '250m', milli: 250, bytes: 1 },
  { name: 'zero', input: '0', canonical: '0', milli: 0, bytes: 0 },
  { name: 'nano', input: '1n', canonical: '1n', milli: 1, bytes: 1 },
  { name: 'sub-nano rounds up', input: '0.0000000001', canonical: '1n', milli: 1, bytes: 1 },
  { name: 'negative', input: '-1.5', canonical: '-1500m', milli: -1500, bytes: -1 },
  { name: 'kilo', input: '1.5k', canonical: '1500', milli: 1_500_000, bytes: 1500 },
  { name: 'leading dot', input: '.5', canonical: '500m', milli: 500, bytes: 1 },
];

for (const c of formatCases) {
  test(`quantity: ${c.name}`, (t) => {
    t.is(canonicalQuantity(c.input), c.canonical);
    t.is(toMilli(c.input), c.milli);
    t.is(toBytes(c.input), c.bytes);
    t.is(JSON.stringify({ q: parseQuantity(c.input) }), JSON.stringify({ q: c.canonical }));
  });
}

for (const bad of ['', 'abc', '1.2.3', '1Kb', '1 Mi', 'Mi', '1ki', '--1', '1e', '0x10']) {
  test(`quantity: rejects ${JSON.stringify(bad)}`, (t) => {
    t.throws(() => parseQuantity(bad), { instanceOf: QuantityError });
    t.is(tryParseQuantity(bad), undefined);
  });
}

const compareCases: { name: string; a: string; b: string; want: number }[] = [
  { name: 'equal across formats', a: '1Gi', b: '1073741824', want: 0 },
  { name: 'milli vs whole', a: '500m', b: '1', want: -1 },
  { name: 'binary vs decimal', a: '1Mi', b: '1M', want: 1 },
  { name: 'exponent vs SI', a: '1e3', b: '1k', want: 0 },
];
for (const c of compareCases) {
  test(`compareQuantities: ${c.name}`, (t) => {
    t.is(Math.sign(compareQuantities(c.a, c.b)), c.want);
  });
}

test('quantity arithmetic keeps the first format', (t) => {
  const sum = parseQuantity('512Mi').add(parseQuantity('512Mi'));
  t.is(sum.toString(), '1Gi');
  t.is(parseQuantity('1').sub(parseQuantity('250m')).toString(), '750m');
  t.true(parseQuantity('1').sub(parseQuantity('1000m')).isZero());
});
