import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, engineOf, openDatabase, openTestDatabase, UniqueViolation } from '../../src/store/db.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { describeEngines } from '../helpers/engines.js';
import { tablesOf } from '../helpers/tables.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describeEngines('store schema', (open) => {
  const opened: Db[] = [];
  const fresh = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  it('migrates an empty database and records the schema version', async () => {
    const db = await fresh();
    expect(await db.schemaVersion()).toBeGreaterThanOrEqual(1);
    const t = tablesOf(db);
    for (const table of [
      t.schools,
      t.staff,
      t.students,
      t.guardians,
      t.consents,
      t.auditLog,
      t.outbox,
      t.timers,
    ])
      expect(await engineOf(db).select().from(table)).toEqual([]);
  });

  it('enforces foreign keys', async () => {
    const db = await fresh();
    const { schools, students } = tablesOf(db);
    const student = (schoolId: string) => ({
      id: 's1',
      schoolId,
      firstName: 'A',
      lastName: 'B',
      grade: '5',
      createdAt: 0,
      updatedAt: 0,
    });
    const refused = await engineOf(db)
      .insert(students)
      .values(student('no-such-school'))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    // PostgreSQL's driver error arrives as the cause of the ORM's "Failed query".
    expect(`${refused} ${refused?.cause}`).toMatch(/foreign key/i);
    await engineOf(db)
      .insert(schools)
      .values({ id: 'sc', name: 'School', timezone: 'America/Chicago', createdAt: 0, updatedAt: 0 });
    await engineOf(db).insert(students).values(student('sc'));
    expect(await engineOf(db).select().from(students)).toHaveLength(1);
  });

  it('allows one active check-in conversation per person and week', async () => {
    const db = await fresh();
    const repo = new CheckinRepository(db);
    const row = (id: string, status: 'active' | 'completed', period = '2026-W48') => ({
      id,
      kind: 'navigator' as const,
      participantId: 'nav-1',
      channel: 'local',
      scriptId: 'navigator-weekly',
      scriptVersion: 1,
      status,
      period,
      state: {},
      createdAt: 0,
      updatedAt: 0,
    });
    await repo.insertSession(row('a', 'completed'));
    await repo.insertSession(row('b', 'active'));
    await repo.insertSession(row('c', 'active', '2026-W49'));
    await expect(repo.insertSession(row('d', 'active'))).rejects.toThrow(UniqueViolation);
  });
});

describe('store on SQLite files', () => {
  it('lists its tables in sqlite_master', async () => {
    const db = openTestDatabase();
    expect(await db.schemaVersion()).toBeGreaterThanOrEqual(1);
    const tables = engineOf(db)
      .$client.prepare("select name from sqlite_master where type = 'table' order by name")
      .all()
      .map((r) => (r as { name: string }).name);
    for (const t of [
      'schools',
      'staff',
      'students',
      'guardians',
      'consents',
      'audit_log',
      'outbox',
      'timers',
    ]) {
      expect(tables).toContain(t);
    }
  });

  it('sets WAL, synchronous FULL, foreign keys and a busy timeout on a file database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'nested', 'test.db'));
    const p = (name: string) => engineOf(db).$client.pragma(name, { simple: true });
    expect(p('journal_mode')).toBe('wal');
    expect(p('synchronous')).toBe(2);
    expect(p('foreign_keys')).toBe(1);
    expect(p('busy_timeout')).toBe(5000);
    await db.close();
  });

  it('migrating twice is a no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    const file = join(dir, 'twice.db');
    await openDatabase(file).close();
    const db = openDatabase(file);
    expect(await db.schemaVersion()).toBe(await openTestDatabase().schemaVersion());
    await db.close();
  });

  it('upgrading keeps the newest of two active sessions for one week and expires the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    // The migrations as they were before the one-active-session index (and everything after it).
    const before = join(dir, 'drizzle');
    cpSync('drizzle', before, { recursive: true });
    const journalPath = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0003_');
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(dir, 'upgrade.db');
    const old = engineOf(openDatabase(file, { migrate: false }));
    migrate(old, { migrationsFolder: before });
    const insert = old.$client.prepare(
      "insert into dialog_sessions (id, kind, participant_id, channel, script_id, script_version, status, period, state, created_at, updated_at) values (?, 'navigator', 'nav-1', 'local', 'navigator-weekly', 1, 'active', '2026-W48', '{}', ?, ?)",
    );
    insert.run('older', 1, 1);
    insert.run('newer', 2, 2);
    old.$client.close();

    const store = openDatabase(file);
    const db = engineOf(store);
    const rows = db.$client.prepare('select id, status from dialog_sessions order by id').all();
    expect(rows).toEqual([
      { id: 'newer', status: 'active' },
      { id: 'older', status: 'expired' },
    ]);
    await store.close();
  });
});
