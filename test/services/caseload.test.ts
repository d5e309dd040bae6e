import { beforeEach, describe, expect, it } from 'vitest';
import { caseloadEntry } from '../../src/bots/chat/caseload.js';
import { caseloadBlocks } from '../../src/bots/slack/blocks.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import { caseloadWeek } from '../../src/services/caseload.js';
import { CheckinService } from '../../src/services/checkins.js';
import { escalationRef } from '../../src/services/escalations.js';
import { FamilyInboundService } from '../../src/services/family-inbound.js';
import { FamilySmsService } from '../../src/services/family-sms.js';
import { recordCallRequest } from '../../src/services/navigator-tasks.js';
import { CheckinRepository, checkinSubject } from '../../src/store/repositories/checkins.js';
import {
  type GuardianRow,
  RosterRepository,
  type StaffRow,
  type StudentRow,
} from '../../src/store/repositories/roster.js';
import { SmsRepository } from '../../src/store/repositories/sms.js';
import { testContext } from '../helpers/context.js';

// Tuesday 2026-11-24, 09:00 in Chicago: week 2026-W48 at Riverside.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const WEEK = '2026-W48';
const HOUR = 60 * 60_000;
const texts = createTexts({ defaultLocale: 'en' });

let ctx: Awaited<ReturnType<typeof testContext>>;
let checkins: CheckinService;
let nav2: StaffRow;

beforeEach(async () => {
  ctx = await testContext({ now: NOW });
  await seedDemoRoster(ctx);
  checkins = new CheckinService(ctx, texts);
  nav2 = (await new RosterRepository(ctx.db).staffById('nav-2'))!;
});

/** nav-2's students whose only guardian has a phone of their own, each with that guardian. */
async function singleFamilies(): Promise<{ student: StudentRow; guardian: GuardianRow }[]> {
  const roster = new RosterRepository(ctx.db);
  const out: { student: StudentRow; guardian: GuardianRow }[] = [];
  for (const student of await roster.caseloadOf('nav-2')) {
    const guardians = await roster.guardiansOf(student.id);
    if (guardians.length !== 1 || !guardians[0]!.phone) continue;
    if ((await roster.studentsOfGuardian(guardians[0]!.id)).length !== 1) continue;
    out.push({ student, guardian: guardians[0]! });
  }
  return out;
}

function familyText(from: string, body: string, id: string) {
  const inbound = new FamilyInboundService(ctx, {
    sms: new FamilySmsService(ctx, texts),
    continueFamilyDialog: (guardianId, text) => checkins.input('family', guardianId, { kind: 'text', text }),
    carrierHandlesOptOut: false,
  });
  return inbound.receive({ channel: 'sms', eventId: `SM${id}`, from, body });
}

async function week() {
  return caseloadWeek(ctx.db, texts, { navigator: nav2, period: WEEK, locale: 'en', now: ctx.clock() });
}

