// labels.ts: label selectors (apimachinery's labels and meta/v1 LabelSelector): parsing the
// string syntax `a=b,c!=d,e in (x,y),f notin (z),g,!h`, converting LabelSelector objects, and matching.
import { FieldPath, invalid, required, type FieldError } from './field.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import { messagesToErrors, validateLabels } from './validation.js';

/** LabelSelectorOperator is the operator of one matchExpressions entry. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** LabelSelectorRequirement is one matchExpressions entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

/** LabelSelector is the object form of a selector; {} selects everything, a missing one nothing. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Operator is an operator of the string syntax. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** Requirement is one parsed condition on one label. */
export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** Selector matches label sets; it is the parsed form of both syntaxes. */
export class Selector {
  constructor(
    readonly requirements: readonly Requirement[],
    /** matchesNothing is true for the selector of a missing LabelSelector. */
    readonly matchesNothing = false,
  ) {}

  /** matches tells whether every requirement holds for the labels. */
  matches(labels: Record<string, string> | undefined): boolean {
    if (this.matchesNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  /** empty is true for the selector that selects everything. */
  empty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** toString prints the string syntax, sorted by key as Kubernetes prints it. */
  toString(): string {
    return [...this.requirements]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(requirementString)
      .join(',');
  }
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const n = Number(value);
      const limit = Number(r.values[0]);
      if (!/^-?\d+$/.test(value) || Number.isNaN(limit)) return false;
      return r.operator === 'gt' ? n > limit : n < limit;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

/** everything returns the selector that matches every label set. */
export function everything(): Selector {
  return new Selector([]);
}

/** nothing returns the selector that matches no label set. */
export function nothing(): Selector {
  return new Selector([], true);
}

/** SelectorParseError is thrown for a malformed selector string. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

type Token = { kind: 'id' | 'op' | '(' | ')' | ','; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = input.slice(i, i + 2);
      const op = two === '==' || two === '!=' ? two : c;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else {
      let j = i;
      while (j < input.length && !/[\s(),=!<>]/.test(input[j])) j++;
      tokens.push({ kind: 'id', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** parseSelector parses the string syntax; "" selects everything. It throws SelectorParseError. */
export function parseSelector(input: string): Selector {
  const tokens = tokenize(input);
  const reqs: Requirement[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token | undefined => tokens[pos++];
  const fail = (what: string): never => {
    throw new SelectorParseError(`unable to parse requirement: ${what} in selector ${JSON.stringify(input)}`);
  };
  while (pos < tokens.length) {
    let t = next()!;
    let negated = false;
    if (t.kind === 'op' && t.text === '!') {
      negated = true;
      t = next() ?? fail('found end of string, expected: identifier after \'!\'');
    }
    if (t.kind !== 'id') fail(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    const key = t.text;
    checkKey(key, fail);
    const after = peek();
    if (negated || !after || after.kind === ',') {
      reqs.push({ key, operator: negated ? '!' : 'exists', values: [] });
    } else if (after.kind === 'op') {
      pos++;
      const op = after.text;
      if (op !== '=' && op !== '==' && op !== '!=' && op !== '<' && op !== '>') fail(`found '${op}', expected: '=', '!=', '==', 'in', notin'`);
      const v = peek();
      let value = '';
      if (v && v.kind === 'id') {
        value = v.text;
        pos++;
      } else if (op === '<' || op === '>') {
        fail('found end of string, expected: integer value');
      }
      if (op === '<' || op === '>') {
        if (!/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, operator: op === '<' ? 'lt' : 'gt', values: [value] });
      } else {
        checkValue(value, fail);
        reqs.push({ key, operator: op as Operator, values: [value] });
      }
    } else if (after.kind === 'id' && (after.text === 'in' || after.text === 'notin')) {
      pos++;
      if (next()?.kind !== '(') fail(`expected: '(' after '${after.text}'`);
      const values: string[] = [];
      let current: string | undefined;
      let sawComma = false;
      for (;;) {
        const v = next() ?? fail("found end of string, expected: ')'");
        if (v.kind === ')') {
          if (sawComma || current !== undefined) values.push(current ?? '');
          break;
        }
        if (v.kind === ',') {
          values.push(current ?? '');
          current = undefined;
          sawComma = true;
          continue;
        }
        if (v.kind !== 'id' || current !== undefined) fail(`found '${v.text}', expected: ',', ')' or identifier`);
        checkValue(v.text, fail);
        current = v.text;
      }
      if (values.length === 0) fail(`for 'in', 'notin' operators, values set can't be empty`);
      reqs.push({ key, operator: after.text, values: [...new Set(values)] });
    } else {
      fail(`found '${after.text}', expected: '=', '!=', '==', 'in', notin'`);
    }
    const sep = next();
    if (sep && sep.kind !== ',') fail(`found '${sep.text}', expected: ',' or 'end of string'`);
    if (sep && pos >= tokens.length) fail("found 'end of string', expected: identifier");
  }
  return new Selector(reqs);
}

function checkKey(key: string, fail: (what: string) => never): void {
  const errs = isQualifiedName(key);
  if (errs.length) fail(`invalid label key "${key}": ${errs.join('; ')}`);
}

function checkValue(value: string, fail: (what: string) => never): void {
  const errs = isValidLabelValue(value);
  if (errs.length) fail(`invalid label value: "${value}": ${errs.join('; ')}`);
}

/** selectorFromLabelSelector converts the object form; undefined/null selects nothing, {} everything. */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (!ls) return nothing();
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of ls.matchExpressions ?? []) {
    const ops: Record<LabelSelectorOperator, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
    const operator = ops[e.operator];
    if (!operator) throw new SelectorParseError(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator, values: [...(e.values ?? [])] });
  }
  return new Selector(reqs);
}

/** labelSelectorString prints a LabelSelector in the string syntax (for list requests). */
export function labelSelectorString(ls: LabelSelector | null | undefined): string {
  return selectorFromLabelSelector(ls).toString();
}

/** formatLabelSelector prints a LabelSelector as kubectl's tables and describe do: "<none>" when empty. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  return (ls && labelSelectorString(ls)) || '<none>';
}

/** labelsMatch tells whether a LabelSelector (object form) selects the labels. */
export function labelsMatch(ls: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  return selectorFromLabelSelector(ls).matches(labels);
}

/** selectorFromMap builds the selector of a plain map (Service.spec.selector): every pair must match. */
export function selectorFromMap(map: Record<string, string> | undefined): Selector {
  return new Selector(Object.entries(map ?? {}).map(([key, value]) => ({ key, operator: '=', values: [value] })));
}

/** validateLabelSelector checks a LabelSelector object as Kubernetes does. */
export function validateLabelSelector(ls: LabelSelector | undefined, path: FieldPath): FieldError[] {
  if (!ls) return [];
  const errs = validateLabels(ls.matchLabels, path.child('matchLabels'));
  (ls.matchExpressions ?? []).forEach((e, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push({ type: 'FieldValueForbidden', field: String(p.child('values')), message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
        break;
      default:
        errs.push(invalid(p.child('operator'), e.operator, 'not a valid selector operator'));
    }
    errs.push(...messagesToErrors(p.child('key'), e.key, isQualifiedName(e.key)));
    values.forEach((v, j) => errs.push(...messagesToErrors(p.child('values').index(j), v, isValidLabelValue(v))));
  });
  return errs;
}
