import { seedDemoRoster } from '../../src/demo/seed.js';
import { raiseEscalation } from '../../src/services/escalations.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { RosterRepository, type StudentRow } from '../../src/store/repositories/roster.js';
import { testContext } from '../helpers/context.js';

// The demo roster (Riverside: lead-1, counselor-1, nav-1, nav-2; Bayview: lead-2, counselor-2 in Spanish, nav-3,
// nav-4) plus a second Riverside counselor and a district-level counselor, for backup and reassignment.

export type SceneContext = Awaited<ReturnType<typeof testContext>>;

/** A seeded context at `now`, with counselor-3 (Riverside) and counselor-d (district, no school). */
export async function escalationScene(now: number, env?: Record<string, string>) {
  const ctx = await testContext({ now, ...(env ? { env } : {}) });
  await seedDemoRoster(ctx);
  const roster = new RosterRepository(ctx.db);
  const by = { actor: 'test', at: now };
  const extra = { slackUserId: null, teamsUserId: null, timezone: 'America/Chicago', locale: 'en' };
  await roster.upsertStaff(
    {
      id: 'counselor-3',
      schoolId: 'sch-riverside',
      name: 'Lena Park',
      email: 'lpark@example.org',
      role: 'counselor',
      ...extra,
    },
    by,
  );
  await roster.upsertStaff(
    {
      id: 'counselor-d',
      schoolId: null,
      name: 'Omar Haddad',
      email: 'ohaddad@example.org',
      role: 'counselor',
      ...extra,
    },
    by,
  );
  const student = (await roster.caseloadOf('nav-2'))[0]!;
  return { ctx, student };
}

/** nav-2 raises an escalation about their Riverside student, with a private note. */
export async function raise(ctx: SceneContext, student: StudentRow, urgent = false) {
  const row = await ctx.db.transaction((tx) =>
    raiseEscalation(tx, ctx, {
      studentId: student.id,
      trigger: urgent ? 'self_harm' : 'navigator_request',
      urgent,
      source: 'navigator',
      raisedBy: 'staff:nav-2',
      summary: `navigator_request for ${student.id}`,
      note: 'Talked about not wanting to go home',
    }),
  );
  return (await new NeedRepository(ctx.db).escalation(row.id))!;
}
