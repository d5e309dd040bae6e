import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { parseSession } from '../../src/dialogs/session.js';
import type { DialogInput } from '../../src/dialogs/types.js';
import { createTexts } from '../../src/i18n/index.js';
import type { fixedClock } from '../../src/lib/clock.js';
import { checkinTimerHandlers, DIALOG_TIMEOUT } from '../../src/services/checkin-timers.js';
import { CheckinService } from '../../src/services/checkins.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { testContext } from '../helpers/context.js';

// Tuesday 2026-11-24, 15:00 UTC = 09:00 in Chicago: week 2026-W48 everywhere in the demo.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const WEEK = '2026-W48';

let ctx: AppContext & { clock: ReturnType<typeof fixedClock> };
let service: CheckinService;

beforeEach(async () => {
  ctx = await testContext({ now: NOW });
  await seedDemoRoster(ctx);
  service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
});

async function session(kind: 'navigator' | 'family', id: string) {
  const row = (await new CheckinRepository(ctx.db).sessionFor(id, kind, WEEK))!;
  return { row, state: parseSession(row.state) };
}

/** Answers a navigator's questions by step id until the session is done; returns the number of inputs. */
async function runNavigatorWeek(
  navigatorId: string,
  answer: (stepId: string, studentId: string) => DialogInput,
): Promise<number> {
  let inputs = 0;
  for (; inputs < 500; inputs++) {
    const { state } = await session('navigator', navigatorId);
    if (state.status !== 'active') return inputs;
    const student = state.context.students[state.position.studentIndex]!;
    const outcome = await service.input('navigator', navigatorId, answer(state.position.stepId, student.id));
    expect(outcome.ok).toBe(true);
  }
  throw new Error('navigator week did not finish');
}

const everythingFine = (stepId: string): DialogInput => {
  switch (stepId) {
    case 'connect':
      return { kind: 'choice', choiceIds: ['met'] };
    case 'strengths':
    case 'interests':
    case 'celebrate':
      return { kind: 'text', text: 'Plays chess and helps at home' };
    case 'academics':
      return { kind: 'text', text: '4' };
    case 'attendance':
      return { kind: 'choice', choiceIds: ['on_track'] };
    case 'wellbeing':
      return { kind: 'choice', choiceIds: ['good'] };
    case 'needs':
      return { kind: 'choice', choiceIds: ['none'] };
    case 'counselor':
      return { kind: 'choice', choiceIds: ['no'] };
    default:
      return { kind: 'text', text: 'skip' };
  }
};

