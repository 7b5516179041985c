// fields.ts: field selectors (apimachinery's fields): `a=b,c!=d,c==e`, matched against the flat
// set of selectable fields of an object (metadata.name, metadata.namespace, spec.nodeName, ...).

/** FieldRequirement is one condition of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

/** FieldSelectorParseError is thrown for a malformed field selector. */
export class FieldSelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorParseError';
  }
}

/** FieldSelector matches a flat field set; a missing field reads as "". */
export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  /** matches tells whether every requirement holds. */
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const v = fields[r.field] ?? '';
      return r.operator === '!=' ? v !== r.value : v === r.value;
    });
  }

  /** empty is true for the selector that selects everything. */
  empty(): boolean {
    return this.requirements.length === 0;
  }

  /** requiresExactMatch returns the value a field must equal, if the selector pins it (for indexing). */
  requiresExactMatch(field: string): string | undefined {
    const r = this.requirements.find((x) => x.field === field && x.operator !== '!=');
    return r?.value;
  }

  /** fields lists the field names the selector uses. */
  fields(): string[] {
    return [...new Set(this.requirements.map((r) => r.field))];
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/** splitTerms splits on unescaped commas. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  terms.push(cur);
  return terms;
}

function unescape(v: string, input: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== '\\') {
      if (v[i] === '=' || v[i] === ',') throw new FieldSelectorParseError(`invalid field selector: unescaped "${v[i]}" in ${JSON.stringify(input)}`);
      out += v[i];
      continue;
    }
    const n = v[i + 1];
    if (n !== '\\' && n !== ',' && n !== '=') throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence in ${JSON.stringify(input)}`);
    out += n;
    i++;
  }
  return out;
}

/** parseFieldSelector parses `a=b,c!=d,e==f`; "" selects everything. Values may escape \, \= and \\. */
export function parseFieldSelector(input: string): FieldSelector {
  if (input.trim() === '') return new FieldSelector([]);
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(input)) {
    const m = /^([^=!\\]+?)\s*(!=|==|=)(.*)$/s.exec(term);
    if (!m) throw new FieldSelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
    reqs.push({ field: m[1].trim(), operator: m[2] as FieldRequirement['operator'], value: unescape(m[3], input) });
  }
  return new FieldSelector(reqs);
}

/** matchesFields parses the selector and matches it against the fields. */
export function matchesFields(selector: string, fields: Record<string, string>): boolean {
  return parseFieldSelector(selector).matches(fields);
}
