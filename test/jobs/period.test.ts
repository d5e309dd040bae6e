import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSchoolBreak, loadCalendar, openSchoolDays } from '../../src/jobs/calendar.js';
import { isOutOfOffice } from '../../src/jobs/out-of-office.js';
import { addWeeks, isoWeekOf, localTimeInWeek, weekBounds } from '../../src/jobs/period.js';

describe('ISO weeks', () => {
  it('names the week in the given zone (Sunday night in Chicago is Monday in UTC)', () => {
    const t = Date.parse('2026-11-23T03:00:00Z'); // Sunday 21:00 in Chicago
    expect(isoWeekOf(t, 'America/Chicago')).toBe('2026-W47');
    expect(isoWeekOf(t, 'UTC')).toBe('2026-W48');
  });

  it('uses the ISO week-year at the turn of the year', () => {
    expect(isoWeekOf(Date.parse('2027-01-01T12:00:00Z'), 'UTC')).toBe('2026-W53');
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
  });

  it('bounds a week from Monday 00:00 to the next Monday 00:00 local, across a DST change', () => {
    const { start, end } = weekBounds('2026-W45', 'America/New_York');
    expect(new Date(start).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(end - start).toBe(7 * 86_400_000);
    const dst = weekBounds('2026-W44', 'America/New_York'); // Mon Oct 26 – Mon Nov 2; clocks fall back Nov 1
    expect(dst.end - dst.start).toBe(7 * 86_400_000 + 3_600_000);
  });

  it('places a local time in a week', () => {
    expect(localTimeInWeek('2026-W48', 'America/Chicago', 1, '08:00')).toBe(
      Date.parse('2026-11-23T14:00:00Z'),
    );
    expect(() => localTimeInWeek('2026-W48', 'America/Chicago', 1, '8am')).toThrow();
  });
});

describe('school calendar and out of office', () => {
  it('skips a week only when every school day is in a break; district and school breaks combine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cal-'));
    try {
      const path = join(dir, 'calendar.json');
      writeFileSync(
        path,
        JSON.stringify({
          district: { breaks: [{ name: 'Thanksgiving', from: '2026-11-25', to: '2026-11-27' }] },
          schools: { S1: { breaks: [{ name: 'Fall break', from: '2026-11-23', to: '2026-11-24' }] } },
        }),
      );
      const cal = loadCalendar(path);
      expect(isSchoolBreak(cal, 'S1', '2026-W48')).toBe(true);
      expect(isSchoolBreak(cal, 'S2', '2026-W48')).toBe(false);
      expect(openSchoolDays(cal, 'S2', '2026-W48')).toEqual([1, 2]);
      expect(isSchoolBreak(cal, 'S1', '2026-W49')).toBe(false);
      writeFileSync(
        path,
        JSON.stringify({ district: { breaks: [{ name: 'x', from: '2026-11-27', to: '2026-11-25' }] } }),
      );
      expect(() => loadCalendar(path)).toThrow(/calendar:invalid/);
      expect(loadCalendar(join(dir, 'missing.json')).district.breaks).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads out-of-office dates inclusively in the staff member’s zone', () => {
    const nav = { oooFrom: '2026-11-23', oooTo: '2026-11-24', timezone: 'America/Chicago' };
    expect(isOutOfOffice(nav, '2026-11-22')).toBe(false);
    expect(isOutOfOffice(nav, '2026-11-24')).toBe(true);
    expect(isOutOfOffice(nav, Date.parse('2026-11-25T05:59:00Z'))).toBe(true); // 23:59 Tuesday in Chicago
    expect(isOutOfOffice(nav, Date.parse('2026-11-25T06:00:00Z'))).toBe(false);
    expect(isOutOfOffice({ oooFrom: null, oooTo: null, timezone: 'UTC' }, '2026-11-24')).toBe(false);
  });
});
