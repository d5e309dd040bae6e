import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerDigestCommands } from '../../src/cli/commands/digest.js';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import { CheckinService } from '../../src/services/checkins.js';
import { testContext } from '../helpers/context.js';

let ctx: Awaited<ReturnType<typeof testContext>>;
let out: string[];
let err: string[];

beforeEach(async () => {
  // The roster is imported in October, so families have had three weeks to answer by late November.
  ctx = await testContext({ now: Date.parse('2026-10-01T15:00:00Z') });
  await seedDemoRoster(ctx);
  ctx.clock.set(Date.parse('2026-11-24T15:00:00Z'));
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function cli(...args: string[]) {
  const program = new Command().exitOverride();
  registerDigestCommands(program, () => ctx);
  const close = ctx.db.close.bind(ctx.db);
  ctx.db.close = async () => {};
  try {
    await program.parseAsync(['node', 'cli', ...args]);
  } finally {
    ctx.db.close = close;
  }
}

/** nav-1 starts the week and skips its first student: 1 skipped, 11 open; nav-2 has not started. */
async function oneStudentSkipped() {
  const service = new CheckinService(ctx, createTexts({ defaultLocale: 'en' }));
  await service.startNavigator('nav-1');
  await service.input('navigator', 'nav-1', { kind: 'command', command: 'skip_student' });
}

describe('digest command line', () => {
  it('prints the same figures as text, csv and json', async () => {
    await oneStudentSkipped();
    const week = ['--school', 'sch-riverside', '--week', '2026-W48'];
    await cli('digest', ...week, '--format', 'json');
    const json = JSON.parse(out.join('\n'));
    expect(json.navigators.map((n: { navigatorId: string }) => n.navigatorId)).toEqual(['nav-1', 'nav-2']);
    const nav1 = json.navigators[0];
    expect(nav1).toMatchObject({ caseload: 12, skipped: 1, open: 11, notStarted: 0 });
    expect(json.navigators[1]).toMatchObject({ caseload: 12, notStarted: 12 });

    out = [];
    await cli('digest', ...week, '--format', 'csv');
    const rows = parse(out.join('\n')) as string[][];
    expect(rows[0]).toEqual(['section', 'subject', 'figure', 'value']);
    const figure = (section: string, subject: string, name: string) =>
      rows.find((r) => r[0] === section && r[1] === subject && r[2] === name)?.[3];
    expect(figure('navigator', 'nav-1', 'skipped')).toBe('1');
    expect(figure('navigator', 'nav-2', 'notStarted')).toBe('12');
    expect(figure('families', 'all', 'families')).toBe(String(json.families.families));
    const silent = json.families.silent.guardians as { guardianId: string; reason: string }[];
    expect(silent.length).toBeGreaterThan(0);
    for (const g of silent) expect(figure('families_silent', g.guardianId, 'reason')).toBe(g.reason);

    out = [];
    await cli('digest', ...week);
    const text = out.join('\n');
    expect(text).toContain('Digest 2026-W48 — Riverside Middle School');
    expect(text).toMatch(/^nav-1\s+12\s+0\s+0\s+1\s+0\s+11\s+0\s+0\s+0\s*$/m);
    expect(text).toContain(`Families: ${json.families.families};`);
    expect(process.exitCode).toBeUndefined();
  });

  it('covers every school with --district', async () => {
    await cli('digest', '--district', '--week', '2026-W48', '--format', 'json');
    const json = JSON.parse(out.join('\n'));
    expect(json.scope).toBe('district');
    expect(json.navigators).toHaveLength(4);
  });

  it('says clearly what is wrong with the arguments', async () => {
    await cli('digest', '--school', 'sch-nowhere', '--week', '2026-W48');
    await cli('digest', '--school', 'sch-riverside', '--week', '2026-48');
    await cli('digest', '--week', '2026-W48');
    await cli('digest', '--school', 'sch-riverside', '--format', 'pdf');
    expect(err).toEqual([
      "No school with id sch-nowhere (see 'roster export').",
      'Invalid --week 2026-48: use an ISO week such as 2026-W48.',
      'Give either --school <id> or --district.',
      'Unknown --format pdf; use one of text, csv, json.',
    ]);
    expect(out).toEqual([]);
    expect(process.exitCode).toBe(1);
  });

  it('writes the district needs table to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'digest-'));
    try {
      const file = join(dir, 'needs.csv');
      await cli('digest', 'district-needs', '--out', file);
      expect(out).toEqual([`Wrote ${file} (cells under 10 and their complements shown as *).`]);
      const [header, last] = parse(readFileSync(file, 'utf8')) as string[][];
      expect(header!.slice(0, 3)).toEqual(['school_id', 'grade_band', 'academic']);
      expect(last![0]).toBe('district');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
