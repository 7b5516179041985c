// flags.ts: command-line parsing. Global flags (kubeconfig, context, namespace, ...) may appear
// anywhere, as kubectl allows, so they are taken out first; each command then parses its own
// flags with node:util parseArgs, and everything after "--" is kept apart (exec, run).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from './io.js';

/** GlobalFlags are the flags every command accepts. */
export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  server?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  requestTimeoutMs?: number;
}

const globalString: Record<string, keyof GlobalFlags> = {
  '--kubeconfig': 'kubeconfig',
  '--context': 'context',
  '--namespace': 'namespace',
  '-n': 'namespace',
  '--server': 'server',
  '-s': 'server',
  '--token': 'token',
  '--request-timeout': 'requestTimeoutMs',
};

/** extractGlobalFlags removes global flags from argv (up to "--") and returns them with the rest. */
export function extractGlobalFlags(argv: string[]): { globals: GlobalFlags; rest: string[] } {
  const globals: GlobalFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--insecure-skip-tls-verify' || arg === '--insecure-skip-tls-verify=true') {
      globals.insecureSkipTLSVerify = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let key = globalString[name];
    let value: string | undefined;
    if (key) {
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        value = argv[++i];
        if (value === undefined) throw new UserError(`flag needs an argument: ${name}`);
      }
    } else if (/^-n[^-=]/.test(arg)) {
      key = 'namespace';
      value = arg.slice(2);
    }
    if (!key || value === undefined) {
      rest.push(arg);
      continue;
    }
    if (key === 'requestTimeoutMs') globals.requestTimeoutMs = parseDuration(value);
    else (globals as Record<string, unknown>)[key] = value;
  }
  return { globals, rest };
}

/** parseDuration reads "30s", "2m", "1h", "500ms" or a bare number of seconds into milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new UserError(`invalid duration "${value}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

/** FlagOptions is parseArgs' options map. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Parsed is a command's flags, positional arguments, and what followed "--". */
export interface Parsed<V> {
  values: V;
  positionals: string[];
  afterDash?: string[];
}

/**
 * parseFlags parses one command's arguments. "-o=yaml" is accepted like "-o yaml" (parseArgs
 * alone would keep the "="), and parse errors become UserErrors naming the command.
 */
export function parseFlags<V = Record<string, string | boolean | string[] | undefined>>(command: string, args: string[], options: FlagOptions): Parsed<V> {
  const dash = args.indexOf('--');
  const before = dash >= 0 ? args.slice(0, dash) : args;
  const afterDash = dash >= 0 ? args.slice(dash + 1) : undefined;
  const shortString = new Set(Object.values(options).filter((o) => o.type === 'string' && o.short).map((o) => o.short!));
  // kubectl's booleans take "--wait=false"; parseArgs' do not, so those are read here.
  const explicitFalse = new Set<string>();
  const normalized = before.flatMap((a) => {
    if (/^-[a-zA-Z]=/.test(a) && shortString.has(a[1])) return [a.slice(0, 2), a.slice(3)];
    const m = /^--([^=]+)=(true|false)$/.exec(a);
    if (m && options[m[1]]?.type === 'boolean') {
      if (m[2] === 'false') {
        explicitFalse.add(m[1]);
        return [];
      }
      return [`--${m[1]}`];
    }
    return [a];
  });
  try {
    const { values, positionals } = parseArgs({ args: normalized, options, allowPositionals: true, strict: true });
    for (const name of explicitFalse) (values as Record<string, unknown>)[name] = false;
    return { values: values as V, positionals, afterDash };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UserError(`${command}: ${msg}`);
  }
}
