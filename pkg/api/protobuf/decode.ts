// decode.ts: Kubernetes protobuf request bodies to the JSON shape the rest of Skiff works with.
//
// client-go's typed clients (kubectl create deployment|configmap|…, run, expose, drain) send
// `application/vnd.kubernetes.protobuf`: the bytes "k8s\0", then a runtime.Unknown whose raw field
// holds the object's message and whose typeMeta names its apiVersion and kind. They accept JSON
// answers, so Skiff only decodes. Messages are read against the field table in schema.ts; a field
// the table does not know is an error naming its path, never silently dropped.
//
// Go's protobuf encoder (gogo) writes every non-pointer field, zero or not, and a pointer field only
// when it is set. JSON encodes neither an omitted field nor a zero one differently from Kubernetes'
// point of view for non-pointer scalars, so their zero values are dropped here, as `omitempty`
// would; a pointer field (`*int32` in the table) keeps its zero, since `replicas: 0` is not
// "replicas unset".
import { kinds, messages } from './schema.js';

/** protobufMediaType is the content type of Kubernetes' protobuf encoding. */
export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

const magic = Buffer.from('k8s\0', 'latin1');

/** ProtobufError is a body that is not a protobuf object this server can read; path names where. */
export class ProtobufError extends Error {
  constructor(
    readonly path: string,
    message: string,
    /** unsupportedKind names the "apiVersion/Kind" of a body whose kind has no table. */
    readonly unsupportedKind?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** decodeProtobufObject decodes a "k8s\0"-prefixed runtime.Unknown into a JSON-shaped object. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < magic.length || !body.subarray(0, magic.length).equals(magic)) {
    throw new ProtobufError('', 'the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  // runtime.Unknown: typeMeta 1 (apiVersion 1, kind 2), raw 2, contentEncoding 3, contentType 4.
  const unknown = readFields(body.subarray(magic.length), '');
  const typeMeta = readFields(bytesField(unknown, 1) ?? Buffer.alloc(0), '');
  const apiVersion = bytesField(typeMeta, 1)?.toString('utf8') ?? '';
  const kind = bytesField(typeMeta, 2)?.toString('utf8') ?? '';
  const contentEncoding = bytesField(unknown, 3)?.toString('utf8');
  if (contentEncoding) throw new ProtobufError('', `content encoding "${contentEncoding}" is not supported`);
  const message = kinds[`${apiVersion}/${kind}`];
  if (!message) throw new ProtobufError('', `protobuf bodies of ${apiVersion}/${kind} are not supported; send JSON`, `${apiVersion}/${kind}`);
  return { apiVersion, kind, ...(decodeMessage(message, bytesField(unknown, 2) ?? Buffer.alloc(0), '') as object) };
}

// ---- schema ---------------------------------------------------------------------------------

type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double';

/** FieldType is a parsed type string of schema.ts. */
type FieldType =
  | { kind: 'scalar'; scalar: Scalar; pointer: boolean }
  | { kind: 'message'; message: string; pointer: boolean }
  | { kind: 'repeated'; element: FieldType }
  | { kind: 'map'; value: FieldType };

interface Field {
  name: string;
  type: FieldType;
}

const scalars = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'double']);

/** parseType reads "[]core.v1.Container", "map<string,string>", "*int32", "meta.v1.Time". */
export function parseType(text: string): FieldType {
  if (text.startsWith('[]')) return { kind: 'repeated', element: parseType(text.slice(2)) };
  const map = /^map<string,(.+)>$/.exec(text);
  if (map) return { kind: 'map', value: parseType(map[1]) };
  const pointer = text.startsWith('*');
  const name = pointer ? text.slice(1) : text;
  if (scalars.has(name)) return { kind: 'scalar', scalar: name as Scalar, pointer };
  if (!/^[a-z]+(\.v1)?\.[A-Z]\w*$/.test(name)) throw new Error(`bad type "${text}"`);
  return { kind: 'message', message: name, pointer };
}

/** Decoded natively: the wire shape of these differs from their JSON shape. */
const specialMessages = new Set(['meta.v1.Time', 'meta.v1.MicroTime', 'meta.v1.Duration', 'meta.v1.FieldsV1', 'resource.Quantity', 'intstr.IntOrString', 'runtime.RawExtension']);

/** inline is the JSON name schema.ts gives an embedded struct whose fields sit in the parent. */
const inline = '...';

const parsed = new Map<string, Map<number, Field>>();

