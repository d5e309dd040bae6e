import { CASE_KINDS, type Evaluation, evaluate, loadCorpora } from '../test/language/evaluate.js';

// Prints how the product reads the labelled corpus of family texts (test/language/corpus), per language: a
// confusion table (rows: what the sentence is; columns: what the product read), crisis recall, false alarms
// on everyday sentences and opt-out recall, then every miss with its known-gap reason if it has one.
// Run with `npm run eval:language`; exits 1 when a miss is not a listed known gap.

const COLUMNS = [...CASE_KINDS, 'concern', 'language', 'other'] as const;

function pct(n: number, of: number): string {
  return of === 0 ? '  -  ' : `${((100 * n) / of).toFixed(1).padStart(5)}%`;
}

function print(e: Evaluation): void {
  const width = 9;
  console.log(`\n== ${e.language} ==`);
  console.log(
    ['expected \\ read'.padEnd(16), ...COLUMNS.map((c) => c.slice(0, width - 1).padStart(width))].join(''),
  );
  for (const kind of CASE_KINDS) {
    const row = e.table.get(kind);
    if (!row) continue;
    console.log(
      [
        `${kind} (${e.counts[kind]})`.padEnd(16),
        ...COLUMNS.map((c) => String(row.get(c) ?? '.').padStart(width)),
      ].join(''),
    );
  }
  const hit = (kind: string) => e.table.get(kind)?.get(kind) ?? 0;
  console.log(
    `crisis recall ${pct(hit('crisis'), e.counts.crisis ?? 0)}   false alarms ${pct(e.falseAlarms, e.counts.everyday ?? 0)} (${e.falseAlarms}/${e.counts.everyday ?? 0}; reviews ${e.reviews})   opt-out recall ${pct(hit('optout'), e.counts.optout ?? 0)}`,
  );
  for (const m of e.misses)
    console.log(
      `  ${m.knownGap ? 'known gap' : 'MISS     '} [${m.case.kind} → ${m.reading.kind}${m.reading.detail ? ` ${m.reading.detail}` : ''}] ${m.case.text}${m.knownGap ? `  (${m.knownGap})` : ''}`,
    );
}

const results = loadCorpora().map(evaluate);
for (const e of results) print(e);
const unexpected = results.flatMap((e) => e.misses.filter((m) => !m.knownGap));
const total = results.reduce((n, e) => n + Object.values(e.counts).reduce((a, b) => a + b, 0), 0);
console.log(
  `\n${total} sentences in ${results.length} languages; ${unexpected.length} misses not listed as known gaps.`,
);
process.exitCode = unexpected.length > 0 ? 1 : 0;
