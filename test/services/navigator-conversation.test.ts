import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { parseSession } from '../../src/dialogs/session.js';
import { createTexts } from '../../src/i18n/index.js';
import type { fixedClock } from '../../src/lib/clock.js';
import { CheckinService } from '../../src/services/checkins.js';
import { NavigatorConversation, type QuestionAt } from '../../src/services/navigator-conversation.js';
import { OutOfOffice } from '../../src/services/out-of-office.js';
import { CheckinRepository, checkinSubject } from '../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { RosterRepository, type StaffRow } from '../../src/store/repositories/roster.js';
import { SmsRepository } from '../../src/store/repositories/sms.js';
import { testContext } from '../helpers/context.js';

// Tuesday 2026-11-24, 15:00 UTC = 09:00 in Chicago: week 2026-W48. No chat credentials: the simulator
// stands in as the navigators' channel.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const WEEK = '2026-W48';
const DAY = 86_400_000;
const by = { actor: 'test', at: NOW - DAY };

let ctx: AppContext & { clock: ReturnType<typeof fixedClock> };
let conversation: NavigatorConversation;
let nia: StaffRow;

/** A school with navigators nav-1 (Ana 7, Ben 8, Cam 7) and nav-2 (Dee 6, no one else). */
async function seed(): Promise<void> {
  const roster = new RosterRepository(ctx.db);
  await roster.upsertSchool({ id: 'SCH', name: 'Lincoln Middle', timezone: 'America/Chicago' }, by);
  for (const id of ['nav-1', 'nav-2'])
    await roster.upsertStaff(
      {
        id,
        schoolId: 'SCH',
        name: `Navigator ${id}`,
        email: `${id}@district.example`,
        role: 'navigator',
        slackUserId: null,
        teamsUserId: null,
        timezone: 'America/Chicago',
        locale: 'en',
      },
      by,
    );
  for (const [id, firstName, grade, navigator] of [
    ['S-1', 'Ana', '7', 'nav-1'],
    ['S-2', 'Ben', '8', 'nav-1'],
    ['S-3', 'Cam', '7', 'nav-1'],
    ['S-4', 'Dee', '6', 'nav-2'],
  ] as const) {
    await roster.upsertStudent({ id, schoolId: 'SCH', firstName, lastName: 'Lastname', grade }, by);
    await roster.assignNavigator(id, navigator, by);
  }
}

beforeEach(async () => {
  ctx = await testContext({ now: NOW });
  await seed();
  const texts = createTexts({ defaultLocale: 'en' });
  conversation = new NavigatorConversation(ctx, texts, new CheckinService(ctx, texts));
  nia = (await new RosterRepository(ctx.db).staffById('nav-1'))!;
});

afterEach(async () => {
  await ctx.db.close();
});

/** The question nav-1's session waits on now. */
async function current(): Promise<QuestionAt> {
  const row = (await new CheckinRepository(ctx.db).activeSession('nav-1', 'navigator'))!;
  const state = parseSession(row.state);
  const student = state.context.students[state.position.studentIndex];
  return {
    sessionId: row.id,
    stepId: state.position.stepId,
    ...(state.position.section === 'student' && student ? { studentId: student.id } : {}),
  };
}

async function statuses(): Promise<Record<string, string>> {
  const rows = await new CheckinRepository(ctx.db).forNavigator('nav-1', WEEK);
  return Object.fromEntries(rows.map((c) => [c.studentId, c.status]));
}

const escalations = () => new NeedRepository(ctx.db).escalations();

