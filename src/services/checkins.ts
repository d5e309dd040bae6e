import type { AppContext } from '../context.js';

import { resume, start } from '../dialogs/engine.js';
import { parseSession, type Session } from '../dialogs/session.js';
import type { DialogContext, DialogInput, ScriptStudent } from '../dialogs/types.js';
import type { Texts } from '../i18n/index.js';
import { isoWeekOf } from '../jobs/period.js';
import { getScript } from '../scripts/index.js';
import { type Tx, UniqueViolation } from '../store/db.js';
import { CheckinRepository, checkinSubject, type SessionRow } from '../store/repositories/checkins.js';
import { RosterRepository, type StudentRow } from '../store/repositories/roster.js';
import { type AppliedEffects, applyEffects, emptyApplied, type Recipient } from './effects.js';
import { familyNoteFor } from './family-notes.js';
import { FamilySmsService } from './family-sms.js';
import { defaultStaffRoute, type StaffRoute } from './staff-routing.js';

export const NAVIGATOR_SCRIPT = 'navigator-weekly';
export const FAMILY_SCRIPT = 'family-weekly';

/** Why a check-in could not start or continue; returned, not thrown. */
export type CheckinProblem =
  | 'checkin:unknown_participant'
  | 'checkin:no_students'
  | 'checkin:no_active_session'
  | 'checkin:no_phone'
  | 'checkin:not_reachable'
  | 'checkin:no_consent'
  | 'checkin:week_done'
  | 'checkin:no_channel'
  | 'checkin:shared_phone'
  | 'checkin:no_sms_channel'
  | 'checkin:week_over'
  | 'checkin:conflict';

export type CheckinOutcome =
  | { ok: true; sessionId: string; applied: AppliedEffects; resumed: boolean }
  | { ok: false; problem: CheckinProblem };

/** Decides which channel reaches a participant. */
export interface ChannelPolicy {
  /** Where a staff member's messages go, or null when they cannot be reached. */
  navigatorChannel: StaffRoute;
  /** True when families can be texted: Twilio is configured, or the simulator's phones stand in. */
  smsAvailable: boolean;
}

/** Slack when configured and the navigator has a Slack id, then Teams, else the local simulator. */
export function defaultChannelPolicy(ctx: AppContext): ChannelPolicy {
  return {
    // The simulator only stands in when no real channel is configured; otherwise a navigator without a chat
    // id is reported as unreachable rather than "sent" to a page nobody reads.
    navigatorChannel: defaultStaffRoute(ctx.config),
    smsAvailable: Boolean(ctx.config.twilio) || ctx.config.localMode,
  };
}

/**
 * Runs weekly check-ins: starts a navigator's or a family's conversation for a week, feeds it inputs,
 * and applies what the engine says in one transaction per step.
 */
export class CheckinService {
  private readonly policy: ChannelPolicy;

  constructor(
    readonly ctx: AppContext,
    private readonly texts: Texts,
    policy?: ChannelPolicy,
  ) {
    this.policy = policy ?? defaultChannelPolicy(ctx);
  }

  get db() {
    return this.ctx.db;
  }

  /** Marks a navigator's still-open check-ins of a week as missed (end of the school week). */
  async closeWeek(navigatorId: string, period: string, status: 'missed' | 'skipped'): Promise<number> {
    const changed = await new CheckinRepository(this.ctx.db).closeOpen(
      navigatorId,
      period,
      status,
      this.ctx.clock(),
    );
    if (changed) this.ctx.logger.info({ navigatorId, period, status, changed }, 'check-ins closed');
    return changed;
  }

