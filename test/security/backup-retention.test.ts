import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../src/cli/commands/db.js';
import { retentionRun } from '../../src/cli/commands/retention.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import {
  RETENTION_RUN,
  retentionTimerHandlers,
  runRetention,
  scheduleRetention,
} from '../../src/services/retention.js';
import { engineOf, openDatabase } from '../../src/store/db.js';
import { OutboxRepository, outboxKey } from '../../src/store/repositories/outbox.js';
import { REDACTED } from '../../src/store/repositories/retention.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { auditLog, familyTexts, outbox as outboxTable } from '../../src/store/schema/index.js';

const NOW = Date.parse('2026-11-24T18:00:00Z');
const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fileContext(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'retention-'));
  dirs.push(dir);
  const path = join(dir, 'svc.db');
  const ctx: AppContext & { clock: ReturnType<typeof fixedClock> } = {
    config: loadConfig({ DATABASE_URL: `file:${path}`, ...env }),
    db: openDatabase(path),
    logger: createLogger({ level: 'silent' }),
    clock: fixedClock(NOW),
    ids: sequentialIds('r'),
  };
  return { ctx, dir, path };
}

async function seedHistory(ctx: AppContext) {
  const outbox = new OutboxRepository(ctx.db);
  for (const [n, age, status] of [
    [1, 400, 'sent'],
    [2, 10, 'sent'],
    [3, 400, 'pending'],
  ] as const) {
    const id = `o-${n}`;
    await outbox.enqueue({
      id,
      idempotencyKey: outboxKey({ recipient: `g-${n}`, purpose: 'family_checkin', period: String(n) }),
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: `g-${n}`,
      address: '+15550100000',
      purpose: 'family_checkin',
      locale: 'en',
      payload: { key: 'family.checkin' },
      body: `Body ${n}`,
      createdAt: NOW - age * DAY,
    });
    if (status === 'sent') await outbox.markSent(id, NOW - age * DAY, null);
  }
  const engine = engineOf(ctx.db);
  for (const [n, age] of [
    [1, 400],
    [2, 10],
  ] as const)
    engine
      .insert(familyTexts)
      .values({
        id: `t-${n}`,
        channel: 'sms',
        eventId: `SM${n}`,
        address: '+15550100000',
        body: `My son is sad ${n}`,
        meaning: 'note',
        receivedAt: NOW - age * DAY,
      })
      .run();
  for (const years of [8, 1])
    engine
      .insert(auditLog)
      .values({ at: NOW - years * 366 * DAY, actor: 't', entity: 'x', entityId: String(years), action: 'a' })
      .run();
}

describe('retention policy', () => {
  it('dry run counts, the run redacts old bodies and deletes old audit entries, a second run changes nothing', async () => {
    const { ctx } = fileContext();
    await seedHistory(ctx);
    const dry = await retentionRun(ctx, true);
    expect(dry).toContain(
      'Would redact message bodies from before 2025-11-24: 1 sent, 1 family texts, 0 family messages.',
    );
    expect(dry).toContain('Would delete 1 audit entries from before 2019-11-25.');
    expect((await new OutboxRepository(ctx.db).get('o-1'))!.body).toBe('Body 1');

    const report = await runRetention(ctx);
    expect(report.counts).toEqual({
      outboxBodies: 1,
      familyTexts: 1,
      familyMessages: 0,
      escalationNotes: 0,
      referralReasons: 0,
      auditEntries: 1,
    });
    const outbox = new OutboxRepository(ctx.db);
    expect((await outbox.get('o-1'))!.body).toBeNull();
    expect((await outbox.get('o-2'))!.body).toBe('Body 2');
    // A message still waiting to be sent keeps its words, however old.
    expect((await outbox.get('o-3'))!.body).toBe('Body 3');
    const texts = engineOf(ctx.db).select().from(familyTexts).all();
    expect(texts.map((t) => t.body).sort()).toEqual(['My son is sad 2', REDACTED]);
    expect(
      engineOf(ctx.db)
        .select()
        .from(auditLog)
        .all()
        .map((a) => a.entityId),
    ).toEqual(['1']);
    expect((await runRetention(ctx)).counts).toEqual({
      outboxBodies: 0,
      familyTexts: 0,
      familyMessages: 0,
      escalationNotes: 0,
      referralReasons: 0,
      auditEntries: 0,
    });
    await ctx.db.close();
  });

  it('is configurable and runs as a nightly timer that sets the next one', async () => {
    const { ctx } = fileContext({ RETENTION_MESSAGE_DAYS: '5', RETENTION_AUDIT_YEARS: '10' });
    await seedHistory(ctx);
    await scheduleRetention(ctx);
    const timers = new TimerRepository(ctx.db);
    const first = (await timers.list({ status: 'pending' })).find((t) => t.kind === RETENTION_RUN)!;
    expect(new Date(first.fireAt).toISOString()).toBe('2026-11-25T03:00:00.000Z');
    ctx.clock.set(first.fireAt);
    const outcome = await retentionTimerHandlers()[RETENTION_RUN]!(first, ctx);
    // 5 days: both sent bodies and both family texts; 10 years: no audit entry yet.
    expect(outcome).toBe('redacted:4,audit_deleted:0');
    const next = (await timers.list({ status: 'pending' })).filter((t) => t.kind === RETENTION_RUN);
    expect(next.map((t) => new Date(t.fireAt).toISOString())).toContain('2026-11-26T03:00:00.000Z');
    await ctx.db.close();
  });
});

