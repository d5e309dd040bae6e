import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getTableName } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyToPostgres } from '../../src/cli/commands/db.js';
import { CommandError } from '../../src/cli/format.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { CheckinService } from '../../src/services/checkins.js';
import { CopyError, copyDatabase, countRows, tablesInCopyOrder } from '../../src/store/copy.js';
import { type Db, engineOf, openDatabase, type SqliteStore } from '../../src/store/db.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { OutboxRepository, outboxKey } from '../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { TimerRepository } from '../../src/store/repositories/timers.js';
import { outbox } from '../../src/store/schema/index.js';
import {
  admin,
  openPostgresTestDatabase,
  SKIP_MESSAGE,
  TEST_DATABASE_URL,
  urlOf,
} from '../helpers/postgres.js';

// Tuesday 2026-11-24, 15:00 UTC: week 2026-W48 in the demo district.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const WEEK = '2026-W48';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A district on a SQLite file, made through the services: roster import, a check-in week, texts, timers. */
async function district(): Promise<{ ctx: AppContext; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'copy-'));
  dirs.push(dir);
  const path = join(dir, 'district.db');
  const ctx: AppContext = {
    config: loadConfig({ DATABASE_URL: `file:${path}` }),
    db: openDatabase(path),
    logger: createLogger({ level: 'silent' }),
    clock: fixedClock(NOW),
    ids: sequentialIds('c'),
  };
  await seedDemoRoster(ctx);
  const service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
  for (const nav of ['nav-1', 'nav-2', 'nav-3', 'nav-4'])
    expect((await service.startNavigator(nav)).ok).toBe(true);
  await service.input('navigator', 'nav-1', { kind: 'choice', choiceIds: ['met'] });
  const families = (await new SimulatorRepository(ctx.db).guardians()).filter((g) => g.phone).slice(0, 4);
  for (const g of families) await service.startFamily(g.id);
  await service.input('family', families[0]!.id, { kind: 'text', text: '2' });
  await new OutboxRepository(ctx.db).enqueue({
    id: 'urgent-1',
    idempotencyKey: outboxKey({ recipient: 'nav-1', purpose: 'escalation_alert', period: WEEK }),
    channel: 'local',
    recipientKind: 'staff',
    recipientId: 'nav-1',
    address: 'nav-1',
    purpose: 'escalation_alert',
    locale: 'en',
    payload: { key: 'navigator.family_note', params: { name: 'Ana', count: 2 } },
    origin: { escalationId: 'e-1' },
    urgent: true,
    body: null,
    createdAt: NOW,
  });
  await new TimerRepository(ctx.db).schedule({
    id: 'timer-x',
    kind: 'test_timer',
    uniqueKey: 'test_timer:1',
    fireAt: NOW + 3_600_000,
    payload: { nested: { a: [1, 'two', null] }, flag: false },
    createdAt: NOW,
  });
  return { ctx, path };
}

describe('db copy: table order', () => {
  it('puts every table after the tables its foreign keys point at', () => {
    const order = tablesInCopyOrder().map(([, t]) => getTableName(t));
    for (const [, table] of tablesInCopyOrder())
      for (const fk of getTableConfig(table).foreignKeys) {
        const parent = getTableName(fk.reference().foreignTable);
        if (parent !== getTableName(table))
          expect(order.indexOf(parent)).toBeLessThan(order.indexOf(getTableName(table)));
      }
    expect(new Set(order).size).toBe(order.length);
  });

  it('refuses a --to that is not a PostgreSQL URL', async () => {
    const { ctx } = await district();
    await expect(copyToPostgres(ctx, 'file:./other.db', () => undefined)).rejects.toThrow(
      /--to: give a PostgreSQL URL/,
    );
    await ctx.db.close();
  });
});

const describePostgres = TEST_DATABASE_URL ? describe : describe.skip;

