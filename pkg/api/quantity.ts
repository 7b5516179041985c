// quantity.ts: Kubernetes resource quantities ("100m", "0.5", "64Mi", "1G", "1e3"), as
// apimachinery's api/resource. Values are kept exactly, in nano units (bigint), which is the
// finest precision Kubernetes keeps; finer digits round up, as Kubernetes does.

/** QuantityFormat is how a quantity was written, and so how it is printed back. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const PATTERN = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const NANO = 1_000_000_000n;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** ceilDiv divides rounding towards positive infinity (Kubernetes rounds quantities up). */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** Quantity is an exact resource amount plus the format it prints in. */
export class Quantity {
  constructor(
    /** nanos is the value times 10^9. */
    readonly nanos: bigint,
    readonly format: QuantityFormat = 'DecimalSI',
  ) {}

  /** milliValue is the value in thousandths, rounded up (Kubernetes' MilliValue). */
  milliValue(): number {
    return Number(ceilDiv(this.nanos, 1_000_000n));
  }

  /** value is the value rounded up to an integer (Kubernetes' Value), e.g. bytes. */
  value(): number {
    return Number(ceilDiv(this.nanos, NANO));
  }

  /** cmp returns -1, 0 or 1 as this is less than, equal to or greater than other. */
  cmp(other: Quantity): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  /** add returns the sum, in this quantity's format. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.format);
  }

  /** sub returns the difference, in this quantity's format. */
  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.format);
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** toString prints the canonical form Kubernetes serializes ("1000m" → "1", "1024Mi" → "1Gi"). */
  toString(): string {
    return formatQuantity(this);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** QuantityError is thrown for text that is not a quantity. */
export class QuantityError extends Error {
  constructor(readonly text: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    this.name = 'QuantityError';
  }
}

/** parseQuantity parses a quantity from its text (or a JSON number); it throws QuantityError if invalid. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  const m = PATTERN.exec(text);
  if (!m) throw new QuantityError(text);
  const [, sign, digits, exponent, suffix] = m;
  const dot = digits.indexOf('.');
  const fraction = dot < 0 ? 0 : digits.length - dot - 1;
  let mantissa = BigInt(digits.replace('.', '') || '0');
  if (sign === '-') mantissa = -mantissa;
  if (suffix && suffix in BINARY_SUFFIX) {
    const scaled = mantissa * 1024n ** BigInt(BINARY_SUFFIX[suffix]);
    return new Quantity(scale(scaled, 9 - fraction), 'BinarySI');
  }
  if (exponent) {
    return new Quantity(scale(mantissa, 9 + Number(exponent.slice(1)) - fraction), 'DecimalExponent');
  }
  return new Quantity(scale(mantissa, 9 + DECIMAL_SUFFIX[suffix ?? ''] - fraction), 'DecimalSI');
}

function scale(value: bigint, exp: number): bigint {
  return exp >= 0 ? value * pow10(exp) : ceilDiv(value, pow10(-exp));
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(String(n));
  return String(n);
}

/** tryParseQuantity returns the quantity, or undefined if the text is not one. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (input instanceof Quantity) return input;
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

/** formatQuantity prints a quantity canonically, keeping its format (Kubernetes' CanonicalizeBytes). */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const abs = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  if (q.format === 'BinarySI' && abs % NANO === 0n && abs >= 1024n * NANO) {
    let value = abs / NANO;
    let power = 0;
    while (power < 6 && value % 1024n === 0n) {
      value /= 1024n;
      power++;
    }
    return `${sign}${value}${BINARY_BY_POWER[power]}`;
  }
  let mantissa = abs;
  let exp = -9;
  const maxExp = q.format === 'DecimalExponent' ? Infinity : 18;
  while (exp < maxExp && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exp += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exp === 0 ? '' : `e${exp}`}`;
  return `${sign}${mantissa}${DECIMAL_BY_EXP.get(exp) ?? ''}`;
}

/** canonicalQuantity returns the canonical text of a quantity text, e.g. "0.5" → "500m". */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

/** toMilli returns a quantity in thousandths, rounded up: "100m" → 100, "2" → 2000. */
export function toMilli(input: string | number | Quantity): number {
  return (input instanceof Quantity ? input : parseQuantity(input)).milliValue();
}

/** toBytes returns a quantity as an integer, rounded up: "64Mi" → 67108864. */
export function toBytes(input: string | number | Quantity): number {
  return (input instanceof Quantity ? input : parseQuantity(input)).value();
}

/** compareQuantities compares two quantities: negative, zero or positive. */
export function compareQuantities(a: string | number | Quantity, b: string | number | Quantity): number {
  const qa = a instanceof Quantity ? a : parseQuantity(a);
  const qb = b instanceof Quantity ? b : parseQuantity(b);
  return qa.cmp(qb);
}