describe('db backup', () => {
  it('copies the database while it is open and checks the copy', async () => {
    const { ctx, dir } = fileContext();
    await seedHistory(ctx);
    const out = await backupDatabase(ctx, join(dir, 'backups', 'copy.db'));
    expect(out).toMatch(/^Backup written to .*copy\.db \(\d+ pages\); integrity check: ok\./);
    const copy = openDatabase(join(dir, 'backups', 'copy.db'));
    expect((await new OutboxRepository(copy).get('o-1'))!.body).toBe('Body 1');
    expect(await new RosterRepository(copy).staffList()).toEqual([]);
    await copy.close();
    await ctx.db.close();
  });

  it('npm run cli -- db backup <file> and retention run --dry-run from the command line', () => {
    const { dir, path } = fileContext();
    const run = (...args: string[]) =>
      spawnSync(resolve('node_modules/.bin/tsx'), ['src/cli/index.ts', ...args], {
        env: { PATH: process.env.PATH, DATABASE_URL: `file:${path}`, LOG_LEVEL: 'error' },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const backup = run('db', 'backup', join(dir, 'nightly.db'));
    expect(backup.stdout).toContain('integrity check: ok');
    expect(backup.status).toBe(0);
    const dry = run('retention', 'run', '--dry-run');
    expect(dry.stdout).toContain('Would redact message bodies');
    expect(dry.status).toBe(0);
  }, 45_000);
});

describe('retention of message parameters', () => {
  // The words of a message live in its parameters too: a Slack card has no stored body at all, only
  // `{ name, note }`, so redacting the body alone would keep a family's note for ever.
  it('redacts personal parameters with the body and keeps text keys, ids and counts', async () => {
    const { ctx } = fileContext();
    const outbox = new OutboxRepository(ctx.db);
    const old = NOW - 400 * DAY;
    const rows: Array<[string, 'sms' | 'slack', string | null, Record<string, unknown>, boolean]> = [
      [
        'note',
        'slack',
        null,
        {
          key: 'navigator.family_note',
          params: { name: 'Ana', note: 'My son is sad since his dad left' },
          choices: [{ id: 'ack', labelKey: 'navigator.ack', params: { name: 'Ana', count: 2 } }],
          extraKeys: ['navigator.hint'],
        },
        true,
      ],
      [
        'escalation',
        'slack',
        null,
        {
          key: 'staff.escalation_new',
          params: {
            id: 'E1A2B3C4',
            who: 'A. D., grade 5',
            trigger: { key: 'common.trigger.self_harm' },
            urgency: { key: 'common.urgency.urgent' },
          },
        },
        true,
      ],
      [
        'alert',
        'slack',
        null,
        { key: 'admin.dead', params: { id: 'o-9', channel: 'sms', purpose: 'x', dead: 3 } },
        true,
      ],
      [
        'crisis',
        'sms',
        'Ana, call 988 now',
        { key: 'family.crisis', params: { school: 'Lincoln', phone: '555' } },
        true,
      ],
      [
        'recent',
        'slack',
        null,
        { key: 'navigator.family_note', params: { name: 'Ben', note: 'fine' } },
        false,
      ],
    ];
    for (const [n, channel, body, payload, isOld] of rows) {
      await outbox.enqueue({
        id: n,
        idempotencyKey: outboxKey({ recipient: n, purpose: 'p', period: 'w' }),
        channel,
        recipientKind: channel === 'sms' ? 'guardian' : 'staff',
        recipientId: n,
        address: channel === 'sms' ? '+15550100000' : 'D1',
        purpose: 'p',
        locale: 'en',
        payload: payload as never,
        ...(body ? { body } : {}),
        createdAt: isOld ? old : NOW - DAY,
      });
      await outbox.markSent(n, isOld ? old : NOW - DAY, null);
    }
    const dry = await runRetention(ctx, { dryRun: true });
    // The alert holds no words (ids, channel, purpose, a count): nothing to redact there.
    expect(dry.counts.outboxBodies).toBe(3);
    const report = await runRetention(ctx);
    expect(report.counts.outboxBodies).toBe(3);
    const payload = async (id: string) => (await outbox.get(id))!.payload;
    expect(await payload('note')).toEqual({
      key: 'navigator.family_note',
      params: { name: REDACTED, note: REDACTED },
      choices: [{ id: 'ack', labelKey: 'navigator.ack', params: { name: REDACTED, count: 2 } }],
      extraKeys: ['navigator.hint'],
    });
    expect(await payload('escalation')).toEqual({
      key: 'staff.escalation_new',
      params: {
        id: 'E1A2B3C4',
        who: REDACTED,
        trigger: { key: 'common.trigger.self_harm' },
        urgency: { key: 'common.urgency.urgent' },
      },
    });
    expect(await payload('alert')).toEqual(rows[2]![3]);
    expect(await outbox.get('crisis')).toMatchObject({
      body: null,
      payload: { key: 'family.crisis', params: { school: REDACTED, phone: REDACTED } },
    });
    expect(await payload('recent')).toEqual(rows[4]![3]);
    const stored = JSON.stringify(engineOf(ctx.db).select().from(outboxTable).all());
    for (const words of ['sad', 'Ana', 'A. D.', 'Lincoln', '988']) expect(stored).not.toContain(words);
    expect((await runRetention(ctx)).counts.outboxBodies).toBe(0);
    await ctx.db.close();
  });
});
