// flags.ts: the command line of Skiff's long-running commands (`skiff agent`, `skiff runtime`,
// `skiff controller-manager`): strict long flags, -h/--help, usage on a bad flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
const helpOption = { help: { type: 'boolean', short: 'h', default: false } } as const;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof helpOption; strict: true }>>['values'];

/**
 * parseFlags parses argv against options (plus -h/--help). It returns the flag values, or the
 * exit code the command should return: 2 after writing the error and usage to stderr, 0 after
 * writing usage to stdout for --help.
 */
export function parseFlags<O extends Options>(argv: string[], options: O, usage: string): Values<O> | number {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, ...helpOption }, strict: true }) as { values: Values<O> });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return 0;
  }
  return values;
}
