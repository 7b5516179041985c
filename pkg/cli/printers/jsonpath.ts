// jsonpath.ts: kubectl's JSONPath templates (client-go util/jsonpath), the subset people use:
// text with {actions}; paths .a.b, ['a.b'], [n], [a:b], [*], .*, ..name, [?(@.x=="y")];
// {range EXPR}...{end}; string literals {"\n"}. Missing keys print nothing, as with kubectl -o.
import { UserError } from '../io.js';

type Step =
  | { t: 'field'; name: string }
  | { t: 'all' }
  | { t: 'index'; i: number }
  | { t: 'slice'; start?: number; end?: number }
  | { t: 'union'; keys: (string | number)[] }
  | { t: 'recursive'; name: string }
  | { t: 'filter'; left: Step[]; op?: string; right?: unknown; rightPath?: Step[] };

type Node = { t: 'text'; text: string } | { t: 'path'; steps: Step[] } | { t: 'range'; steps: Step[]; body: Node[] } | { t: 'literal'; text: string };

/** JsonPath is a parsed template; execute renders it against one value. */
export class JsonPath {
  private readonly nodes: Node[];

  constructor(readonly template: string) {
    const stack: Node[][] = [[]];
    const ranges: { steps: Step[] }[] = [];
    for (const tok of tokenize(template)) {
      const cur = stack[stack.length - 1];
      if (tok.text !== undefined) {
        cur.push({ t: 'text', text: tok.text });
        continue;
      }
      const action = tok.action!.trim();
      if (action === 'end') {
        if (stack.length === 1) throw new UserError(`error parsing jsonpath ${template}, not in range, nothing to end`);
        const body = stack.pop()!;
        stack[stack.length - 1].push({ t: 'range', steps: ranges.pop()!.steps, body });
      } else if (/^range\s/.test(action)) {
        ranges.push({ steps: parsePath(action.slice(6).trim(), template) });
        stack.push([]);
      } else if (/^"/.test(action) || /^'/.test(action)) {
        cur.push({ t: 'literal', text: unquote(action) });
      } else {
        cur.push({ t: 'path', steps: parsePath(action, template) });
      }
    }
    if (stack.length !== 1) throw new UserError(`error parsing jsonpath ${template}, unclosed range`);
    this.nodes = stack[0];
  }

  /** execute renders the template against data. */
  execute(data: unknown): string {
    return render(this.nodes, data, data);
  }
}

function render(nodes: Node[], cur: unknown, root: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text' || n.t === 'literal') out += n.text;
    else if (n.t === 'path') out += evaluate(n.steps, cur, root).map(show).join(' ');
    else {
      // {range .items} walks the array; {range .items[*]} walks the values the path reached.
      const results = evaluate(n.steps, cur, root);
      const items = results.length === 1 && Array.isArray(results[0]) ? results[0] : results;
      for (const item of items) out += render(n.body, item, root);
    }
  }
  return out;
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** evaluate returns every value a path reaches from cur ($ is root, @ is the current value). */
function evaluate(steps: Step[], cur: unknown, root: unknown): unknown[] {
  let values: unknown[] = [cur];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of values) next.push(...applyStep(step, v, root));
    values = next;
  }
  return values;
}

function applyStep(step: Step, v: unknown, root: unknown): unknown[] {
  switch (step.t) {
    case 'field':
      if (step.name === '$') return [root];
      return isObject(v) && step.name in v ? [v[step.name]] : [];
    case 'all':
      return Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
    case 'index': {
      if (!Array.isArray(v)) return [];
      const i = step.i < 0 ? v.length + step.i : step.i;
      return i >= 0 && i < v.length ? [v[i]] : [];
    }
    case 'slice': {
      if (!Array.isArray(v)) return [];
      return v.slice(step.start ?? 0, step.end ?? v.length);
    }
    case 'union':
      return step.keys.flatMap((k) => (typeof k === 'number' ? applyStep({ t: 'index', i: k }, v, root) : applyStep({ t: 'field', name: k }, v, root)));
    case 'recursive': {
      const out: unknown[] = [];
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach(walk);
        else if (isObject(x)) {
          if (step.name === '*') out.push(...Object.values(x));
          else if (step.name in x) out.push(x[step.name]);
          Object.values(x).forEach(walk);
        }
      };
      walk(v);
      return out;
    }
    case 'filter': {
      const items = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
      return items.filter((item) => {
        const left = evaluate(step.left, item, root);
        if (!step.op) return left.length > 0;
        const right = step.rightPath ? evaluate(step.rightPath, item, root)[0] : step.right;
        return left.some((l) => compare(l, step.op!, right));
      });
    }
  }
}