describe('navigator weekly check-in', () => {
  it('creates one pending check-in per student and sends the opening through the outbox', async () => {
    const outcome = await service.startNavigator('nav-2');
    expect(outcome.ok).toBe(true);
    const rows = await new CheckinRepository(ctx.db).forNavigator('nav-2', WEEK);
    expect(rows).toHaveLength(12);
    expect(rows.filter((r) => r.status === 'in_progress')).toHaveLength(1);
    const sent = await new SimulatorRepository(ctx.db).messagesTo('nav-2');
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.every((m) => m.channel === 'local' && m.status === 'pending')).toBe(true);
    // Starting again the same week resumes instead of opening a second session.
    expect(await service.startNavigator('nav-2')).toMatchObject({ ok: true, resumed: true });
    expect(await new CheckinRepository(ctx.db).forNavigator('nav-2', WEEK)).toHaveLength(12);
  });

  it('stores with every check-in message the session, version, step and student it belongs to', async () => {
    const outcome = await service.startNavigator('nav-2');
    if (!outcome.ok) throw new Error(outcome.problem);
    const { state } = await session('navigator', 'nav-2');
    const first = state.context.students[0]!;
    const sent = await new SimulatorRepository(ctx.db).messagesTo('nav-2');
    expect(sent.every((m) => m.origin?.sessionId === outcome.sessionId)).toBe(true);
    expect(sent.every((m) => typeof m.origin?.sessionVersion === 'number' && m.origin.stepId)).toBe(true);
    // The opening speaks about no student; the first question is about the first student on the caseload.
    expect(sent[0]!.origin?.studentId).toBeUndefined();
    expect(sent.at(-1)!.origin).toMatchObject({ stepId: state.position.stepId, studentId: first.id });
  });

  it('runs a whole week: every check-in completed, answers keep the question as asked, strengths kept', async () => {
    await service.startNavigator('nav-2');
    await runNavigatorWeek('nav-2', everythingFine);
    const checkins = new CheckinRepository(ctx.db);
    expect((await checkins.forNavigator('nav-2', WEEK)).map((r) => r.status)).toEqual(
      Array(12).fill('completed'),
    );
    const { row, state } = await session('navigator', 'nav-2');
    expect(state.status).toBe('completed');
    expect(await service.startNavigator('nav-2')).toEqual({ ok: false, problem: 'checkin:week_done' });
    const answers = await checkins.answersForSession(row.id);
    const connect = answers.find((a) => a.stepId === 'connect')!;
    expect(connect).toMatchObject({ questionKey: 'navigator.connect', locale: 'en', value: 'met' });
    expect(connect.questionText).toMatch(/^Did you connect with \p{L}+ this week\?$/u);
    const student = (await new RosterRepository(ctx.db).caseloadOf('nav-2'))[0]!;
    expect((await checkins.strengthsOf(student.id)).length).toBeGreaterThan(0);
    expect(await new NeedRepository(ctx.db).allNeeds()).toHaveLength(0);
  });

  it('turns the needs checklist into needs, and a counselor request into an escalation', async () => {
    await service.startNavigator('nav-2');
    const first = (await new RosterRepository(ctx.db).caseloadOf('nav-2'))[0]!;
    await runNavigatorWeek('nav-2', (stepId, studentId) => {
      if (studentId !== first.id) return everythingFine(stepId);
      if (stepId === 'needs') return { kind: 'choice', choiceIds: ['food_security', 'transportation'] };
      if (stepId === 'counselor') return { kind: 'choice', choiceIds: ['yes'] };
      return everythingFine(stepId);
    });
    const needs = new NeedRepository(ctx.db);
    expect((await needs.needsOf([first.id])).map((n) => [n.area, n.source, n.status]).sort()).toEqual([
      ['food_security', 'navigator', 'identified'],
      ['transportation', 'navigator', 'identified'],
    ]);
    const escalations = await needs.escalations('open');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      studentId: first.id,
      trigger: 'navigator_request',
      source: 'navigator',
    });
    const audit = new AuditRepository(ctx.db);
    expect(await audit.listFor('escalation', escalations[0]!.id)).toHaveLength(1);
  });

  it('keeps one open need per student and area when the family and the navigator both report it', async () => {
    const roster = new RosterRepository(ctx.db);
    const guardian = (await new SimulatorRepository(ctx.db).guardians()).find(
      async (g) => g.phone && g.locale === 'es' && (await roster.studentsOfGuardian(g.id)).length === 1,
    )!;
    const child = (await roster.studentsOfGuardian(guardian.id))[0]!;
    expect(await service.startFamily(guardian.id)).toMatchObject({ ok: true });
    for (const text of ['3', 'comida', '2'])
      await service.input('family', guardian.id, { kind: 'text', text });
    const needs = new NeedRepository(ctx.db);
    expect((await needs.needsOf([child.id])).map((n) => [n.area, n.source, n.timesReported])).toEqual([
      ['food_security', 'family', 1],
    ]);
    expect((await session('family', guardian.id)).state.status).toBe('completed');

    // The navigator sees what the family said, then reports the same area: the need is updated, not doubled.
    const navigatorId = (await roster.navigatorOf(child.id))!;
    ctx.clock.advance(60 * 60 * 1000);
    await service.startNavigator(navigatorId);
    const { state } = await session('navigator', navigatorId);
    expect(state.context.students.find((s) => s.id === child.id)?.familyNote).toMatchObject({
      key: 'navigator.family_said_hard',
      params: { name: child.firstName },
    });
    await runNavigatorWeek(navigatorId, (stepId, studentId) =>
      studentId === child.id && stepId === 'needs'
        ? { kind: 'choice', choiceIds: ['food_security'] }
        : everythingFine(stepId),
    );
    const after = await needs.needsOf([child.id]);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ area: 'food_security', timesReported: 2 });
  });
});