describe("the navigator's caseload shows at once what needs them", () => {
  it('open escalations, a call request, a STOP, a pause and the texts of the week, without details', async () => {
    const families = await singleFamilies();
    expect(families.length).toBeGreaterThanOrEqual(4);
    const [asked, stopped, paused, wrote] = families;

    await checkins.startNavigator('nav-2');
    await checkins.input('navigator', 'nav-2', {
      kind: 'command',
      command: 'ask_counselor',
      studentId: asked!.student.id,
      note: 'private words for the counselor',
    });
    await ctx.db.transaction((tx) =>
      recordCallRequest(tx, ctx, { guardianId: asked!.guardian.id, sessionId: 'family-session-1' }),
    );
    await familyText(stopped!.guardian.phone!, 'STOP', '1');
    await new SmsRepository(ctx.db).pausePhone(paused!.guardian.phone!, NOW + 14 * 24 * HOUR, 2, NOW);
    // Eight days ago: not this week.
    ctx.clock.set(NOW - 8 * 24 * HOUR);
    await familyText(wrote!.guardian.phone!, 'An old text from last week', '2');
    ctx.clock.set(NOW + HOUR);
    await familyText(wrote!.guardian.phone!, 'We moved to a new apartment on Oak St', '3');
    ctx.clock.set(NOW + 2 * HOUR);
    await familyText(wrote!.guardian.phone!, 'Please call after 5pm', '4');

    const students = (await week()).students;
    const byId = (id: string) => students.find((s) => s.id === id)!;
    const lines = (id: string) => caseloadEntry(texts, 'en', byId(id)).details ?? [];

    const escalation = byId(asked!.student.id).alerts!.escalations[0]!;
    expect(escalation).toMatchObject({ trigger: 'navigator_request', status: 'open' });
    expect(lines(asked!.student.id)).toEqual([
      `Escalation ${escalationRef(escalation.id)} (navigator asked for a counselor): waiting for a counselor`,
      'Family asked for a call: call by Thu 26 Nov, 09:00',
    ]);
    expect(lines(stopped!.student.id)).toEqual([
      'A family phone texted STOP on Tue 24 Nov: no routine texts to it',
      'Family texted Tue 24 Nov, 09:00: STOP',
    ]);
    expect(lines(paused!.student.id)).toEqual(['Family paused texts until Tue 8 Dec']);
    expect(lines(wrote!.student.id)).toEqual([
      'Family texted Tue 24 Nov, 11:00: Please call after 5pm',
      'Family texted Tue 24 Nov, 10:00: We moved to a new apartment on Oak St',
    ]);
    // A student with nothing new has no lines, and nothing leaks into another student's entry.
    const quiet = students.find((s) => ![asked, stopped, paused, wrote].some((f) => f!.student.id === s.id))!;
    expect(quiet.alerts).toBeUndefined();
    expect(JSON.stringify(students)).not.toContain('private words');

    // The list Slack shows with the week's opening message and `/checkin status` carries them.
    const blocks = JSON.stringify(
      caseloadBlocks(
        'en',
        WEEK,
        students.map((s) => caseloadEntry(texts, 'en', s)),
        { canResume: true },
      ),
    );
    expect(blocks).toContain('Family asked for a call');
    expect(blocks).toContain('We moved to a new apartment');
  });

  it('in the navigator’s language', async () => {
    const [family] = await singleFamilies();
    await familyText(family!.guardian.phone!, 'Hola', '5');
    const students = (
      await caseloadWeek(ctx.db, texts, { navigator: nav2, period: WEEK, locale: 'es', now: ctx.clock() })
    ).students;
    const student = students.find((s) => s.id === family!.student.id)!;
    expect(caseloadEntry(texts, 'es', student).details).toEqual([
      'La familia escribió el mar 24 nov, 09:00: Hola',
    ]);
  });

  it('shows the newest five texts and counts the rest', async () => {
    const [family] = await singleFamilies();
    for (let i = 1; i <= 7; i++) {
      ctx.clock.set(NOW + i * 60_000);
      await familyText(family!.guardian.phone!, `Text number ${i}`, `t${i}`);
    }
    const student = (await week()).students.find((s) => s.id === family!.student.id)!;
    const lines = caseloadEntry(texts, 'en', student).details!;
    expect(lines).toHaveLength(6);
    expect(lines[0]).toContain('Text number 7');
    expect(lines[4]).toContain('Text number 3');
    expect(lines[5]).toBe('and 2 more texts this week');
  });
});

describe('completion on the caseload', () => {
  it("counts couldn't reach and absent as attempted, not done", async () => {
    const students = await new RosterRepository(ctx.db).caseloadOf('nav-2');
    const repo = new CheckinRepository(ctx.db);
    const connects = ['met', 'unreachable', 'absent'] as const;
    for (const [i, connect] of connects.entries()) {
      const s = students[i]!;
      const subject = checkinSubject('navigator', { navigatorId: 'nav-2', studentId: s.id });
      const row = await repo.ensure({
        id: `c-${i}`,
        period: WEEK,
        kind: 'navigator',
        subject,
        studentId: s.id,
        navigatorId: 'nav-2',
        createdAt: NOW,
        updatedAt: NOW,
      });
      await repo.insertAnswer({
        id: `a-${i}`,
        checkinId: row.id,
        sessionId: 's-nav-2',
        studentId: s.id,
        stepId: 'connect',
        questionKey: 'navigator.connect',
        questionText: 'Did you connect?',
        locale: 'en',
        scriptId: 'navigator-weekly',
        scriptVersion: 1,
        value: connect,
        rawText: null,
        answeredBy: 'staff:nav-2',
        answeredAt: NOW,
      });
      await repo.setStatus(WEEK, subject, 'completed', NOW);
    }
    const caseload = (await week()).students;
    expect(caseload.slice(0, 3).map((s) => s.status)).toEqual(['completed', 'attempted', 'attempted']);
    const entries = caseload.map((s) => caseloadEntry(texts, 'en', s));
    const blocks = JSON.stringify(caseloadBlocks('en', WEEK, entries, { canResume: true }));
    expect(blocks).toContain('1 of 12 done');
    expect(blocks).toContain('Tried, not reached');
  });
});
