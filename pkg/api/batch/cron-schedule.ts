// cron-schedule.ts: CronJob schedules as Kubernetes accepts them (robfig/cron's standard
// parser): five fields, or a macro (@hourly, @daily, ...), or @every <duration>. Parsing of
// the fields themselves is node-cron's.
import cron from 'node-cron';

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const EVERY = /^@every\s+((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;

/** expandSchedule turns a macro into its five-field form; other schedules are returned trimmed. */
export function expandSchedule(schedule: string): string {
  const s = schedule.trim();
  return MACROS[s.toLowerCase()] ?? s;
}

/** scheduleError returns why a schedule is invalid, or undefined if it is valid. */
export function scheduleError(schedule: string): string | undefined {
  const s = schedule.trim();
  if (/^(CRON_TZ|TZ)=/.test(s)) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  if (EVERY.test(s)) return undefined;
  if (s.startsWith('@') && !(s.toLowerCase() in MACROS)) return `unrecognized descriptor: ${s}`;
  const expanded = expandSchedule(s);
  const fields = expanded.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  return cron.validate(expanded) ? undefined : 'unparseable schedule';
}

/** isValidTimeZone tells whether a time zone name is known (IANA names such as "Europe/Paris", or "UTC"). */
export function isValidTimeZone(tz: string): boolean {
  if (tz.trim() !== tz || tz === '' || tz.toLowerCase() === 'local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