describePostgres(`db copy to PostgreSQL${TEST_DATABASE_URL ? '' : ` — ${SKIP_MESSAGE}`}`, () => {
  let source: { ctx: AppContext; path: string };
  const open: Db[] = [];
  beforeAll(async () => {
    source = await district();
  });
  afterAll(async () => {
    await source?.ctx.db.close();
  });
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
  });
  const target = async () => {
    const db = await openPostgresTestDatabase();
    open.push(db);
    return db;
  };

  it('copies every row, in batches, and the repositories read the same rows on PostgreSQL', async () => {
    const pg = await target();
    const lines: string[] = [];
    const result = await copyDatabase(source.ctx.db as SqliteStore, pg, {
      batchRows: 10,
      onProgress: (p) => lines.push(`${p.table}: ${p.copied} of ${p.total}`),
    });
    const sqliteCounts = await countRows(source.ctx.db);
    expect(await countRows(pg)).toEqual(sqliteCounts);
    for (const table of [
      'schools',
      'staff',
      'students',
      'guardians',
      'student_guardians',
      'consents',
      'audit_log',
      'dialog_sessions',
      'checkins',
      'outbox',
      'timers',
    ])
      expect(sqliteCounts.get(table), table).toBeGreaterThan(0);
    expect(result.tables.map((t) => [t.table, t.rows])).toEqual(
      tablesInCopyOrder().map(([, t]) => [getTableName(t), sqliteCounts.get(getTableName(t))]),
    );
    // Several batches of 10 for the bigger tables, each reported.
    const outboxTotal = sqliteCounts.get('outbox')!;
    expect(outboxTotal).toBeGreaterThan(20);
    expect(lines).toContain(`outbox: 10 of ${outboxTotal}`);
    expect(lines).toContain(`outbox: 20 of ${outboxTotal}`);
    expect(lines).toContain(`outbox: ${outboxTotal} of ${outboxTotal}`);

    const both = <T>(read: (db: Db) => Promise<T>) => Promise.all([read(source.ctx.db), read(pg)]);
    // JSON columns, booleans and epoch milliseconds.
    const [urgentS, urgentP] = await both((db) => new OutboxRepository(db).get('urgent-1'));
    expect(urgentP).toEqual(urgentS);
    expect(urgentP).toMatchObject({ urgent: true, origin: { escalationId: 'e-1' }, createdAt: NOW });
    const [timerS, timerP] = await both((db) => new TimerRepository(db).get('timer-x'));
    expect(timerP).toEqual(timerS);
    expect(timerP?.payload).toEqual({ nested: { a: [1, 'two', null] }, flag: false });
    expect(await both((db) => new RosterRepository(db).staffList())).toSatisfy(
      ([s, p]: unknown[][]) => s!.length > 0 && JSON.stringify(p) === JSON.stringify(s),
    );
    const [studentsS, studentsP] = await both((db) => new RosterRepository(db).studentList());
    expect(studentsP).toEqual(studentsS);
    expect(studentsP.every((s) => s.active === true)).toBe(true);
    const guardian = (await new SimulatorRepository(source.ctx.db).guardians()).find((g) => g.phone)!;
    // Insertion order survives where timestamps tie: the texts to a family come out in the same order.
    const [textsS, textsP] = await both((db) => new SimulatorRepository(db).messagesTo(guardian.id));
    expect(textsS.length).toBeGreaterThan(1);
    expect(textsP).toEqual(textsS);
    const [navS, navP] = await both((db) => new SimulatorRepository(db).messagesTo('nav-1'));
    expect(navP.map((m) => m.id)).toEqual(navS.map((m) => m.id));
    expect(await both((db) => new ConsentRepository(db).latest(guardian.id))).toSatisfy(
      ([s, p]: unknown[]) => s !== undefined && JSON.stringify(s) === JSON.stringify(p),
    );
    const [sessionS, sessionP] = await both(async (db) =>
      new CheckinRepository(db).sessionFor('nav-1', 'navigator', WEEK),
    );
    expect(sessionP).toEqual(sessionS);
    const [auditS, auditP] = await both((db) => new AuditRepository(db).count());
    expect(auditP).toBe(auditS);
    // The copied ids were written by hand: the target numbers its next audit entry after them.
    await new AuditRepository(pg).append({
      at: NOW,
      actor: 'test',
      entity: 'probe',
      entityId: 'p-1',
      action: 'create',
      before: null,
      after: null,
    });
    expect(await new AuditRepository(pg).count()).toBe(auditS + 1);
  });

  it('copies a table larger than a batch in several transactions, each insert under 65,535 parameters', async () => {
    // 24 columns: 5,000 rows in one insert would bind 120,000 parameters.
    const big = openDatabase(':memory:');
    open.push(big);
    const rows = Array.from({ length: 6_000 }, (_, i) => ({
      // Ids run against insertion order, so an order by id would show it.
      id: `m-${String(5_999 - i).padStart(5, '0')}`,
      idempotencyKey: `k-${i}`,
      channel: 'local' as const,
      recipientKind: 'staff' as const,
      recipientId: 'nav-1',
      address: 'nav-1',
      purpose: 'bulk',
      locale: 'en',
      payload: { key: 'navigator.bulk', params: { n: i } },
      urgent: i % 2 === 0,
      notBefore: NOW,
      createdAt: NOW,
      updatedAt: NOW,
    }));
    for (let i = 0; i < rows.length; i += 1_000)
      await engineOf(big)
        .insert(outbox)
        .values(rows.slice(i, i + 1_000));
    const pg = await target();
    const lines: string[] = [];
    const result = await copyDatabase(big as SqliteStore, pg, {
      onProgress: (p) => lines.push(`${p.table}: ${p.copied} of ${p.total}`),
    });
    expect(result.tables.find((t) => t.table === 'outbox')?.rows).toBe(6_000);
    expect(lines.filter((l) => l.startsWith('outbox'))).toEqual([
      'outbox: 5000 of 6000',
      'outbox: 6000 of 6000',
    ]);
    const listed = await new SimulatorRepository(pg).messagesTo('nav-1', 6_000);
    expect(listed.map((m) => m.id)).toEqual(rows.map((r) => r.id));
    expect(listed[1]).toMatchObject({ urgent: false, payload: { key: 'navigator.bulk', params: { n: 1 } } });
  });

  it('names the table and the fix when PostgreSQL rejects a row', async () => {
    const bad = openDatabase(':memory:');
    open.push(bad);
    // PostgreSQL's text cannot hold a NUL character; SQLite's can.
    await new OutboxRepository(bad).enqueue({
      id: 'nul',
      idempotencyKey: 'nul',
      channel: 'sms',
      recipientKind: 'guardian',
      recipientId: 'g-1',
      address: '+15550100000',
      purpose: 'family_checkin',
      locale: 'en',
      payload: { key: 'family.checkin' },
      body: 'a\u0000b',
      createdAt: NOW,
    });
    await expect(copyDatabase(bad as SqliteStore, await target())).rejects.toThrow(
      /^Copying outbox failed after 0 rows \(.+\); drop and recreate the target database, then copy again\.$/,
    );
  });

  it('refuses a second copy into a database that holds rows', async () => {
    const pg = await target();
    await copyDatabase(source.ctx.db as SqliteStore, pg);
    const before = await countRows(pg);
    const second = copyDatabase(source.ctx.db as SqliteStore, pg);
    await expect(second).rejects.toBeInstanceOf(CopyError);
    await expect(copyDatabase(source.ctx.db as SqliteStore, pg)).rejects.toThrow(
      /^The target database already holds rows \(dialog_sessions: \d+, schools: 2, students: 48, \d+ more tables\); copy into a new, empty database\.$/,
    );
    expect(await countRows(pg)).toEqual(before);
  });

  it('npm run cli -- db copy --to <url>: summary on stdout, progress on stderr, exit 1 when refused', async () => {
    const name = `checkins_test_copy_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    // An empty database with no tables: the command migrates it on opening.
    await admin((client) => client.query(`create database "${name}"`));
    try {
      const run = (...args: string[]) =>
        spawnSync(resolve('node_modules/.bin/tsx'), ['src/cli/index.ts', ...args], {
          env: { PATH: process.env.PATH, DATABASE_URL: `file:${source.path}`, LOG_LEVEL: 'error' },
          encoding: 'utf8',
          timeout: 40_000,
        });
      const first = run('db', 'copy', '--to', urlOf(name));
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/^schools\s+2$/m);
      expect(first.stdout).toMatch(
        /Copied [\d,]+ rows in \d+ tables in \d+\.\d s; row counts match on both sides\.\n$/,
      );
      const again = run('db', 'copy', '--to', urlOf(name));
      expect(again.status).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/^The target database already holds rows .*empty database\.\n$/);
      const help = run('db', 'copy', '--help');
      expect(help.stdout).toContain('Stop the service before copying');
      const unknown = run('db', 'copy', '--to', urlOf(`${name}_missing`));
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toMatch(/^--to: the database .* does not exist/);
    } finally {
      await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
    }
  }, 120_000);

  it('reports a CommandError when the configured database is PostgreSQL', async () => {
    const pg = await target();
    const ctx = { ...source.ctx, db: pg };
    await expect(copyToPostgres(ctx, urlOf('whatever'), () => undefined)).rejects.toBeInstanceOf(
      CommandError,
    );
  });
});
