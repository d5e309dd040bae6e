import { describe, expect, it } from 'vitest';
import { familyReach } from '../../../src/services/caseload.js';
import { CheckinRepository, checkinSubject } from '../../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SmsRepository } from '../../../src/store/repositories/sms.js';
import { calls, DM, eventBody, JSON_TYPE, NAV_USER, NOW, post, slash, useSlackHarness } from './harness.js';

const h = useSlackHarness();

const DAY = 86_400_000;
const by = { actor: 'test', at: NOW - DAY };

async function homeText(): Promise<string> {
  await post(h, eventBody({ type: 'app_home_opened', user: NAV_USER, channel: DM, tab: 'home' }), JSON_TYPE);
  const view = calls.filter((c) => c.method === 'views.publish').at(-1)?.args.view as { blocks: unknown[] };
  return JSON.stringify(view.blocks);
}

/** A past week for nav-1 with the given status per student. */
async function pastWeek(
  period: string,
  statuses: Record<string, 'completed' | 'skipped' | 'missed' | 'pending'>,
) {
  const repo = new CheckinRepository(h.ctx.db);
  for (const [studentId, status] of Object.entries(statuses)) {
    const subject = checkinSubject('navigator', { navigatorId: 'nav-1', studentId });
    await repo.ensure({
      id: `${period}-${studentId}`,
      kind: 'navigator',
      period,
      subject,
      studentId,
      navigatorId: 'nav-1',
      createdAt: NOW - 14 * DAY,
      updatedAt: NOW - 14 * DAY,
    });
    if (status !== 'pending') await repo.setStatus(period, subject, status, NOW - 10 * DAY);
  }
}

async function guardian(id: string, studentId: string, phone: string | null) {
  const roster = new RosterRepository(h.ctx.db);
  await roster.upsertGuardian(
    { id, name: `Guardian ${id}`, phone, locale: 'es', timezone: 'America/Chicago' },
    by,
  );
  const links = (await roster.guardiansOf(studentId)).map((g) => ({
    guardianId: g.id,
    relationship: g.relationship,
  }));
  await roster.setGuardians(studentId, [...links, { guardianId: id, relationship: 'parent' }], by);
}

describe('App Home', () => {
  it('shows what the family said this week and the short history of earlier weeks', async () => {
    await new NeedRepository(h.ctx.db).recordNeed({
      id: 'need-f',
      studentId: 'S-2',
      area: 'housing_stability',
      severity: 'medium',
      source: 'family',
      raisedBy: 'guardian:G-1',
      createdAt: NOW - 2 * DAY,
    });
    await pastWeek('2026-W47', { 'S-1': 'completed', 'S-2': 'skipped', 'S-3': 'missed' });
    await pastWeek('2026-W46', { 'S-1': 'completed', 'S-2': 'completed', 'S-3': 'completed' });
    const text = await homeText();
    expect(text).toContain("Family: Ben's family says this week is hard (");
    expect(text).toContain('They may want a call.');
    expect(text).toContain('Recent weeks');
    expect(text).toContain('2026-W47: 2 of 3 done\\n2026-W46: 3 of 3 done'); // newest first
    expect(text).not.toContain('No earlier weeks yet.');
  });

  it('says so when there is no history yet and the family said nothing', async () => {
    const text = await homeText();
    expect(text).toContain('No earlier weeks yet.');
    expect(text).not.toContain('Family:');
  });
});

describe("the family's SMS status, shown to the navigator", () => {
  async function seedGuardians() {
    await guardian('G-ana', 'S-1', '+13125550101');
    await new SmsRepository(h.ctx.db).setSmsStatus('G-ana', 'opted_out', by, 'stop');
    await guardian('G-ben', 'S-2', null);
    await guardian('G-cam', 'S-3', '+13125550103');
    await guardian('G-cam2', 'S-3', null); // one reachable guardian is enough
  }

  it('App Home: a short note under a student whose family cannot be texted', async () => {
    await seedGuardians();
    const text = await homeText();
    expect(text).toContain("Family can't be texted: opted out");
    expect(text).toContain("Family can't be texted: no phone on file");
    expect(text.match(/Family can't be texted/g)).toHaveLength(2); // not for Cam
    expect(text).not.toContain('555'); // never the number
  });

  it('the caseload list (/checkin status, weekly prompt) shows the same note', async () => {
    await seedGuardians();
    const status = JSON.parse((await slash(h, 'status')).text) as { blocks: unknown[] };
    const text = JSON.stringify(status.blocks);
    const ana = text.indexOf('*Ana*');
    const ben = text.indexOf('*Ben*');
    expect(text.indexOf("Family can't be texted: opted out")).toBeGreaterThan(ana);
    expect(text.indexOf("Family can't be texted: opted out")).toBeLessThan(ben);
    expect(text.indexOf("Family can't be texted: no phone on file")).toBeGreaterThan(ben);
  });

  it.each([
    [[], 'no_phone'],
    [[{ hasPhone: true, smsStatus: 'active' }], null],
    [[{ hasPhone: false, smsStatus: 'unreachable' }], 'no_phone'],
    [[{ hasPhone: true, smsStatus: 'unreachable' }], 'unreachable'],
    [[{ hasPhone: true, smsStatus: 'invalid' }], 'invalid'],
    [
      [
        { hasPhone: true, smsStatus: 'invalid' },
        { hasPhone: true, smsStatus: 'opted_out' },
      ],
      'opted_out',
    ],
    [
      [
        { hasPhone: true, smsStatus: 'opted_out' },
        { hasPhone: true, smsStatus: 'active' },
      ],
      null,
    ],
  ] as const)('familyReach(%j) is %s', (guardians, expected) => {
    expect(familyReach(guardians)).toBe(expected);
  });
});