describe('start or resume the week', () => {
  it('starts the week with one check-in per student and says the overview changed', async () => {
    expect(await conversation.startOrResume(nia)).toEqual({ notices: [], caseloadChanged: true });
    expect(Object.keys(await statuses()).sort()).toEqual(['S-1', 'S-2', 'S-3']);
    expect((await current()).stepId).toBeTruthy();
  });

  it('tells a navigator without students so', async () => {
    await new RosterRepository(ctx.db).assignNavigator('S-4', null, by);
    const dee = (await new RosterRepository(ctx.db).staffById('nav-2'))!;
    expect((await conversation.startOrResume(dee)).notices).toEqual(['noStudents']);
  });

  it('resumes where the navigator stopped, and does not open a finished week again', async () => {
    await conversation.startOrResume(nia);
    await conversation.choose(nia, await current(), ['met']);
    const before = await current();
    expect(await conversation.stop(nia)).toEqual({ notices: [], caseloadChanged: true });
    expect(await conversation.startOrResume(nia)).toEqual({ notices: [], caseloadChanged: true });
    expect(await current()).toMatchObject({ stepId: before.stepId, studentId: before.studentId });

    for (const id of ['S-1', 'S-2', 'S-3']) await conversation.skipStudent(nia, id);
    expect(await statuses()).toEqual({ 'S-1': 'skipped', 'S-2': 'skipped', 'S-3': 'skipped' });
    expect(await conversation.startOrResume(nia)).toEqual({ notices: ['weekDone'], caseloadChanged: false });
  });
});

describe('answers', () => {
  it('a choice for the current question moves the session on; one for an earlier one is stale', async () => {
    await conversation.startOrResume(nia);
    const first = await current();
    expect(await conversation.choose(nia, first, ['met'])).toEqual({ notices: [], caseloadChanged: false });
    const next = await current();
    expect(next.stepId).not.toBe(first.stepId);

    expect(await conversation.choose(nia, first, ['met'])).toEqual({
      notices: ['stale'],
      caseloadChanged: false,
    });
    expect(await conversation.write(nia, { ...next, sessionId: 'other' }, 'x')).toMatchObject({
      notices: ['stale'],
    });
    expect(await current()).toEqual(next);
  });

  it('typed words answer the current question; with no check-in in progress they are told', async () => {
    expect(await conversation.type(nia, 'hello')).toEqual({
      notices: ['noActiveCheckin'],
      caseloadChanged: false,
    });
    await conversation.startOrResume(nia);
    await conversation.choose(nia, await current(), ['met']);
    const asked = await current();
    await conversation.write(nia, asked, 'Great at drawing');
    const answers = await conversation.answers(asked.sessionId);
    expect(answers.at(-1)).toMatchObject({
      stepId: asked.stepId,
      studentId: 'S-1',
      rawText: 'Great at drawing',
    });
  });
});

describe('one student', () => {
  it('checks in on a chosen student, starting the week when none is in progress', async () => {
    const result = await conversation.checkInStudent(nia, 'S-3');
    expect(result).toEqual({ notices: [], caseloadChanged: true });
    expect((await current()).studentId).toBe('S-3');
  });

  it('skips one student this week', async () => {
    await conversation.startOrResume(nia);
    await conversation.skipStudent(nia, 'S-2');
    expect((await statuses())['S-2']).toBe('skipped');
  });

  it("refuses to act on another navigator's student", async () => {
    await conversation.startOrResume(nia);
    const refused = { notices: ['problem'], caseloadChanged: false };
    expect(await conversation.skipStudent(nia, 'S-4')).toEqual(refused);
    expect(await conversation.checkInStudent(nia, 'S-4')).toEqual(refused);
    expect(await conversation.askCounselor(nia, 'S-4', 'note')).toEqual(refused);
    expect(await conversation.student(nia, 'S-4')).toBeUndefined();
    expect(await escalations()).toEqual([]);
    expect((await statuses())['S-4']).toBeUndefined();
  });

  it('asks a counselor about a student with a note', async () => {
    await conversation.startOrResume(nia);
    await conversation.askCounselor(nia, 'S-2', 'Seemed withdrawn');
    expect(await escalations()).toEqual([
      expect.objectContaining({ studentId: 'S-2', trigger: 'navigator_request', note: 'Seemed withdrawn' }),
    ]);
    expect(await conversation.student(nia, 'S-2')).toEqual({ id: 'S-2', firstName: 'Ben', grade: '8' });
  });
});

