// Start-up time to the first answer of /healthz and resident memory, the compiled service (`npm start`) beside
// the same source run through tsx (how `npm start` ran before), on an empty database in local mode (demo roster
// seeded at start). Runs alternate; prints a markdown section.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, rssMiB, spread, startTarget, stopTarget } from './http-targets.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Resident memory of a process and all its descendants (tsx runs the service in a child). */
function treeMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const walk = (p: number) => {
    total += rssMiB(p) || 0;
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

const VARIANTS = [
  { name: 'compiled: node dist/main.js', args: ['dist/main.js'] },
  { name: 'before: tsx src/main.ts', args: ['node_modules/tsx/dist/cli.mjs', 'src/main.ts'] },
];

async function main(): Promise<void> {
  const rows = new Map<string, { start: number[]; rss: number[]; tree: number[] }>();
  for (let run = 0; run < RUNS; run++)
    for (const v of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const dir = mkdtempSync(join(tmpdir(), 'footprint-'));
      try {
        const t = await startTarget(
          v.name,
          v.args,
          { DATABASE_URL: `file:${join(dir, 'f.db')}`, LOG_LEVEL: 'warn' },
          '/healthz',
        );
        // Settled: the demo seed and the first planning are done.
        await new Promise((r) => setTimeout(r, 2_000));
        const r = rows.get(v.name) ?? { start: [], rss: [], tree: [] };
        r.start.push(t.startupMs);
        r.tree.push(treeMiB(t.proc.pid!));
        // The service itself: the deepest node process of the tree (tsx's child), or the only one.
        const own = readdirSync('/proc')
          .filter((e) => /^\d+$/.test(e))
          .map(Number)
          .filter((p) => {
            try {
              const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
              return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === t.proc.pid;
            } catch {
              return false;
            }
          })
          .map((p) => rssMiB(p))
          .filter((x) => x > 30);
        r.rss.push(Math.max(rssMiB(t.proc.pid), ...own));
        rows.set(v.name, r);
        await stopTarget(t);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  const lines = [
    '| how it runs | start-up to /healthz | service RSS | RSS of all its processes |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, r] of rows)
    lines.push(
      `| ${name} | ${Math.round(median(r.start))} ms (${spread(r.start)}) | ${Math.round(median(r.rss))} MiB | ${Math.round(median(r.tree))} MiB |`,
    );
  console.log(`## Footprint

Empty database in local mode (the demo roster is seeded at start), median of ${RUNS} runs alternated (spread in
brackets); memory read 2 s after /healthz first answered.

${lines.join('\n')}`);
}

await main();