describe('family weekly check-in', () => {
  it('texts in the home language through the sms channel, rendered at enqueue', async () => {
    const guardian = (await new SimulatorRepository(ctx.db).guardians()).find(
      (g) => g.phone && g.locale === 'vi',
    )!;
    await service.startFamily(guardian.id);
    const [notice, first] = await new SimulatorRepository(ctx.db).messagesTo(guardian.id);
    // The very first text says who is texting and how to stop; the question follows.
    expect(notice).toMatchObject({ purpose: 'sms:consent_notice', channel: 'sms', locale: 'vi' });
    expect(first).toMatchObject({ channel: 'sms', address: guardian.phone, locale: 'vi' });
    const child = (await new RosterRepository(ctx.db).studentsOfGuardian(guardian.id))[0]!;
    const texts = createTexts({ defaultLocale: 'en' });
    const vietnamese = texts.t('family.how', 'vi', { name: child.firstName, grade: child.grade });
    expect(vietnamese.fellBack).toBe(false);
    expect(first!.body).toBe(vietnamese.text);
    expect(first!.body).not.toBe(
      texts.t('family.how', 'en', { name: child.firstName, grade: child.grade }).text,
    );
  });

  it('sends one check-in a week to a shared phone, about every child of the guardians there', async () => {
    const roster = new RosterRepository(ctx.db);
    const withPhone = (await new SimulatorRepository(ctx.db).guardians()).filter((g) => g.phone);
    const shared = withPhone.find((g) => withPhone.some((o) => o.id !== g.id && o.phone === g.phone))!;
    const [first, second] = await roster.guardiansByPhone(shared.phone!);
    expect(await service.startFamily(second!.id)).toEqual({ ok: false, problem: 'checkin:shared_phone' });
    expect(await service.startFamily(first!.id)).toMatchObject({ ok: true });
    const children = new Set(
      (await Promise.all([first!, second!].map((g) => roster.studentsOfGuardian(g.id))))
        .flat()
        .map((s) => s.id),
    );
    expect(new Set((await session('family', first!.id)).state.context.students.map((s) => s.id))).toEqual(
      children,
    );
    expect(await new SimulatorRepository(ctx.db).messagesTo(second!.id)).toHaveLength(0);
  });

  it('does not start for a family without a phone, nor for an unknown guardian', async () => {
    const roster = new RosterRepository(ctx.db);
    const by = { actor: 'test', at: NOW };
    await roster.upsertGuardian(
      { id: 'G-NOPHONE', name: 'No Phone', phone: null, locale: 'en', timezone: 'America/Chicago' },
      by,
    );
    expect(await service.startFamily('G-NOPHONE')).toEqual({ ok: false, problem: 'checkin:no_phone' });
    expect(await service.startFamily('nobody')).toEqual({
      ok: false,
      problem: 'checkin:unknown_participant',
    });
  });
});

