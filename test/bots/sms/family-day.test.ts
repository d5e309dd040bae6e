import { describe, expect, it } from 'vitest';
import { handleInboundSms } from '../../../src/bots/sms/inbound.js';
import { localDay } from '../../../src/services/family-sms.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { seedFamily, smsContext } from './helpers.js';

const PHONE = '+15550100001';
const STRANGER = '+15550100999';
/** Tuesday 17:30 in Chicago (23:30 UTC) and 18:30 (00:30 UTC, Wednesday in UTC). */
const EVENING = Date.parse('2026-11-24T23:30:00Z');
const HOUR = 3_600_000;

async function setup(env: Record<string, string> = {}) {
  const db = await openTestStore();
  const t = smsContext(db, env);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE }]);
  let n = 0;
  const text = (body: string, from = PHONE) =>
    handleInboundSms(
      t.ctx,
      { sms: t.sms, continueFamilyDialog: () => undefined },
      {
        from,
        body,
        messageSid: `SMin${++n}`,
      },
    );
  return { db, ...t, text };
}

describe("once-a-day replies count the family's day, not UTC's", () => {
  it('a Chicago family texting at 17:30 and 18:30 is acknowledged once; again the next morning', async () => {
    const t = await setup();
    t.clock.set(EVENING);
    expect(await t.text('we need help with rent')).toMatchObject({ action: 'family_message', replies: 1 });
    t.clock.advance(HOUR);
    expect(await t.text('thank you')).toMatchObject({ action: 'family_message', replies: 0 });
    t.clock.advance(14 * HOUR); // Wednesday 08:30 in Chicago
    expect(await t.text('one more thing')).toMatchObject({ action: 'family_message', replies: 1 });
  });

  it("uses the guardian's own zone: in Los Angeles 23:30 UTC and 00:30 UTC are one day too", async () => {
    const t = await setup();
    await t.db.transaction((tx) =>
      new RosterRepository(tx).upsertGuardian(
        { id: 'g-1', name: 'Guardian g-1', phone: PHONE, locale: 'en', timezone: 'America/Los_Angeles' },
        { actor: 'test', at: 0 },
      ),
    );
    t.clock.set(Date.parse('2026-11-25T07:30:00Z')); // 23:30 in Los Angeles, 01:30 in Chicago
    expect(await t.text('hello')).toMatchObject({ replies: 1 });
    t.clock.advance(HOUR); // 00:30 in Los Angeles: a new day there
    expect(await t.text('hello again')).toMatchObject({ replies: 1 });
  });

  it("an unknown number gets one neutral reply a day in the district's default zone", async () => {
    const t = await setup();
    t.clock.set(EVENING);
    expect(await t.text('hola', STRANGER)).toMatchObject({ action: 'unknown_number', replies: 1 });
    t.clock.advance(HOUR);
    expect(await t.text('hola?', STRANGER)).toMatchObject({ action: 'unknown_number', replies: 0 });

    const ny = await setup({ DEFAULT_TIMEZONE: 'America/New_York' });
    ny.clock.set(Date.parse('2026-11-25T04:30:00Z')); // 23:30 in New York
    expect(await ny.text('hola', STRANGER)).toMatchObject({ replies: 1 });
    ny.clock.advance(HOUR); // 00:30 in New York, still Tuesday in Chicago
    expect(await ny.text('hola?', STRANGER)).toMatchObject({ replies: 1 });
  });

  it('localDay is the ISO date in the zone, null for a zone luxon does not know', () => {
    expect(localDay(EVENING, 'America/Chicago')).toBe('2026-11-24');
    expect(localDay(EVENING, 'UTC')).toBe('2026-11-24');
    expect(localDay(EVENING + HOUR, 'America/Chicago')).toBe('2026-11-24');
    expect(localDay(EVENING + HOUR, 'UTC')).toBe('2026-11-25');
    expect(localDay(EVENING, 'Mars/Olympus')).toBeNull();
  });
});