  /** Out of office: the week's check-ins count as skipped, and a running session ends. */
  async skipWeek(navigatorId: string, period: string): Promise<number> {
    // Out of office at the prompt means no session ever started: create the rows so the week shows skipped.
    const now = this.ctx.clock();
    const students = await new RosterRepository(this.ctx.db).caseloadOf(navigatorId);
    await this.ctx.db.transaction((tx) =>
      this.ensureCheckins(
        tx,
        {
          kind: 'navigator',
          participantId: navigatorId,
          locale: this.ctx.config.defaultLocale,
          period,
          programWeek: 1,
          students: students.map((s) => ({ id: s.id, firstName: s.firstName, grade: s.grade })),
        },
        null,
        now,
      ),
    );
    // Close as skipped before ending a running session, which would otherwise mark them missed.
    const skipped = await this.closeWeek(navigatorId, period, 'skipped');
    const session = await new CheckinRepository(this.ctx.db).sessionFor(navigatorId, 'navigator', period);
    if (session?.status === 'active') await this.expire(session.id);
    return skipped;
  }

  /** A family check-in left open after its window is missed. */
  async closeFamilyWeek(guardianId: string, period: string): Promise<boolean> {
    return await new CheckinRepository(this.ctx.db).setStatus(
      period,
      checkinSubject('family', { guardianId }),
      'missed',
      this.ctx.clock(),
    );
  }

  /** The current ISO week in a zone. */
  periodNow(zone: string = this.ctx.config.defaultTimezone): string {
    return isoWeekOf(this.ctx.clock(), zone);
  }

  /** Starts (or resumes) a navigator's check-ins for a week: one check-in row per student, one session. */
  async startNavigator(navigatorId: string, period?: string): Promise<CheckinOutcome> {
    const roster = new RosterRepository(this.ctx.db);
    const navigator = await roster.staffById(navigatorId);
    if (!navigator) return { ok: false, problem: 'checkin:unknown_participant' };
    const school = navigator.schoolId ? await roster.school(navigator.schoolId) : undefined;
    const week = period ?? this.periodNow(school?.timezone ?? navigator.timezone);
    const repo = new CheckinRepository(this.ctx.db);
    const existing = await repo.sessionFor(navigatorId, 'navigator', week);
    if (existing?.status === 'active')
      return this.input('navigator', navigatorId, { kind: 'command', command: 'resume' });
    // A finished or expired week is not opened again; a session ended by a script change may start afresh.
    if (existing?.status === 'completed') return { ok: false, problem: 'checkin:week_done' };
    if (existing?.status === 'expired') return { ok: false, problem: 'checkin:week_over' };

    const caseload = await roster.caseloadOf(navigatorId);
    if (caseload.length === 0) return { ok: false, problem: 'checkin:no_students' };
    const now = this.ctx.clock();
    const locale = this.texts.resolveLocale(navigator.locale);
    const students: ScriptStudent[] = [];
    for (const s of caseload) {
      const note = await familyNoteFor(this.ctx.db, this.texts, s, locale, now);
      students.push({
        id: s.id,
        firstName: s.firstName,
        grade: s.grade,
        ...(note ? { familyNote: note } : {}),
      });
    }
    const context: DialogContext = {
      kind: 'navigator',
      participantId: navigatorId,
      locale,
      period: week,
      programWeek: (await repo.weeksBefore(navigatorId, 'navigator', week)) + 1,
      students,
    };
    const route = this.policy.navigatorChannel(navigator);
    if (!route) {
      this.ctx.logger.warn(
        { navigatorId },
        'navigator has no chat channel (no Slack id matched): check-in not sent',
      );
      return { ok: false, problem: 'checkin:no_channel' };
    }
    const { channel, address } = route;
    return this.begin(context, NAVIGATOR_SCRIPT, {
      channel,
      recipientKind: 'staff',
      recipientId: navigatorId,
      address,
      locale: context.locale,
    });
  }

