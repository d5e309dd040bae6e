import type { AppContext } from '../context.js';
import { type Session, safeParseSession } from '../dialogs/session.js';
import type { DialogInput } from '../dialogs/types.js';
import type { Texts } from '../i18n/index.js';
import type { StaffKey } from '../i18n/staff.js';
import { localDate } from '../jobs/period.js';
import { CheckinHistoryRepository, type WeekSummary } from '../store/repositories/checkin-history.js';
import { type AnswerRow, CheckinRepository } from '../store/repositories/checkins.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import {
  type CaseloadWeek,
  canResumeWeek,
  caseloadStudents,
  caseloadWeek,
  navigatorWeek,
} from './caseload.js';
import type { CheckinOutcome } from './checkins.js';

export type { WeekSummary } from '../store/repositories/checkin-history.js';

/** What the conversation needs from the check-in service (CheckinService satisfies it). */
export interface CheckinsPort {
  startNavigator(navigatorId: string, period?: string): Promise<CheckinOutcome>;
  input(kind: 'navigator', participantId: string, input: DialogInput): Promise<CheckinOutcome>;
}

/**
 * The question a chat button or form was rendered for. An answer counts only while the session still waits on
 * that step for that student, so an old button never answers a newer question.
 * Example: `{ sessionId: 'a1b2…', stepId: 'wellbeing', studentId: 'S-1001' }`.
 */
export interface QuestionAt {
  sessionId: string;
  stepId: string;
  studentId?: string;
}

/** What the navigator is told when an action went nowhere (a staff text key). */
export type NavigatorNotice = Extract<
  StaffKey,
  'noActiveCheckin' | 'problem' | 'weekDone' | 'noStudents' | 'stale'
>;

/**
 * The result of a navigator's action. `notices`: what to tell them, in order. `caseloadChanged`: the week's
 * overview changed (a check-in started, finished or stopped), so a channel with a standing view of it
 * (Slack's App Home) refreshes it. Example: `{ notices: ['stale'], caseloadChanged: false }`.
 */
export interface NavigatorResult {
  notices: NavigatorNotice[];
  caseloadChanged: boolean;
}

/** A student as a chat shows them: first name and grade only. */
export interface StudentTitle {
  id: string;
  firstName: string;
  grade: string;
}

/** The navigator's home view: this week in detail, out of office, and the last few weeks. */
export interface NavigatorHome {
  locale: string;
  week: CaseloadWeek;
  /** Set while dates are on file that have not all passed. */
  outOfOffice: { from: string; to: string } | null;
  history: WeekSummary[];
}

/** An answer given in a check-in: its step, student and value, with the question as it was asked. */
export type SessionAnswer = AnswerRow;

const nothing = (): NavigatorResult => ({ notices: [], caseloadChanged: false });
// A student id that is not on the navigator's caseload comes from a stale or altered button: nobody may act
// on another navigator's students, so nothing is done.
const refused = (): NavigatorResult => ({ notices: ['problem'], caseloadChanged: false });

/**
 * A navigator's weekly check-in conversation, for any chat channel (Slack, Teams, the simulator): start or
 * resume the week, answer the current question (a choice, several choices, typed text), stop, check in on or
 * skip one student, ask a counselor, and the week's caseload. Channels translate the plain results.
 */
export class NavigatorConversation {
  constructor(
    private readonly ctx: AppContext,
    private readonly texts: Texts,
    private readonly checkins: CheckinsPort,
  ) {}

  /** Starts the navigator's week, or resumes it where they left off. A finished week is not opened again. */
  async startOrResume(navigator: StaffRow): Promise<NavigatorResult> {
    const period = await navigatorWeek(this.ctx.db, navigator, this.ctx.clock());
    if (!(await canResumeWeek(this.ctx.db, navigator.id, period)))
      return { notices: ['weekDone'], caseloadChanged: false };
    const outcome = await this.checkins.startNavigator(navigator.id, period);
    const notices: NavigatorNotice[] = [];
    if (!outcome.ok) notices.push(outcome.problem === 'checkin:no_students' ? 'noStudents' : 'problem');
    return { notices, caseloadChanged: true };
  }

  /** Answers the question `at` with one or more choices; refused as stale when the session moved on. */
  async choose(navigator: StaffRow, at: QuestionAt, choiceIds: string[]): Promise<NavigatorResult> {
    if (!(await this.isCurrent(navigator.id, at))) return { notices: ['stale'], caseloadChanged: false };
    return this.feed(navigator, { kind: 'choice', choiceIds });
  }

  /** Answers the question `at` with typed words (a note in a form); refused as stale when it moved on. */
  async write(navigator: StaffRow, at: QuestionAt, text: string): Promise<NavigatorResult> {
    if (!(await this.isCurrent(navigator.id, at))) return { notices: ['stale'], caseloadChanged: false };
    return this.feed(navigator, { kind: 'text', text });
  }

  /** Words the navigator typed in the conversation: the answer to whatever is asked now. */
  type(navigator: StaffRow, text: string): Promise<NavigatorResult> {
    return this.feed(navigator, { kind: 'text', text });
  }

  /** Stops for now; the week resumes later where it stopped. */
  stop(navigator: StaffRow): Promise<NavigatorResult> {
    return this.feed(navigator, { kind: 'command', command: 'stop' });
  }