describe('the caseload of the week', () => {
  it("lists each student's status and why a family cannot be texted", async () => {
    const roster = new RosterRepository(ctx.db);
    await roster.upsertGuardian(
      { id: 'G-1', name: 'G', phone: '+13125550101', locale: 'es', timezone: 'America/Chicago' },
      by,
    );
    await roster.setGuardians('S-1', [{ guardianId: 'G-1', relationship: 'parent' }], by);
    await new SmsRepository(ctx.db).setSmsStatus('G-1', 'opted_out', by, 'stop');
    await conversation.startOrResume(nia);
    await conversation.skipStudent(nia, 'S-3');

    const week = await conversation.caseload(nia);
    expect(week.period).toBe(WEEK);
    expect(week.canResume).toBe(true);
    expect(week.students).toEqual([
      { id: 'S-1', firstName: 'Ana', grade: '7', status: 'in_progress', family: 'opted_out' },
      { id: 'S-2', firstName: 'Ben', grade: '8', status: 'pending', family: 'no_phone' },
      { id: 'S-3', firstName: 'Cam', grade: '7', status: 'skipped', family: 'no_phone' },
    ]);
  });

  it('with details: open needs, open escalations and what the family said', async () => {
    await new NeedRepository(ctx.db).recordNeed({
      id: 'need-1',
      studentId: 'S-2',
      area: 'housing_stability',
      severity: 'medium',
      source: 'family',
      raisedBy: 'guardian:G-1',
      createdAt: NOW - 2 * DAY,
    });
    await conversation.startOrResume(nia);
    await conversation.askCounselor(nia, 'S-2', undefined);

    const ben = (await conversation.caseload(nia, { details: true })).students.find((s) => s.id === 'S-2')!;
    expect(ben.details).toEqual({
      openNeeds: [{ area: 'housing_stability', status: 'identified' }],
      openEscalations: [
        expect.objectContaining({ trigger: 'navigator_request', status: 'open', urgent: false }),
      ],
      familySaid: expect.objectContaining({ key: 'navigator.family_said_hard' }),
    });
    const ana = (await conversation.caseload(nia, { details: true })).students.find((s) => s.id === 'S-1')!;
    expect(ana.details).toEqual({ openNeeds: [], openEscalations: [] });
  });

  it('the home view adds out-of-office dates still to come and the earlier weeks, newest first', async () => {
    const checkins = new CheckinRepository(ctx.db);
    for (const [period, status] of [
      ['2026-W46', 'completed'],
      ['2026-W47', 'missed'],
    ] as const) {
      const subject = checkinSubject('navigator', { navigatorId: 'nav-1', studentId: 'S-1' });
      await checkins.ensure({
        id: `${period}-S-1`,
        kind: 'navigator',
        period,
        subject,
        studentId: 'S-1',
        navigatorId: 'nav-1',
        createdAt: NOW - 14 * DAY,
        updatedAt: NOW - 14 * DAY,
      });
      await checkins.setStatus(period, subject, status, NOW - 10 * DAY);
    }
    const away = await new OutOfOffice(ctx).set(nia, '2026-12-21', '2026-12-31', 'staff:nav-1');
    expect(away).toEqual({ kind: 'ooo', from: '2026-12-21', to: '2026-12-31' });
    const home = (await conversation.home('nav-1'))!;
    expect(home.locale).toBe('en');
    expect(home.outOfOffice).toEqual({ from: '2026-12-21', to: '2026-12-31' });
    expect(home.week.period).toBe(WEEK);
    expect(home.history.map((w) => [w.period, w.completed, w.missed, w.total])).toEqual([
      ['2026-W47', 0, 1, 1],
      ['2026-W46', 1, 0, 1],
    ]);
    expect(await conversation.home('nobody')).toBeNull();

    ctx.clock.advance(40 * DAY); // the dates have passed
    expect((await conversation.home('nav-1'))!.outOfOffice).toBeNull();
  });
});