  /** Starts a family's weekly SMS check-in, asking about each of the guardian's children by first name. */
  async startFamily(guardianId: string, period?: string): Promise<CheckinOutcome> {
    const roster = new RosterRepository(this.ctx.db);
    const guardian = await roster.guardian(guardianId);
    if (!guardian) return { ok: false, problem: 'checkin:unknown_participant' };
    if (!this.policy.smsAvailable) return { ok: false, problem: 'checkin:no_sms_channel' };
    if (!guardian.phone) return { ok: false, problem: 'checkin:no_phone' };
    // The same consent rule the transport applies just before sending: no routine text without consent.
    const block = await new FamilySmsService(this.ctx, this.texts).blockFor(guardianId, {
      urgent: false,
      replyToInbound: false,
    });
    if (block)
      return {
        ok: false,
        problem: block === 'sms:no_consent' ? 'checkin:no_consent' : 'checkin:not_reachable',
      };
    // One phone gets one check-in a week, even when two guardians share it: it is sent to the first of them
    // by id (the one the SMS layer routes replies to) and asks about all their children.
    const atPhone = await roster.guardiansByPhone(guardian.phone);
    if (atPhone[0] && atPhone[0].id !== guardianId) return { ok: false, problem: 'checkin:shared_phone' };
    const week = period ?? this.periodNow(guardian.timezone);
    const repo = new CheckinRepository(this.ctx.db);
    const existing = await repo.sessionFor(guardianId, 'family', week);
    if (existing) return { ok: true, sessionId: existing.id, applied: emptyApplied(), resumed: true };
    const children = new Map<string, StudentRow>();
    for (const g of atPhone)
      for (const s of await roster.studentsOfGuardian(g.id)) if (s.active) children.set(s.id, s);
    if (children.size === 0) return { ok: false, problem: 'checkin:no_students' };
    const context: DialogContext = {
      kind: 'family',
      participantId: guardianId,
      locale: this.texts.resolveLocale(guardian.locale),
      period: week,
      programWeek: (await repo.weeksBefore(guardianId, 'family', week)) + 1,
      students: [...children.values()].map((s) => ({ id: s.id, firstName: s.firstName, grade: s.grade })),
    };
    return this.begin(context, FAMILY_SCRIPT, {
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: guardianId,
      address: guardian.phone,
      locale: context.locale,
    });
  }

  /** Feeds an input to the participant's active session. */
  async input(
    kind: 'navigator' | 'family',
    participantId: string,
    input: DialogInput,
  ): Promise<CheckinOutcome> {
    const row = await new CheckinRepository(this.ctx.db).activeSession(participantId, kind);
    if (!row) return { ok: false, problem: 'checkin:no_active_session' };
    return this.step(row, input);
  }

  /** A reply timer fired: resumes with a timeout, unless the session moved on since it was set. */
  async onTimeout(sessionId: string, sessionVersion: number): Promise<CheckinOutcome> {
    const row = await new CheckinRepository(this.ctx.db).session(sessionId);
    if (row?.status !== 'active' || row.version !== sessionVersion)
      return { ok: false, problem: 'checkin:no_active_session' };
    return this.step(row, { kind: 'timeout' });
  }

  /** A planned reminder: the engine sends its reminder and asks the current question again, even if paused. */
  async remind(sessionId: string): Promise<CheckinOutcome> {
    const row = await new CheckinRepository(this.ctx.db).session(sessionId);
    if (row?.status !== 'active') return { ok: false, problem: 'checkin:no_active_session' };
    return this.step(row, { kind: 'remind' });
  }

  /** The week is over: ends the session; open check-ins become missed. */
  async expire(sessionId: string): Promise<CheckinOutcome> {
    const row = await new CheckinRepository(this.ctx.db).session(sessionId);
    if (row?.status !== 'active') return { ok: false, problem: 'checkin:no_active_session' };
    return this.step(row, { kind: 'expire' });
  }

