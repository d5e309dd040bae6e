import { is, Table } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as schema from '../src/store/schema/index.js';
import { importsOf, read, sourceFiles, target, withoutComments } from './helpers/source.js';

// The layers of docs/architecture.md, checked: adapters translate and decide nothing, the store alone knows
// its engine, and configuration is read in one place. Each rule's detector is tried on a planted example
// first, so a rule that could never fail would show.

type Source = { file: string; text: string };

/** Adapters may name the store's row types (schema) but not reach repositories, the store or its engine. */
function adapterReachesStore({ file, text }: Source): string[] {
  return importsOf(text)
    .filter((spec) => {
      const to = target(file, spec);
      return to.startsWith('src/store/') && !to.startsWith('src/store/schema/');
    })
    .map((spec) => `${file} imports ${spec}`);
}

/** Adapters open no transaction: a use-case's writes commit together inside its service. */
function adapterOpensTransaction({ file, text }: Source): string[] {
  return /\.transaction\s*\(/.test(withoutComments(text)) ? [`${file} opens a transaction`] : [];
}

const ENGINE_MODULE =
  /^(better-sqlite3|pg|drizzle-orm\/(better-sqlite3|sqlite-core|node-postgres|pg-core))(\/|$)/;

/** Only the store imports the database engine or drizzle's engine-specific modules. */
function importsEngine({ file, text }: Source): string[] {
  return importsOf(text)
    .filter((spec) => ENGINE_MODULE.test(spec))
    .map((spec) => `${file} imports ${spec}`);
}

const ENGINE_WORDS =
  /\browid\b|json_extract|json_tree|SQLITE_[A-Z_]+|behavior:\s*'immediate'|\$client\b|#>>|\bjsonb_\w+|skipLocked|for update|'23505'|'40001'/i;

/** Each engine's own SQL, error codes and handles stay in its dialect module. */
function usesEngineSpecifics({ file, text }: Source): string[] {
  const hit = ENGINE_WORDS.exec(withoutComments(text));
  return hit ? [`${file} uses ${hit[0]}`] : [];
}

/** The query terminals only SQLite's drizzle has; a repository awaits its query instead, on either engine. */
function usesSqliteTerminals({ file, text }: Source): string[] {
  const hit = /\.(all|run|get)\(\)|\.values\(\)\.map/.exec(withoutComments(text));
  return hit ? [`${file} calls ${hit[0]}`] : [];
}

const TABLES = Object.entries(schema)
  .filter(([, value]) => is(value, Table))
  .map(([name]) => name);

/** A repository queries the tables of its engine (`this.t`), never the SQLite declarations it imports. */
function importsTableValues({ file, text }: Source): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[./]*\/schema\/index\.js'/g))
    for (const name of m[1]!.split(',').map((n) => n.trim()))
      if (TABLES.includes(name)) found.push(`${file} imports the table ${name} as a value`);
  return found;
}

/** Configuration is read from the environment once, by loadConfig, and passed down. */
function readsEnvironment({ file, text }: Source): string[] {
  return /\bprocess\.env\b/.test(withoutComments(text)) ? [`${file} reads process.env`] : [];
}

const sources = (folder: string) => sourceFiles(folder).map((file) => ({ file, text: read(file) }));
const src = sources('src');
const bots = src.filter((s) => s.file.startsWith('src/bots/'));
const outsideStore = src.filter((s) => !s.file.startsWith('src/store/'));
const repositories = src.filter((s) => s.file.startsWith('src/store/repositories/'));
const DIALECTS = ['src/store/sqlite.ts', 'src/store/postgres/engine.ts'];
const ENTRY_POINTS = ['src/config.ts', 'src/main.ts', 'src/cli/index.ts'];

