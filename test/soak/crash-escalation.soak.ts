import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, count, eq, inArray, isNotNull } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { ESCALATION_CLIMB, ESCALATION_DEADLINE, ESCALATION_DUE_MS } from '../../src/services/escalations.js';
import { REPLY_PURPOSE } from '../../src/sms/consent.js';
import { engineOf, openDatabase } from '../../src/store/db.js';
import {
  auditLog,
  escalations,
  guardians,
  inboundEvents,
  outbox,
  timers,
} from '../../src/store/schema/index.js';
import { type Child, kill, startChild } from './child.js';
import { figure } from './figures.js';

const T0 = Date.parse('2026-11-24T16:00:00Z');
// 1 real ms = 1 injected second: an urgent escalation's 30-minute deadline passes 1.8 s after its text, and
// the lead navigators' step 1.8 s after that.
const SPEED = 1_000;
const KILLS = 8;
const dir = mkdtempSync(join(tmpdir(), 'crash-escalation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGKILL at random points during escalation chains', () => {
  it('crisis text → escalation → deadline → reminder → overdue notice: each once, every step fired', async () => {
    const dbPath = join(dir, 'chain.db');
    const seedCtx = {
      config: loadConfig({ DATABASE_URL: `file:${dbPath}` }),
      db: openDatabase(dbPath),
      logger: createLogger({ level: 'silent' }),
      clock: fixedClock(T0 - 60_000),
      ids: sequentialIds('seed'),
    };
    await seedDemoRoster(seedCtx);
    // One guardian per phone: a shared phone is another question (which family wrote), not this soak's.
    const byPhone = new Map<string, number>();
    for (const g of engineOf(seedCtx.db).select().from(guardians).where(isNotNull(guardians.phone)).all())
      byPhone.set(g.phone!, (byPhone.get(g.phone!) ?? 0) + 1);
    const phones = [...byPhone].filter(([, n]) => n === 1).map(([p]) => p);
    await seedCtx.db.close();
    const env = {
      DB_PATH: dbPath,
      EPOCH: String(Date.now()),
      T0: String(T0),
      SPEED: String(SPEED),
      PHONES: phones.join(','),
    };
    // One reading connection for the whole run (WAL: it never blocks the process under test).
    const db = openDatabase(dbPath, { migrate: false });
    const q = engineOf(db);
    const progress = () => {
      const escalated = q.select({ n: count() }).from(escalations).get()!.n;
      const fired = q
        .select({ n: count() })
        .from(timers)
        .where(and(inArray(timers.kind, [ESCALATION_DEADLINE, ESCALATION_CLIMB]), eq(timers.status, 'fired')))
        .get()!.n;
      return { escalated, fired, done: escalated + fired };
    };
    // Kill points spread over the chain's whole course, by how far it has got (texts handled plus both steps
    // fired), then a random few ms into the next step: mid-text, mid-timer and between them alike.
    const targets = Array.from({ length: KILLS }, () => Math.floor(Math.random() * 3 * phones.length)).sort(
      (a, b) => a - b,
    );
    const atKills: string[] = [];
    for (const target of targets) {
      const c: Child = await startChild('escalation-chain', env);
      for (let waited = 0; progress().done < target && waited < 20_000; waited += 2) await sleep(2);
      await sleep(Math.floor(Math.random() * 12));
      await kill(c);
      const s = progress();
      atKills.push(`${s.escalated}e${s.fired}t`);
    }
    const last = await startChild('escalation-chain', env);
    for (let waited = 0; waited < 30_000 && progress().done < 3 * phones.length; waited += 50)
      await sleep(50);
    await kill(last);

    const rows = q.select().from(outbox).all();
    const deadlines = q.select().from(timers).where(eq(timers.kind, ESCALATION_DEADLINE)).all();
    const climbs = q.select().from(timers).where(eq(timers.kind, ESCALATION_CLIMB)).all();
    const all = q.select().from(escalations).all();
    const events = q.select().from(inboundEvents).all();
    const overdueAudits = q
      .select({ n: count() })
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'escalation'), eq(auditLog.action, 'overdue')))
      .get()!.n;
    await db.close();
    const overdue = rows.filter((r) => r.purpose === 'escalation:overdue');
    const reminders = rows.filter((r) => r.purpose === 'escalation:reminder');
    const overdueBy = new Map<string, number>();
    for (const r of overdue) {
      const id = r.origin?.escalationId ?? '';
      overdueBy.set(id, (overdueBy.get(id) ?? 0) + 1);
    }
    const replies = rows.filter((r) => r.purpose === REPLY_PURPOSE.crisis);
    const noticed = new Set(
      rows.filter((r) => r.purpose === 'escalation:new').map((r) => r.origin?.escalationId),
    );
    const leadsPerSchool = new Set(overdueBy.values());
    figure('crash-escalation', {
      chains: phones.length,
      sigkills: KILLS,
      atKills: atKills.join('/'),
      escalations: all.length,
      deadlinesFired: deadlines.filter((t) => t.status === 'fired').length,
      climbsFired: climbs.filter((t) => t.status === 'fired').length,
      reminders: reminders.length,
      overdueNotices: overdue.length,
      overdueHandlerRuns: overdueAudits,
      crisisReplies: replies.length,
      duplicates: all.length - new Set(all.map((x) => x.guardianId)).size,
    });
    expect(events.filter((x) => x.status === 'processed')).toHaveLength(phones.length);
    // One escalation, one urgent reply and one counselor notice round per crisis text.
    expect(all).toHaveLength(phones.length);
    expect(new Set(all.map((x) => x.guardianId)).size).toBe(phones.length);
    expect(replies).toHaveLength(phones.length);
    expect(new Set(replies.map((r) => r.address)).size).toBe(phones.length);
    expect(all.every((x) => noticed.has(x.id))).toBe(true);
    // Every step set once per escalation and fired, not before it was due.
    expect(deadlines).toHaveLength(phones.length);
    expect(climbs).toHaveLength(phones.length);
    for (const t of [...deadlines, ...climbs]) {
      expect(t.status).toBe('fired');
      expect(t.firedAt!).toBeGreaterThanOrEqual(t.fireAt);
    }
    expect(all.every((x) => x.dueAt === x.createdAt + ESCALATION_DUE_MS.urgent)).toBe(true);
    // The counselor reminded once per escalation at step 1 (each demo school has one counselor).
    expect(reminders).toHaveLength(phones.length);
    expect(new Set(reminders.map((r) => r.idempotencyKey)).size).toBe(phones.length);
    // Every escalation's overdue notice queued, once per lead navigator: no escalation has more rows than
    // another school's escalation has (the demo schools have the same number of leads).
    expect(all.every((x) => (overdueBy.get(x.id) ?? 0) > 0)).toBe(true);
    expect(overdue.length).toBe(new Set(overdue.map((r) => r.idempotencyKey)).size);
    expect(leadsPerSchool.size).toBe(1);
    expect(overdueAudits).toBeGreaterThanOrEqual(phones.length);
  });
});