function compare(l: unknown, op: string, r: unknown): boolean {
  const ln = typeof l === 'number' ? l : Number(l);
  const rn = typeof r === 'number' ? r : Number(r);
  const numeric = typeof r === 'number' && !Number.isNaN(ln);
  switch (op) {
    case '==': return numeric ? ln === rn : String(l) === String(r);
    case '!=': return numeric ? ln !== rn : String(l) !== String(r);
    case '<': return ln < rn;
    case '>': return ln > rn;
    case '<=': return ln <= rn;
    case '>=': return ln >= rn;
    default: return false;
  }
}

function tokenize(template: string): { text?: string; action?: string }[] {
  const out: { text?: string; action?: string }[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const c = template[i];
    if (c === '{') {
      if (text) out.push({ text });
      text = '';
      let depth = 1;
      let j = i + 1;
      let quote = '';
      for (; j < template.length && depth > 0; j++) {
        const d = template[j];
        if (quote) {
          if (d === '\\') j++;
          else if (d === quote) quote = '';
        } else if (d === '"' || d === "'") quote = d;
        else if (d === '{') depth++;
        else if (d === '}') depth--;
      }
      if (depth > 0) throw new UserError(`error parsing jsonpath ${template}, unclosed action`);
      out.push({ action: template.slice(i + 1, j - 1) });
      i = j;
    } else {
      text += c;
      i++;
    }
  }
  if (text) out.push({ text });
  return out;
}

function unquote(s: string): string {
  const q = s[0];
  if (s[s.length - 1] !== q) throw new UserError(`error parsing jsonpath: unterminated string ${s}`);
  return s.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

/** parsePath parses one path expression (".items[*].metadata.name", "@.status", "$.kind"). */
function parsePath(expr: string, template: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new UserError(`error parsing jsonpath ${template}, ${why}`);
  };
  if (expr[0] === '$' || expr[0] === '@') i = 1;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '.' && expr[i + 1] === '.') {
      i += 2;
      const { name, next } = readName(expr, i);
      steps.push({ t: 'recursive', name: name || '*' });
      i = next;
    } else if (c === '.') {
      i++;
      if (expr[i] === '*') {
        steps.push({ t: 'all' });
        i++;
        continue;
      }
      if (expr[i] === '[' || i >= expr.length) continue;
      const { name, next } = readName(expr, i);
      if (!name) fail(`unrecognized character in action: ${expr[i]}`);
      steps.push({ t: 'field', name });
      i = next;
    } else if (c === '[') {
      const close = findClose(expr, i);
      if (close < 0) fail('unterminated array');
      steps.push(parseBracket(expr.slice(i + 1, close).trim(), template));
      i = close + 1;
    } else if (/\s/.test(c)) {
      i++;
    } else if (i === 0) {
      const { name, next } = readName(expr, i);
      if (!name) fail(`unrecognized character in action: ${c}`);
      steps.push({ t: 'field', name });
      i = next;
    } else {
      fail(`unrecognized character in action: ${c}`);
    }
  }
  return steps;
}

function readName(expr: string, start: number): { name: string; next: number } {
  let name = '';
  let i = start;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '\\' && i + 1 < expr.length) {
      name += expr[i + 1];
      i += 2;
    } else if (/[A-Za-z0-9_\-/$]/.test(c)) {
      name += c;
      i++;
    } else break;
  }
  return { name, next: i };
}

function findClose(expr: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  return -1;
}

function parseBracket(inner: string, template: string): Step {
  if (inner === '*') return { t: 'all' };
  if (inner.startsWith('?(') && inner.endsWith(')')) {
    const body = inner.slice(2, -1).trim();
    const m = /^(@[^\s=!<>]*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(body);
    if (!m) return { t: 'filter', left: parsePath(body, template) };
    const rightText = m[3].trim();
    const filter: Step = { t: 'filter', left: parsePath(m[1], template), op: m[2] };
    if (/^["']/.test(rightText)) filter.right = unquote(rightText);
    else if (/^[@$]/.test(rightText)) filter.rightPath = parsePath(rightText, template);
    else if (rightText === 'true' || rightText === 'false') filter.right = rightText;
    else filter.right = Number(rightText);
    return filter;
  }
  if (/^-?\d*:-?\d*$/.test(inner)) {
    const [a, b] = inner.split(':');
    return { t: 'slice', start: a ? Number(a) : undefined, end: b ? Number(b) : undefined };
  }
  const keys = inner.split(',').map((k) => k.trim()).map((k) => (/^-?\d+$/.test(k) ? Number(k) : /^["']/.test(k) ? unquote(k) : k));
  if (keys.length === 1 && typeof keys[0] === 'number') return { t: 'index', i: keys[0] };
  if (keys.length === 1) return { t: 'field', name: String(keys[0]) };
  return { t: 'union', keys };
}