describe('architecture', () => {
  it('each detector finds its planted example and passes a clean one', () => {
    const planted = (file: string, text: string) => ({ file, text });
    expect(
      adapterReachesStore(
        planted('src/bots/x/a.ts', "import { NeedRepository } from '../../store/repositories/needs.js';"),
      ),
    ).toHaveLength(1);
    expect(
      adapterReachesStore(planted('src/bots/x/a.ts', "import type { Db } from '../../store/db.js';")),
    ).toHaveLength(1);
    expect(
      adapterReachesStore(
        planted('src/bots/x/a.ts', "import type { Channel } from '../../store/schema/index.js';"),
      ),
    ).toEqual([]);
    expect(
      adapterOpensTransaction(planted('src/bots/a.ts', 'await ctx.db.transaction(async (tx) => {});')),
    ).toHaveLength(1);
    expect(adapterOpensTransaction(planted('src/bots/a.ts', '// no .transaction( here'))).toEqual([]);
    expect(importsEngine(planted('src/a.ts', "import Database from 'better-sqlite3';"))).toHaveLength(1);
    expect(
      importsEngine(planted('src/a.ts', "import { sqliteTable } from 'drizzle-orm/sqlite-core';")),
    ).toHaveLength(1);
    expect(importsEngine(planted('src/a.ts', "import { eq } from 'drizzle-orm';"))).toEqual([]);
    expect(
      usesEngineSpecifics(planted('src/a.ts', "if (err.code === 'SQLITE_CONSTRAINT_UNIQUE') {}")),
    ).toHaveLength(1);
    expect(usesEngineSpecifics(planted('src/a.ts', 'db.$client.close();'))).toHaveLength(1);
    expect(usesEngineSpecifics(planted('src/a.ts', 'const rowCount = 1;'))).toEqual([]);
    expect(usesEngineSpecifics(planted('src/a.ts', "sql`(col #>> '{a}')`"))).toHaveLength(1);
    expect(usesSqliteTerminals(planted('src/a.ts', 'this.db.select().from(t).all();'))).toHaveLength(1);
    expect(usesSqliteTerminals(planted('src/a.ts', 'byId.get(id); await q;'))).toEqual([]);
    expect(
      importsTableValues(planted('src/s/r.ts', "import { CHANNELS, outbox } from '../schema/index.js';")),
    ).toHaveLength(1);
    expect(
      importsTableValues(
        planted('src/s/r.ts', "import { CHANNELS, type outbox } from '../schema/index.js';"),
      ),
    ).toEqual([]);
    expect(readsEnvironment(planted('src/a.ts', 'const port = process.env.PORT;'))).toHaveLength(1);
    expect(readsEnvironment(planted('src/a.ts', '// process.env is read in config.ts'))).toEqual([]);
  });

  it('finds the files it checks', () => {
    expect(bots.length).toBeGreaterThan(5);
    expect(outsideStore.length).toBeGreaterThan(40);
  });

  it('adapters in src/bots import no repository, store or engine', () => {
    expect(bots.flatMap(adapterReachesStore)).toEqual([]);
  });

  it('adapters in src/bots open no transaction', () => {
    expect(bots.flatMap(adapterOpensTransaction)).toEqual([]);
  });

  it('nothing outside src/store imports better-sqlite3 or a drizzle engine module', () => {
    expect(outsideStore.flatMap(importsEngine)).toEqual([]);
  });

  it("no engine-specific SQL, error code or handle outside the engines' dialect modules", () => {
    const checked = src.filter((s) => !DIALECTS.includes(s.file));
    expect(checked.flatMap(usesEngineSpecifics)).toEqual([]);
  });

  it('repositories run on either engine: their tables from the engine, queries awaited', () => {
    expect(repositories.length).toBeGreaterThan(20);
    expect(repositories.flatMap(importsTableValues)).toEqual([]);
    expect(repositories.flatMap(usesSqliteTerminals)).toEqual([]);
  });

  it('no process.env outside config.ts and the entry points', () => {
    const checked = src.filter((s) => !ENTRY_POINTS.includes(s.file));
    expect(checked.flatMap(readsEnvironment)).toEqual([]);
  });
});