  private async begin(
    context: DialogContext,
    scriptId: string,
    recipient: Recipient,
  ): Promise<CheckinOutcome> {
    const script = getScript(scriptId);
    const now = this.ctx.clock();
    const { session, effects } = start(script, context, now);
    const sessionId = this.ctx.ids();
    let applied: AppliedEffects;
    try {
      applied = await this.ctx.db.transaction(async (tx) => {
        const repo = new CheckinRepository(tx);
        await this.ensureCheckins(tx, context, sessionId, now);
        await repo.insertSession({
          id: sessionId,
          kind: context.kind,
          participantId: context.participantId,
          channel: recipient.channel,
          scriptId,
          scriptVersion: session.scriptVersion,
          version: session.version,
          status: session.status,
          period: context.period,
          state: session,
          createdAt: now,
          updatedAt: now,
        });
        // A family's very first text is the notice of who texts them and how to stop; it goes just before.
        if (context.kind === 'family')
          await new FamilySmsService(this.ctx, this.texts).enqueueConsentNotice(tx, context.participantId);
        return applyEffects(
          tx,
          this.ctx,
          this.texts,
          this.source(sessionId, session, scriptId, recipient),
          effects,
        );
      });
    } catch (err) {
      // Another start for the same person and week won the race (the unique index on active sessions).
      if (isUniqueViolation(err)) return { ok: false, problem: 'checkin:conflict' };
      throw err;
    }
    return { ok: true, sessionId, applied, resumed: false };
  }

  private async step(row: SessionRow, input: DialogInput): Promise<CheckinOutcome> {
    const previous = parseSession(row.state);
    const script = getScript(row.scriptId);
    const { session, effects } = resume(script, previous, input, this.ctx.clock());
    const recipient = await this.recipientFor(row, previous.context);
    if (!recipient) return { ok: false, problem: 'checkin:unknown_participant' };
    const now = this.ctx.clock();
    const applied = await this.ctx.db.transaction(async (tx) => {
      const saved = await new CheckinRepository(tx).saveSession(row.id, row.version, {
        state: session,
        version: session.version,
        status: session.status,
        scriptVersion: session.scriptVersion,
        updatedAt: now,
      });
      // Someone else moved this session on first (a double click, a retried webhook): apply nothing.
      if (!saved) return null;
      return applyEffects(
        tx,
        this.ctx,
        this.texts,
        this.source(row.id, session, row.scriptId, recipient),
        effects,
      );
    });
    if (!applied) return { ok: false, problem: 'checkin:conflict' };
    return { ok: true, sessionId: row.id, applied, resumed: true };
  }

  private async ensureCheckins(
    tx: Tx,
    context: DialogContext,
    sessionId: string | null,
    now: number,
  ): Promise<void> {
    const repo = new CheckinRepository(tx);
    if (context.kind === 'family') {
      await repo.ensure({
        id: this.ctx.ids(),
        kind: 'family',
        period: context.period,
        subject: checkinSubject('family', { guardianId: context.participantId }),
        guardianId: context.participantId,
        sessionId,
        createdAt: now,
        updatedAt: now,
      });
      return;
    }
    for (const s of context.students) {
      await repo.ensure({
        id: this.ctx.ids(),
        kind: 'navigator',
        period: context.period,
        subject: checkinSubject('navigator', { navigatorId: context.participantId, studentId: s.id }),
        studentId: s.id,
        navigatorId: context.participantId,
        sessionId,
        createdAt: now,
        updatedAt: now,
      });
    }
  }

  private async recipientFor(row: SessionRow, context: DialogContext): Promise<Recipient | null> {
    const roster = new RosterRepository(this.ctx.db);
    if (row.kind === 'navigator') {
      const s = await roster.staffById(row.participantId);
      if (!s) return null;
      const route = this.policy.navigatorChannel(s);
      if (!route) return null;
      return { ...route, recipientKind: 'staff', recipientId: s.id, locale: context.locale };
    }
    const g = await roster.guardian(row.participantId);
    if (!g?.phone) return null;
    // The family may have switched language since the session started.
    const locale = this.texts.resolveLocale(g.locale);
    return { channel: 'sms', recipientKind: 'guardian', recipientId: g.id, address: g.phone, locale };
  }

  private source(sessionId: string, session: Session, scriptId: string, recipient: Recipient) {
    return {
      sessionId,
      sessionVersion: session.version,
      scriptId,
      scriptVersion: session.scriptVersion,
      context: session.context,
      recipient,
      actor: `${recipient.recipientKind}:${recipient.recipientId}`,
    };
  }
}

/** The one-active-session-per-week index refused a second session (another start won the race). */
function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueViolation && err.table === 'dialog_sessions';
}
