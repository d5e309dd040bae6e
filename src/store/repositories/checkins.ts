import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import type { answers, checkins, dialogSessions, strengths } from '../schema/index.js';
import { Repository, setLater } from '../store.js';

export type CheckinRow = typeof checkins.$inferSelect;
export type SessionRow = typeof dialogSessions.$inferSelect;
export type AnswerRow = typeof answers.$inferSelect;
export type CheckinStatus = CheckinRow['status'];

/** 'nav:<navigatorId>:<studentId>' or 'fam:<guardianId>': what makes a check-in unique in its week. */
export function checkinSubject(
  kind: 'navigator' | 'family',
  ids: { navigatorId?: string; studentId?: string; guardianId?: string },
): string {
  return kind === 'navigator' ? `nav:${ids.navigatorId}:${ids.studentId}` : `fam:${ids.guardianId}`;
}

/** Check-ins, their dialog sessions, answers and strengths. */
export class CheckinRepository extends Repository {
  constructor(handle: DbOrTx) {
    super(handle);
  }

  /** Creates the check-in for a subject and week if it does not exist yet; returns the row either way. */
  async ensure(row: Omit<typeof checkins.$inferInsert, 'status'>): Promise<CheckinRow> {
    const { checkins } = this.t;
    await this.db.insert(checkins).values(row).onConflictDoNothing();
    return (
      await this.db
        .select()
        .from(checkins)
        .where(and(eq(checkins.period, row.period), eq(checkins.subject, row.subject)))
    )[0]!;
  }

  async get(period: string, subject: string): Promise<CheckinRow | undefined> {
    const { checkins } = this.t;
    // Read for every answer: compiled once.
    const query = this.prepared<CheckinRow[]>('checkins_by_subject', () =>
      this.db
        .select()
        .from(checkins)
        .where(
          and(
            eq(checkins.period, sql.placeholder('period')),
            eq(checkins.subject, sql.placeholder('subject')),
          ),
        ),
    );
    return (await query.execute({ period, subject }))[0];
  }

  /** Moves a check-in to a new status; completed and skipped are final, missed only replaces open states. */
  async setStatus(
    period: string,
    subject: string,
    status: CheckinStatus,
    at: number,
    sessionId?: string,
  ): Promise<boolean> {
    const current = await this.get(period, subject);
    if (!current) return false;
    if (current.status === status) return false;
    if (current.status === 'completed' || current.status === 'skipped') return false;
    const { checkins } = this.t;
    await this.db
      .update(checkins)
      .set({
        status,
        updatedAt: at,
        ...(status === 'in_progress' && !current.startedAt ? { startedAt: at } : {}),
        ...(status === 'completed' ? { completedAt: at } : {}),
        ...(sessionId ? { sessionId } : {}),
      })
      .where(eq(checkins.id, current.id));
    return true;
  }

  async forNavigator(navigatorId: string, period: string): Promise<CheckinRow[]> {
    const { checkins } = this.t;
    return await this.db
      .select()
      .from(checkins)
      .where(and(eq(checkins.navigatorId, navigatorId), eq(checkins.period, period)));
  }

  async forPeriod(period: string, kind?: 'navigator' | 'family'): Promise<CheckinRow[]> {
    const { checkins } = this.t;
    return await this.db
      .select()
      .from(checkins)
      .where(kind ? and(eq(checkins.period, period), eq(checkins.kind, kind)) : eq(checkins.period, period));
  }

  /** Marks every still-open check-in of a navigator's week as missed (or skipped when out of office). */
  async closeOpen(
    navigatorId: string,
    period: string,
    status: 'missed' | 'skipped',
    at: number,
  ): Promise<number> {
    const { checkins } = this.t;
    const result = await this.db
      .update(checkins)
      .set({ status, updatedAt: at })
      .where(
        and(
          eq(checkins.navigatorId, navigatorId),
          eq(checkins.period, period),
          inArray(checkins.status, ['pending', 'in_progress']),
        ),
      );
    return this.dialect.affected(result);
  }

  // --- sessions -------------------------------------------------------------------------------------

  async insertSession(row: typeof dialogSessions.$inferInsert): Promise<void> {
    await this.db.insert(this.t.dialogSessions).values(row);
  }