  /** Marks one student of the navigator's caseload skipped this week. */
  async skipStudent(navigator: StaffRow, studentId: string): Promise<NavigatorResult> {
    if (!(await this.student(navigator, studentId))) return refused();
    return this.feed(navigator, { kind: 'command', command: 'skip_student', studentId });
  }

  /** Goes to one student of the navigator's caseload now, starting the week when none is in progress. */
  async checkInStudent(navigator: StaffRow, studentId: string): Promise<NavigatorResult> {
    if (!(await this.student(navigator, studentId))) return refused();
    const started = (await new CheckinRepository(this.ctx.db).activeSession(navigator.id, 'navigator'))
      ? nothing()
      : await this.startOrResume(navigator);
    const went = await this.feed(navigator, { kind: 'command', command: 'goto_student', studentId });
    return {
      notices: [...started.notices, ...went.notices],
      caseloadChanged: started.caseloadChanged || went.caseloadChanged,
    };
  }

  /**
   * Asks a counselor for help, about one student of the navigator's caseload or in general, with an optional
   * note. The escalation is raised by the check-in's own rules (routing, deadline).
   */
  async askCounselor(
    navigator: StaffRow,
    studentId: string | undefined,
    note: string | undefined,
  ): Promise<NavigatorResult> {
    if (studentId && !(await this.student(navigator, studentId))) return refused();
    return this.feed(navigator, {
      kind: 'command',
      command: 'ask_counselor',
      ...(studentId ? { studentId } : {}),
      ...(note ? { note } : {}),
    });
  }

  /** A student of the navigator's caseload, to title a form about them; undefined for anyone else's. */
  async student(navigator: StaffRow, studentId: string): Promise<StudentTitle | undefined> {
    const s = (await new RosterRepository(this.ctx.db).caseloadOf(navigator.id)).find(
      (c) => c.id === studentId,
    );
    return s ? { id: s.id, firstName: s.firstName, grade: s.grade } : undefined;
  }

  /** This week's caseload: status and family reach per student; `details` adds needs, escalations, notes. */
  async caseload(navigator: StaffRow, options: { details?: boolean } = {}): Promise<CaseloadWeek> {
    const now = this.ctx.clock();
    return caseloadWeek(this.ctx.db, this.texts, {
      navigator,
      period: await navigatorWeek(this.ctx.db, navigator, now),
      locale: this.texts.resolveLocale(navigator.locale),
      now,
      ...(options.details ? { details: true } : {}),
    });
  }

  /** The home view of a staff member, or null when they are not in the roster. */
  async home(staffId: string): Promise<NavigatorHome | null> {
    const navigator = await new RosterRepository(this.ctx.db).staffById(staffId);
    if (!navigator) return null;
    const week = await this.caseload(navigator, { details: true });
    const today = localDate(this.ctx.clock(), navigator.timezone);
    const { oooFrom: from, oooTo: to } = navigator;
    return {
      locale: this.texts.resolveLocale(navigator.locale),
      week,
      outOfOffice: from && to && to >= today ? { from, to } : null,
      history: await new CheckinHistoryRepository(this.ctx.db).weeksBefore(navigator.id, week.period),
    };
  }

  /**
   * The caseload a week's opening (or closing) message lists: the week and students of the navigator whose
   * session it is, or null when the session is not theirs.
   */
  async sessionCaseload(
    sessionId: string,
    navigatorId: string,
    locale: string,
  ): Promise<Omit<CaseloadWeek, 'canResume'> | null> {
    const row = await new CheckinRepository(this.ctx.db).session(sessionId);
    if (row?.kind !== 'navigator' || row.participantId !== navigatorId) return null;
    const students = await caseloadStudents(this.ctx.db, this.texts, {
      navigatorId,
      period: row.period,
      locale,
      now: this.ctx.clock(),
    });
    return { period: row.period, students };
  }

  /** A session's state, for rendering the messages it sent; null when it is gone or unreadable. */
  async session(sessionId: string): Promise<Session | null> {
    const row = await new CheckinRepository(this.ctx.db).session(sessionId);
    return row ? safeParseSession(row.state) : null;
  }

  /** Every answer given in a session, oldest first. */
  answers(sessionId: string): Promise<SessionAnswer[]> {
    return new CheckinRepository(this.ctx.db).answersForSession(sessionId);
  }

  /** True while the navigator's session still waits on the step (and student) a question was shown for. */
  private async isCurrent(navigatorId: string, at: QuestionAt): Promise<boolean> {
    const row = await new CheckinRepository(this.ctx.db).activeSession(navigatorId, 'navigator');
    const session = row && row.id === at.sessionId ? safeParseSession(row.state) : null;
    if (!session || session.position.stepId !== at.stepId) return false;
    if (!at.studentId) return true;
    return (
      session.position.section === 'student' &&
      session.context.students[session.position.studentIndex]?.id === at.studentId
    );
  }

  /** Feeds an input to the navigator's session; says why when it went nowhere. */
  private async feed(navigator: StaffRow, input: DialogInput): Promise<NavigatorResult> {
    const outcome = await this.checkins.input('navigator', navigator.id, input);
    if (!outcome.ok) {
      // A conflict is a double click or a retried request that lost the race: the winner already answered.
      if (outcome.problem === 'checkin:conflict') return nothing();
      return {
        notices: [outcome.problem === 'checkin:no_active_session' ? 'noActiveCheckin' : 'problem'],
        caseloadChanged: false,
      };
    }
    return { notices: [], caseloadChanged: outcome.applied.completed || input.kind === 'command' };
  }
}
