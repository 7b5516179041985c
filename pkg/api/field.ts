// field.ts: field-level validation errors (apimachinery's util/validation/field).

/** FieldErrorType is the reason a field failed validation, spelled as Kubernetes spells it. */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound';

/** FieldError is one invalid field: its path (e.g. "spec.template.spec.containers[0].image"), why, and a message. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  message: string;
}

/** FieldPath builds field paths the way Kubernetes prints them: a.b[0].c, labels[app]. */
export class FieldPath {
  constructor(private readonly path: string = '') {}

  /** child appends a field name. */
  child(name: string): FieldPath {
    return new FieldPath(this.path ? `${this.path}.${name}` : name);
  }

  /** index appends a list index. */
  index(i: number): FieldPath {
    return new FieldPath(`${this.path}[${i}]`);
  }

  /** key appends a map key. */
  key(k: string): FieldPath {
    return new FieldPath(`${this.path}[${k}]`);
  }

  toString(): string {
    return this.path;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value) ?? String(value);
}

/** required: the field must be set. */
export function required(path: FieldPath | string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field: String(path), message: detail ? `Required value: ${detail}` : 'Required value' };
}

/** invalid: the value is not acceptable; detail says why. */
export function invalid(path: FieldPath | string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: String(path), message: `Invalid value: ${show(value)}: ${detail}` };
}

/** notSupported: the value is not one of the allowed values. */
export function notSupported(path: FieldPath | string, value: unknown, allowed: readonly string[]): FieldError {
  const list = allowed.map((a) => JSON.stringify(a)).join(', ');
  return { type: 'FieldValueNotSupported', field: String(path), message: `Unsupported value: ${show(value)}: supported values: ${list}` };
}

/** duplicate: the value appears twice where it must be unique. */
export function duplicate(path: FieldPath | string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field: String(path), message: `Duplicate value: ${show(value)}` };
}

/** forbidden: the field may not be set (or changed). */
export function forbidden(path: FieldPath | string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field: String(path), message: `Forbidden: ${detail}` };
}

/** tooLong: the value is longer than allowed. */
export function tooLong(path: FieldPath | string, max: number): FieldError {
  return { type: 'FieldValueTooLong', field: String(path), message: `Too long: may not be more than ${max} bytes` };
}

/** typeInvalid: the value has the wrong JSON type. */
export function typeInvalid(path: FieldPath | string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field: String(path), message: `Invalid value: ${show(value)}: ${detail}` };
}

/** unknownField: the field is not part of the kind's schema. */
export function unknownField(path: FieldPath | string): FieldError {
  return { type: 'FieldValueInvalid', field: String(path), message: `unknown field "${String(path)}"` };
}
