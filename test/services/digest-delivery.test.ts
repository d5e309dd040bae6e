import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import { createTimerRunner, timerKinds } from '../../src/jobs/timer-runner.js';
import { DIGEST_TIMER_KIND, plannedTimerKey, planWeek } from '../../src/jobs/weekly-plan.js';
import type { MessagePayload } from '../../src/messages.js';
import { DIGEST_PURPOSE, digestTimerHandlers, sendSchoolDigest } from '../../src/services/digest-delivery.js';
import { engineOf } from '../../src/store/db.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { testContext } from '../helpers/context.js';
import { rowsOf, tablesOf } from '../helpers/tables.js';

const W = '2026-W48';
const SCHOOL = 'sch-riverside';

async function setup() {
  const ctx = await testContext({ now: Date.parse('2026-11-22T12:00:00Z') });
  await seedDemoRoster(ctx);
  return ctx;
}

const digestRows = async (ctx: Awaited<ReturnType<typeof setup>>) =>
  (await rowsOf(ctx.db, 'outbox')).filter((row) => row.purpose === DIGEST_PURPOSE);

describe('weekly digest delivery', () => {
  it('is planned for Friday 15:00 school time, once per school and week', async () => {
    const ctx = await setup();
    expect((await planWeek(ctx, SCHOOL, W)).digest).toBe('created');
    expect((await planWeek(ctx, SCHOOL, W)).digest).toBe('existing');
    const timer = await new TimerRepository(ctx.db).getByKey(plannedTimerKey(DIGEST_TIMER_KIND, SCHOOL, W));
    expect(timer).toMatchObject({ kind: DIGEST_TIMER_KIND, payload: { schoolId: SCHOOL, period: W } });
    // Chicago is UTC-6 in November.
    expect(new Date(timer!.fireAt).toISOString()).toBe('2026-11-27T21:00:00.000Z');
  });

  it('sends the lead navigator counts only, once, however often the timer fires', async () => {
    const ctx = await setup();
    await planWeek(ctx, SCHOOL, W);
    ctx.clock.set(Date.parse('2026-11-27T21:00:00Z'));
    const runner = createTimerRunner({ ctx, handlers: timerKinds(digestTimerHandlers()) });
    const key = plannedTimerKey(DIGEST_TIMER_KIND, SCHOOL, W);
    expect((await runner.fireNow([key])).log).toEqual([`${DIGEST_TIMER_KIND} ${key} → fired:sent:1`]);
    // A second timer for the same school and week (a re-plan under another key, a second instance) sends nothing.
    await TimerRepository.schedule(ctx.db, {
      id: 'again',
      kind: DIGEST_TIMER_KIND,
      uniqueKey: `${key}|again`,
      fireAt: ctx.clock(),
      payload: { schoolId: SCHOOL, period: W },
      createdAt: ctx.clock(),
    });
    expect((await runner.fireNow([`${key}|again`])).log[0]).toMatch(/fired:sent:0$/);
    expect(await sendSchoolDigest(ctx, SCHOOL, W)).toBe('sent:0');

    const rows = await digestRows(ctx);
    expect(rows.map((r) => [r.recipientId, r.channel])).toEqual([['lead-1', 'local']]);
    const payload = rows[0]!.payload as MessagePayload;
    expect(payload.key).toBe('digest.weekly');
    expect(payload.params).toMatchObject({ school: 'Riverside Middle School', week: W, navigators: 2 });
    const students = await new RosterRepository(ctx.db).studentList();
    const text = JSON.stringify(payload);
    for (const s of students) expect(text).not.toContain(s.firstName);

    const texts = createTexts({ defaultLocale: 'en' });
    expect(texts.render(payload, 'en').text).toContain('Weekly digest for Riverside Middle School, 2026-W48');
    expect(texts.render(payload, 'es').text).toContain('Resumen semanal de Riverside Middle School');
    expect(texts.counters.missingKey).toBe(0);
  });

  it('reports a school without a lead navigator instead of sending to nobody', async () => {
    const ctx = await setup();
    const { staff } = tablesOf(ctx.db);
    await engineOf(ctx.db).update(staff).set({ active: false }).where(eq(staff.id, 'lead-1'));
    expect(await sendSchoolDigest(ctx, SCHOOL, W)).toBe('skipped:no_lead_navigator');
    expect(await sendSchoolDigest(ctx, 'nope', W)).toBe('skipped:unknown_school');
    expect(await digestRows(ctx)).toHaveLength(0);
  });
});