describe('timers and concurrency', () => {
  it('ignores a reply timeout set for an older session version', async () => {
    await service.startNavigator('nav-2');
    const before = await session('navigator', 'nav-2');
    await service.input('navigator', 'nav-2', { kind: 'choice', choiceIds: ['met'] });
    const handlers = checkinTimerHandlers(service);
    const sent = (await new SimulatorRepository(ctx.db).messagesTo('nav-2')).length;
    const timer = (await new TimerRepository(ctx.db).list({ status: 'pending' })).find(
      (t) => t.kind === DIALOG_TIMEOUT && t.sessionVersion === before.row.version,
    )!;
    expect(timer).toBeDefined();
    await handlers[DIALOG_TIMEOUT]!(timer, ctx);
    expect(await new SimulatorRepository(ctx.db).messagesTo('nav-2')).toHaveLength(sent);
    expect(await service.onTimeout(before.row.id, before.row.version)).toEqual({
      ok: false,
      problem: 'checkin:no_active_session',
    });
  });

  it('the mid-week reminder asks a paused check-in again', async () => {
    await service.startNavigator('nav-2');
    // No answer: the step's own reminder, then a pause.
    for (let i = 0; i < 5 && !(await session('navigator', 'nav-2')).state.paused; i++) {
      const { row } = await session('navigator', 'nav-2');
      await service.onTimeout(row.id, row.version);
    }
    expect((await session('navigator', 'nav-2')).state.paused).toBe(true);
    const before = (await new SimulatorRepository(ctx.db).messagesTo('nav-2')).length;
    const outcome = await checkinTimerHandlers(service).navigator_reminder!(
      { payload: { navigatorId: 'nav-2', period: WEEK } } as Parameters<
        ReturnType<typeof checkinTimerHandlers>['x']
      >[0],
      ctx,
    );
    expect(outcome).toBe('resumed');
    expect((await new SimulatorRepository(ctx.db).messagesTo('nav-2')).length).toBeGreaterThan(before);
    expect((await session('navigator', 'nav-2')).state.paused).toBe(false);
  });

  it('expiry ends the week: open check-ins become missed', async () => {
    await service.startNavigator('nav-2');
    await service.input('navigator', 'nav-2', { kind: 'choice', choiceIds: ['met'] });
    const handlers = checkinTimerHandlers(service);
    const outcome = await handlers.navigator_expiry!(
      { payload: { navigatorId: 'nav-2', period: WEEK } } as Parameters<(typeof handlers)['x']>[0],
      ctx,
    );
    expect(outcome).toBe('expired');
    const statuses = (await new CheckinRepository(ctx.db).forNavigator('nav-2', WEEK)).map((r) => r.status);
    expect(statuses).toEqual(Array(12).fill('missed'));
    expect((await session('navigator', 'nav-2')).state.status).not.toBe('active');
  });

  it('going out of office mid-week: the open check-ins are skipped, not missed, and the session ends', async () => {
    await service.startNavigator('nav-2');
    // Finish the first student, then stop for the day.
    for (let i = 0; i < 50 && (await session('navigator', 'nav-2')).state.position.studentIndex === 0; i++)
      await service.input(
        'navigator',
        'nav-2',
        everythingFine((await session('navigator', 'nav-2')).state.position.stepId),
      );
    await service.input('navigator', 'nav-2', { kind: 'command', command: 'stop' });
    const outcome = await checkinTimerHandlers(service).navigator_checkins_skipped!(
      { payload: { navigatorId: 'nav-2', period: WEEK } } as Parameters<
        ReturnType<typeof checkinTimerHandlers>['x']
      >[0],
      ctx,
    );
    expect(outcome).toBe('out_of_office:11');
    const statuses = (await new CheckinRepository(ctx.db).forNavigator('nav-2', WEEK)).map((r) => r.status);
    expect(statuses.sort()).toEqual(['completed', ...Array(11).fill('skipped')]);
    expect((await session('navigator', 'nav-2')).state.status).not.toBe('active');
  });

  it('out of office: the week counts as skipped even though no session started', async () => {
    const handlers = checkinTimerHandlers(service);
    const outcome = await handlers.navigator_checkins_skipped!(
      { payload: { navigatorId: 'nav-3', period: WEEK } } as Parameters<(typeof handlers)['x']>[0],
      ctx,
    );
    expect(outcome).toBe('out_of_office:12');
    const statuses = (await new CheckinRepository(ctx.db).forNavigator('nav-3', WEEK)).map((r) => r.status);
    expect(statuses).toEqual(Array(12).fill('skipped'));
  });
});

describe('channels outside local mode', () => {
  it('sends to Slack when configured, reports a navigator without a Slack id, and does not text without Twilio', async () => {
    const slackCtx = await testContext({
      now: NOW,
      env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret' },
    });
    await seedDemoRoster(slackCtx);
    const slackService = new CheckinService(slackCtx, createTexts({ defaultLocale: 'en' }));
    const roster = new RosterRepository(slackCtx.db);
    const nav = (await roster.staffById('nav-2'))!;
    expect(await slackService.startNavigator('nav-2')).toMatchObject({ ok: true });
    const sent = await new SimulatorRepository(slackCtx.db).messagesTo('nav-2');
    expect(new Set(sent.map((m) => `${m.channel} ${m.address}`))).toEqual(
      new Set([`slack ${nav.slackUserId}`]),
    );

    await roster.upsertStaff(
      { ...nav, id: 'nav-9', email: 'nav9@example.org', slackUserId: null },
      { actor: 'test', at: NOW },
    );
    await roster.assignNavigator((await roster.caseloadOf('nav-3'))[0]!.id, 'nav-9', {
      actor: 'test',
      at: NOW,
    });
    expect(await slackService.startNavigator('nav-9')).toEqual({ ok: false, problem: 'checkin:no_channel' });
    expect(await new SimulatorRepository(slackCtx.db).messagesTo('nav-9')).toHaveLength(0);

    const guardian = (await new SimulatorRepository(slackCtx.db).guardians()).find((g) => g.phone)!;
    expect(await slackService.startFamily(guardian.id)).toEqual({
      ok: false,
      problem: 'checkin:no_sms_channel',
    });
  });
});