function fieldsOf(message: string): Map<number, Field> | undefined {
  let fields = parsed.get(message);
  if (fields) return fields;
  const table = messages[message];
  if (!table) return undefined;
  fields = new Map();
  for (const [number, spec] of Object.entries(table)) {
    const space = spec.indexOf(' ');
    fields.set(Number(number), { name: spec.slice(0, space), type: parseType(spec.slice(space + 1)) });
  }
  parsed.set(message, fields);
  return fields;
}

// ---- wire -----------------------------------------------------------------------------------

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly path: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtobufError(this.path, 'truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError(this.path, 'varint longer than 10 bytes');
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new ProtobufError(this.path, 'truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  fixed(size: 4 | 8): Buffer {
    if (this.pos + size > this.buf.length) throw new ProtobufError(this.path, 'truncated fixed-size field');
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  skip(wire: number): void {
    if (wire === Wire.Varint) this.varint();
    else if (wire === Wire.Fixed64) this.fixed(8);
    else if (wire === Wire.Bytes) this.bytes();
    else if (wire === Wire.Fixed32) this.fixed(4);
    else throw new ProtobufError(this.path, `unsupported wire type ${wire}`);
  }
}

function joinPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** decodeMessage reads one message of the named type; path is its JSON field path, for errors. */
function decodeMessage(message: string, buf: Buffer, path: string): unknown {
  if (specialMessages.has(message)) return decodeSpecial(message, buf, path);
  const fields = fieldsOf(message);
  if (!fields) throw new ProtobufError(path, `${message} is not supported in protobuf bodies; send JSON`);
  const out: Record<string, unknown> = {};
  const r = new Reader(buf, path);
  while (!r.done) {
    const tag = Number(r.varint());
    const number = tag >>> 3;
    const wire = tag & 7;
    const field = fields.get(number);
    if (!field) throw new ProtobufError(path, `field ${number} of ${message} is not known to this server`);
    const { type } = field;
    if (field.name === inline) {
      // An embedded Go struct (`json:",inline"`, e.g. Volume's VolumeSource): its fields are ours.
      Object.assign(out, readValue(r, wire, type, path));
      continue;
    }
    const fieldPath = joinPath(path, field.name);
    if (type.kind === 'repeated') {
      const list = (out[field.name] ??= []) as unknown[];
      const elementPath = `${fieldPath}[${list.length}]`;
      if (wire === Wire.Bytes && type.element.kind === 'scalar' && type.element.scalar !== 'string' && type.element.scalar !== 'bytes') {
        // A packed run of numbers or booleans.
        const packed = new Reader(r.bytes(), elementPath);
        while (!packed.done) list.push(readScalar(packed, type.element.scalar, packedWire(type.element.scalar)));
      } else {
        list.push(readValue(r, wire, type.element, elementPath));
      }
    } else if (type.kind === 'map') {
      expectWire(wire, Wire.Bytes, fieldPath);
      const entry = new Reader(r.bytes(), fieldPath);
      let key = '';
      let value: unknown;
      while (!entry.done) {
        const entryTag = Number(entry.varint());
        if (entryTag >>> 3 === 1) key = readValue(entry, entryTag & 7, { kind: 'scalar', scalar: 'string', pointer: true }, fieldPath) as string;
        else if (entryTag >>> 3 === 2) value = readValue(entry, entryTag & 7, type.value, `${fieldPath}[${JSON.stringify(key)}]`);
        else entry.skip(entryTag & 7);
      }
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      // defineProperty, as JSON.parse does: a key "__proto__" is data, not the map's prototype.
      Object.defineProperty(map, key, { value: value ?? zeroOf(type.value), enumerable: true, writable: true, configurable: true });
    } else {
      const value = readValue(r, wire, type, fieldPath);
      if (value === undefined) continue;
      if (type.kind === 'scalar' && !type.pointer && isZero(value)) continue;
      out[field.name] = value;
    }
  }
  return out;
}

function packedWire(scalar: Scalar): Wire {
  return scalar === 'double' ? Wire.Fixed64 : Wire.Varint;
}

function expectWire(actual: number, expected: Wire, path: string): void {
  if (actual !== expected) throw new ProtobufError(path, `wire type ${actual} where ${expected} was expected`);
}

function readValue(r: Reader, wire: number, type: FieldType, path: string): unknown {
  if (type.kind === 'scalar') return readScalar(r, type.scalar, wire, path);
  if (type.kind === 'message') {
    expectWire(wire, Wire.Bytes, path);
    return decodeMessage(type.message, r.bytes(), path);
  }
  throw new ProtobufError(path, 'nested repeated or map fields do not occur in Kubernetes messages');
}

function readScalar(r: Reader, scalar: Scalar, wire: number, path = r.path): unknown {
  switch (scalar) {
    case 'string':
      expectWire(wire, Wire.Bytes, path);
      return r.bytes().toString('utf8');
    case 'bytes':
      expectWire(wire, Wire.Bytes, path);
      return r.bytes().toString('base64'); // JSON carries []byte as base64
    case 'bool':
      expectWire(wire, Wire.Varint, path);
      return r.varint() !== 0n;
    case 'int32':
      expectWire(wire, Wire.Varint, path);
      return Number(BigInt.asIntN(32, r.varint()));
    case 'int64':
      expectWire(wire, Wire.Varint, path);
      return Number(BigInt.asIntN(64, r.varint()));
    case 'double':
      expectWire(wire, Wire.Fixed64, path);
      return r.fixed(8).readDoubleLE(0);
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

function zeroOf(type: FieldType): unknown {
  if (type.kind === 'scalar') return type.scalar === 'bool' ? false : type.scalar === 'string' || type.scalar === 'bytes' ? '' : 0;
  if (type.kind === 'message') return specialMessages.has(type.message) ? '' : {};
  return type.kind === 'repeated' ? [] : {};
}

/** readFields reads a small message into field number → raw values (the special types). */
function readFields(buf: Buffer, path: string): Map<number, { wire: number; value: bigint | Buffer }> {
  const out = new Map<number, { wire: number; value: bigint | Buffer }>();
  const r = new Reader(buf, path);
  while (!r.done) {
    const tag = Number(r.varint());
    const wire = tag & 7;
    if (wire === Wire.Varint) out.set(tag >>> 3, { wire, value: r.varint() });
    else if (wire === Wire.Bytes) out.set(tag >>> 3, { wire, value: r.bytes() });
    else r.skip(wire);
  }
  return out;
}

function intField(f: Map<number, { value: bigint | Buffer }>, n: number): bigint {
  const v = f.get(n)?.value;
  return typeof v === 'bigint' ? BigInt.asIntN(64, v) : 0n;
}

function bytesField(f: Map<number, { value: bigint | Buffer }>, n: number): Buffer | undefined {
  const v = f.get(n)?.value;
  return Buffer.isBuffer(v) ? v : undefined;
}

/** decodeSpecial turns the messages whose JSON form is a string or a number into that form;
 * undefined means "absent" (a zero time is null in Kubernetes' JSON). */
function decodeSpecial(message: string, buf: Buffer, path: string): unknown {
  const f = readFields(buf, path);
  switch (message) {
    case 'meta.v1.Time':
    case 'meta.v1.MicroTime': {
      const seconds = intField(f, 1);
      const nanos = Number(intField(f, 2));
      if (seconds === 0n && nanos === 0) return undefined;
      const iso = new Date(Number(seconds) * 1000).toISOString();
      if (message === 'meta.v1.Time') return iso.replace(/\.\d+Z$/, 'Z');
      return iso.replace(/\.\d+Z$/, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`);
    }
    case 'meta.v1.Duration':
      return goDuration(intField(f, 1));
    case 'resource.Quantity':
      return bytesField(f, 1)?.toString('utf8') ?? '0';
    case 'intstr.IntOrString':
      // type 1 is a string; otherwise the int (zero included: `port: 0` is what was sent).
      return intField(f, 1) === 1n ? (bytesField(f, 3)?.toString('utf8') ?? '') : Number(BigInt.asIntN(32, intField(f, 2)));
    case 'meta.v1.FieldsV1':
    case 'runtime.RawExtension': {
      const raw = bytesField(f, 1);
      if (!raw || raw.length === 0) return undefined;
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ProtobufError(path, 'embedded raw value is not JSON');
      }
    }
  }
  throw new ProtobufError(path, `no decoder for ${message}`);
}

/** goDuration prints nanoseconds as Go's time.Duration.String does ("1h2m3.5s", "150ms"). */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  let n = ns < 0n ? -ns : ns;
  if (n < 1_000_000_000n) {
    const units: [bigint, string][] = [[1_000_000n, 'ms'], [1_000n, 'µs'], [1n, 'ns']];
    for (const [size, unit] of units) {
      if (n >= size) return `${sign}${trimFraction(n, size)}${unit}`;
    }
  }
  const hours = n / 3_600_000_000_000n;
  n %= 3_600_000_000_000n;
  const minutes = n / 60_000_000_000n;
  n %= 60_000_000_000n;
  let out = sign;
  if (hours > 0n) out += `${hours}h`;
  if (hours > 0n || minutes > 0n) out += `${minutes}m`;
  return `${out}${trimFraction(n, 1_000_000_000n)}s`;
}

function trimFraction(n: bigint, unit: bigint): string {
  const whole = n / unit;
  const rest = n % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