  /** Saves a session only if nobody changed it since `expectedVersion` (optimistic concurrency). */
  async saveSession(
    id: string,
    expectedVersion: number,
    patch: Pick<SessionRow, 'state' | 'version' | 'status' | 'updatedAt' | 'scriptVersion'>,
  ): Promise<boolean> {
    const { dialogSessions } = this.t;
    const p = (name: string) => sql.placeholder(name);
    // Every answer saves its session: compiled once.
    const query = this.prepared<unknown>('checkins_save_session', () =>
      this.db
        .update(dialogSessions)
        .set({
          state: setLater<SessionRow['state']>('state'),
          version: setLater<number>('version'),
          status: setLater<SessionRow['status']>('status'),
          scriptVersion: setLater<number>('scriptVersion'),
          updatedAt: setLater<number>('updatedAt'),
        })
        .where(and(eq(dialogSessions.id, p('id')), eq(dialogSessions.version, p('expectedVersion')))),
    );
    const r = await query.execute({
      state: patch.state,
      version: patch.version,
      status: patch.status,
      scriptVersion: patch.scriptVersion,
      updatedAt: patch.updatedAt,
      id,
      expectedVersion,
    });
    return this.dialect.affected(r) === 1;
  }

  async session(id: string): Promise<SessionRow | undefined> {
    const { dialogSessions } = this.t;
    return (await this.db.select().from(dialogSessions).where(eq(dialogSessions.id, id)))[0];
  }

  /** The participant's session for a week, newest first (active or not). */
  async sessionFor(
    participantId: string,
    kind: 'navigator' | 'family',
    period: string,
  ): Promise<SessionRow | undefined> {
    const { dialogSessions } = this.t;
    return (
      await this.db
        .select()
        .from(dialogSessions)
        .where(
          and(
            eq(dialogSessions.participantId, participantId),
            eq(dialogSessions.kind, kind),
            eq(dialogSessions.period, period),
          ),
        )
        .orderBy(desc(dialogSessions.createdAt))
        .limit(1)
    )[0];
  }

  async activeSession(participantId: string, kind: 'navigator' | 'family'): Promise<SessionRow | undefined> {
    const { dialogSessions } = this.t;
    // Read for every text and click: compiled once.
    const query = this.prepared<SessionRow[]>('checkins_active_session', () =>
      this.db
        .select()
        .from(dialogSessions)
        .where(
          and(
            eq(dialogSessions.participantId, sql.placeholder('participantId')),
            eq(dialogSessions.kind, sql.placeholder('kind')),
            eq(dialogSessions.status, 'active'),
          ),
        )
        .orderBy(desc(dialogSessions.createdAt))
        .limit(1),
    );
    return (await query.execute({ participantId, kind }))[0];
  }

  /** How many earlier weeks this participant had a session: the programme week is this plus one. */
  async weeksBefore(participantId: string, kind: 'navigator' | 'family', period: string): Promise<number> {
    const { dialogSessions } = this.t;
    const [row] = await this.db
      .select({ n: sql<number>`count(distinct ${dialogSessions.period})`.mapWith(Number) })
      .from(dialogSessions)
      .where(
        and(
          eq(dialogSessions.participantId, participantId),
          eq(dialogSessions.kind, kind),
          sql`${dialogSessions.period} < ${period}`,
        ),
      );
    return row?.n ?? 0;
  }

  // --- answers and strengths ------------------------------------------------------------------------

  async insertAnswer(row: typeof answers.$inferInsert): Promise<void> {
    const p = (name: string) => sql.placeholder(name);
    // Every answer is a row: compiled once.
    const query = this.prepared<unknown>('checkins_insert_answer', () =>
      this.db.insert(this.t.answers).values({
        id: p('id'),
        checkinId: p('checkinId'),
        sessionId: p('sessionId'),
        studentId: p('studentId'),
        stepId: p('stepId'),
        questionKey: p('questionKey'),
        questionText: p('questionText'),
        locale: p('locale'),
        scriptId: p('scriptId'),
        scriptVersion: p('scriptVersion'),
        value: p('value'),
        rawText: p('rawText'),
        answeredBy: p('answeredBy'),
        answeredAt: p('answeredAt'),
      }),
    );
    await query.execute({
      ...row,
      checkinId: row.checkinId ?? null,
      studentId: row.studentId ?? null,
      value: row.value ?? null,
      rawText: row.rawText ?? null,
    });
  }

  async answersForSession(sessionId: string): Promise<AnswerRow[]> {
    const { answers } = this.t;
    return await this.db
      .select()
      .from(answers)
      .where(eq(answers.sessionId, sessionId))
      .orderBy(answers.answeredAt);
  }

  async answersForStudent(studentId: string, limit = 50): Promise<AnswerRow[]> {
    const { answers } = this.t;
    return await this.db
      .select()
      .from(answers)
      .where(eq(answers.studentId, studentId))
      .orderBy(desc(answers.answeredAt))
      .limit(limit);
  }

  async insertStrength(row: typeof strengths.$inferInsert): Promise<void> {
    await this.db.insert(this.t.strengths).values(row);
  }

  async strengthsOf(studentId: string): Promise<(typeof strengths.$inferSelect)[]> {
    const { strengths } = this.t;
    return await this.db.select().from(strengths).where(eq(strengths.studentId, studentId));
  }
}
