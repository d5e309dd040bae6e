import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, openTestDatabase, schemaVersion } from '../../src/store/db.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { schools, students } from '../../src/store/schema/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('store', () => {
  it('migrates an empty database and records the schema version', () => {
    const db = openTestDatabase();
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(1);
    const tables = db.$client
      .prepare("select name from sqlite_master where type = 'table' order by name")
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

  it('sets WAL, synchronous FULL, foreign keys and a busy timeout on a file database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'nested', 'test.db'));
    const p = (name: string) => db.$client.pragma(name, { simple: true });
    expect(p('journal_mode')).toBe('wal');
    expect(p('synchronous')).toBe(2);
    expect(p('foreign_keys')).toBe(1);
    expect(p('busy_timeout')).toBe(5000);
    db.$client.close();
  });

  it('migrating twice is a no-op', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    const file = join(dir, 'twice.db');
    openDatabase(file).$client.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(schemaVersion(openTestDatabase()));
    db.$client.close();
  });

  it('enforces foreign keys', () => {
    const db = openTestDatabase();
    expect(() =>
      db
        .insert(students)
        .values({
          id: 's1',
          schoolId: 'no-such-school',
          firstName: 'A',
          lastName: 'B',
          grade: '5',
          createdAt: 0,
          updatedAt: 0,
        })
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.insert(schools)
      .values({ id: 'sc', name: 'School', timezone: 'America/Chicago', createdAt: 0, updatedAt: 0 })
      .run();
    db.insert(students)
      .values({
        id: 's1',
        schoolId: 'sc',
        firstName: 'A',
        lastName: 'B',
        grade: '5',
        createdAt: 0,
        updatedAt: 0,
      })
      .run();
    expect(db.select().from(students).all()).toHaveLength(1);
  });

  it('allows one active check-in conversation per person and week', () => {
    const db = openTestDatabase();
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
    repo.insertSession(row('a', 'completed'));
    repo.insertSession(row('b', 'active'));
    repo.insertSession(row('c', 'active', '2026-W49'));
    expect(() => repo.insertSession(row('d', 'active'))).toThrow(/UNIQUE/);
  });

  it('upgrading keeps the newest of two active sessions for one week and expires the other', () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    // The migrations as they were before the one-active-session index.
    const before = join(dir, 'drizzle');
    cpSync('drizzle', before, { recursive: true });
    const journalPath = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => !e.tag.startsWith('0003_'));
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(dir, 'upgrade.db');
    const old = openDatabase(file, { migrate: false });
    migrate(old, { migrationsFolder: before });
    const insert = old.$client.prepare(
      "insert into dialog_sessions (id, kind, participant_id, channel, script_id, script_version, status, period, state, created_at, updated_at) values (?, 'navigator', 'nav-1', 'local', 'navigator-weekly', 1, 'active', '2026-W48', '{}', ?, ?)",
    );
    insert.run('older', 1, 1);
    insert.run('newer', 2, 2);
    old.$client.close();

    const db = openDatabase(file);
    const rows = db.$client.prepare('select id, status from dialog_sessions order by id').all();
    expect(rows).toEqual([
      { id: 'newer', status: 'active' },
      { id: 'older', status: 'expired' },
    ]);
    db.$client.close();
  });
});
