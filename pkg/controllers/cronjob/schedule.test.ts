import test from 'ava';
import { Schedule } from './schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

const cases = [
  { name: 'every minute', schedule: '* * * * *', after: '2024-01-01T10:00:30Z', want: '2024-01-01T10:01:00.000Z' },
  { name: 'every 15 minutes in office hours', schedule: '*/15 9-17 * * 1-5', after: '2024-01-05T17:50:00Z', want: '2024-01-08T09:00:00.000Z' },
  { name: '@hourly', schedule: '@hourly', after: '2024-01-01T10:00:00Z', want: '2024-01-01T11:00:00.000Z' },
  { name: '@yearly', schedule: '@yearly', after: '2024-03-01T00:00:00Z', want: '2025-01-01T00:00:00.000Z' },
  { name: 'day of month or weekday when both are restricted', schedule: '0 0 13 * 5', after: '2024-01-01T00:00:00Z', want: '2024-01-05T00:00:00.000Z' },
  { name: 'Sunday as 7', schedule: '0 12 * * 7', after: '2024-01-01T00:00:00Z', want: '2024-01-07T12:00:00.000Z' },
];
for (const c of cases) {
  test(`next: ${c.name}`, (t) => {
    t.is(iso(new Schedule(c.schedule).next(at(c.after))), c.want);
  });
}

test('time zones shift the wall clock the schedule reads', (t) => {
  // 09:00 in Paris in January is 08:00 UTC.
  t.is(iso(new Schedule('0 9 * * *', 'Europe/Paris').next(at('2024-01-01T00:00:00Z'))), '2024-01-01T08:00:00.000Z');
});

test('mostRecent finds the last missed time and counts the misses', (t) => {
  const s = new Schedule('*/10 * * * *');
  t.deepEqual(s.mostRecent(at('2024-01-01T10:00:00Z'), at('2024-01-01T10:35:00Z')), { time: at('2024-01-01T10:30:00Z'), missed: 3 });
  t.deepEqual(s.mostRecent(at('2024-01-01T10:00:00Z'), at('2024-01-01T10:05:00Z')), { time: undefined, missed: 0 });
});

test('invalid schedules are rejected', (t) => {
  t.throws(() => new Schedule('61 * * * *'));
  t.throws(() => new Schedule('* * * *'));
});
