// schedule.ts: when a CronJob schedule fires. node-cron v4 parses the five fields into the sets
// of minutes, hours, days, months and weekdays (its own next-run computation runs on the wall
// clock and cannot take an injected one), and this file walks time forward over those sets
// in the CronJob's time zone. As in cron (and Kubernetes), when both day-of-month and
// day-of-week are restricted, a day matching either fires.
import cron from 'node-cron';
import { expandSchedule, scheduleError } from '../../api/batch/cron-schedule.js';

const MINUTE = 60_000;
const EVERY = /^@every\s+(.+)$/;
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: MINUTE, h: 60 * MINUTE };

interface LocalTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

/** Schedule answers "when does this fire next" for a CronJob schedule and time zone. */
export class Schedule {
  private readonly minutes: Set<number>;
  private readonly hours: Set<number>;
  private readonly days: Set<number>;
  private readonly months: Set<number>;
  private readonly weekdays: Set<number>;
  private readonly dayRestricted: boolean;
  private readonly weekdayRestricted: boolean;
  private readonly everyMs?: number;
  private readonly format?: Intl.DateTimeFormat;

  /** constructor throws on an invalid schedule or time zone. */
  constructor(schedule: string, timeZone?: string) {
    const error = scheduleError(schedule);
    if (error) throw new Error(`invalid schedule "${schedule}": ${error}`);
    const every = EVERY.exec(schedule.trim());
    if (every) {
      let ms = 0;
      for (const m of every[1].matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNITS[m[2]];
      this.everyMs = Math.max(1000, Math.round(ms));
    }
    const expanded = expandSchedule(every ? '* * * * *' : schedule);
    const fields = expanded.split(/\s+/);
    const parsed = cron.parse(expanded);
    this.minutes = new Set(parsed.minute);
    this.hours = new Set(parsed.hour);
    this.days = new Set(parsed.dayOfMonth.map(Number));
    this.months = new Set(parsed.month);
    this.weekdays = new Set(parsed.dayOfWeek.map((d) => Number(d) % 7));
    this.dayRestricted = !fields[2].startsWith('*');
    this.weekdayRestricted = !fields[4].startsWith('*');
    if (timeZone) {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        weekday: 'short',
      });
    }
  }

  /** next returns the first firing time strictly after afterMs (ms since the epoch). */
  next(afterMs: number): number {
    if (this.everyMs) return afterMs - (afterMs % 1000) + this.everyMs;
    let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
    // At most a few thousand jumps: days skip to the next midnight, hours to the next hour.
    for (let i = 0; i < 100_000; i++) {
      const l = this.local(t);
      if (!this.months.has(l.month) || !this.dayMatches(l)) {
        t += ((24 - l.hour) * 60 - l.minute) * MINUTE;
        continue;
      }
      if (!this.hours.has(l.hour)) {
        t += (60 - l.minute) * MINUTE;
        continue;
      }
      if (!this.minutes.has(l.minute)) {
        t += MINUTE;
        continue;
      }
      return t;
    }
    throw new Error('schedule never fires');
  }

  /**
   * mostRecent returns the latest firing time in (fromMs, toMs] and how many there were
   * (counting stops at 101: Kubernetes' "too many missed start times").
   */
  mostRecent(fromMs: number, toMs: number): { time?: number; missed: number } {
    let time: number | undefined;
    let missed = 0;
    for (let t = this.next(fromMs); t <= toMs; t = this.next(t)) {
      time = t;
      missed++;
      if (missed > 100) {
        // Too many to walk: jump to the last ones before toMs.
        const late = this.mostRecent(toMs - 2 * 24 * 60 * MINUTE, toMs);
        return { time: late.time ?? time, missed };
      }
    }
    return { time, missed };
  }

  private dayMatches(l: LocalTime): boolean {
    const dom = this.days.has(l.day);
    const dow = this.weekdays.has(l.weekday);
    if (this.dayRestricted && this.weekdayRestricted) return dom || dow;
    return dom && dow;
  }

  private local(t: number): LocalTime {
    if (!this.format) {
      const d = new Date(t);
      return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
    }
    const parts = Object.fromEntries(this.format.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    return { minute: Number(parts.minute), hour: Number(parts.hour), day: Number(parts.day), month: Number(parts.month), weekday: weekdays.indexOf(parts.weekday) };
  }
}
