// `npm run bench:digest`: the lead navigators' digest on a district of Nashville's size (60,000 students,
// 6,000 navigators, 360,000 check-ins over six weeks, 50,000 needs), for the district and for one school,
// next to hand-written SQL aggregates of the same headline figures run in the same process on the same file.
// Figures are printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { addWeeks, weekBounds } from '../src/jobs/period.js';
import { fixedClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { computeDigest } from '../src/services/digest.js';
import type { Digest } from '../src/services/digest-figures.js';
import { engineOf, openDatabase } from '../src/store/db.js';
import { NEED_AREAS } from '../src/vocabulary.js';

const SCHOOLS = 150;
const STUDENTS = 60_000;
const NAVIGATORS = 6_000;
const WEEKS = 6;
const NEEDS = 50_000;
const WEEK = '2026-W48';
const ZONE = 'America/Chicago';
/** Saturday of the week: the digest is read with the week nearly over. */
const NOW = Date.parse('2026-11-28T18:00:00Z');
const RUNS = 3;

const STUDENTS_PER_NAVIGATOR = STUDENTS / NAVIGATORS;
const schoolOf = (student: number) => student % SCHOOLS;
const navigatorOf = (student: number) =>
  schoolOf(student) + SCHOOLS * Math.floor(Math.floor(student / SCHOOLS) / STUDENTS_PER_NAVIGATOR);

/** A deterministic spread of statuses: 80% done, 8% missed, 4% open, 8% skipped. */
function statusOf(i: number): 'completed' | 'missed' | 'pending' | 'skipped' {
  const r = (i * 7919) % 100;
  return r < 80 ? 'completed' : r < 88 ? 'missed' : r < 92 ? 'pending' : 'skipped';
}

type Raw = ReturnType<typeof engineOf>['$client'];

function build(raw: Raw): { checkins: number; answers: number } {
  const long = Date.parse('2026-08-01T12:00:00Z');
  const tx = (fn: () => void) => raw.transaction(fn)();
  const weeks = Array.from({ length: WEEKS }, (_, i) => addWeeks(WEEK, i - WEEKS + 1));
  const bounds = weeks.map((w) => weekBounds(w, ZONE));
  tx(() => {
    const school = raw.prepare(
      `insert into schools (id, name, timezone, created_at, updated_at) values (?, ?, ?, ?, ?)`,
    );
    for (let s = 0; s < SCHOOLS; s++) school.run(`sch-${s}`, `School ${s}`, ZONE, long, long);
    const staff = raw.prepare(
      `insert into staff (id, school_id, name, email, role, timezone, locale, active, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, 'en', 1, ?, ?)`,
    );
    for (let n = 0; n < NAVIGATORS; n++)
      staff.run(
        `nav-${n}`,
        `sch-${n % SCHOOLS}`,
        `Navigator ${n}`,
        `n${n}@x.org`,
        'navigator',
        ZONE,
        long,
        long,
      );
    for (let s = 0; s < SCHOOLS; s++)
      staff.run(`lead-${s}`, `sch-${s}`, `Lead ${s}`, `l${s}@x.org`, 'lead_navigator', ZONE, long, long);
  });
  const locales = ['en', 'es', 'ar', 'vi', 'so', 'zh'];
  tx(() => {
    const student = raw.prepare(
      `insert into students (id, school_id, first_name, last_name, grade, active, created_at, updated_at)
       values (?, ?, ?, ?, ?, 1, ?, ?)`,
    );
    const assign = raw.prepare(
      `insert into assignments (student_id, navigator_id, assigned_at) values (?, ?, ?)`,
    );
    const guardian = raw.prepare(
      `insert into guardians (id, name, phone, locale, timezone, sms_status, created_at, updated_at)
       values (?, ?, ?, ?, ?, 'active', ?, ?)`,
    );
    const link = raw.prepare(
      `insert into student_guardians (student_id, guardian_id, created_at) values (?, ?, ?)`,
    );
    const consent = raw.prepare(
      `insert into consents (guardian_id, channel, status, source, locale, actor, recorded_at)
       values (?, 'sms', 'granted', 'roster_import', ?, 'bench', ?)`,
    );
    for (let i = 0; i < STUDENTS; i++) {
      const locale = locales[i % locales.length]!;
      student.run(`st-${i}`, `sch-${schoolOf(i)}`, 'First', 'Last', String(6 + (i % 7)), long, long);
      assign.run(`st-${i}`, `nav-${navigatorOf(i)}`, long);
      guardian.run(`g-${i}`, 'Family', `+1555${String(i).padStart(7, '0')}`, locale, ZONE, long, long);
      link.run(`st-${i}`, `g-${i}`, long);
      consent.run(`g-${i}`, locale, long);
    }
  });
  let checkins = 0;
  let answers = 0;
  const checkin = raw.prepare(
    `insert into checkins (id, kind, period, subject, student_id, navigator_id, status, created_at, updated_at)
     values (?, 'navigator', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const answer = raw.prepare(
    `insert into answers (id, checkin_id, session_id, student_id, step_id, question_key, question_text, locale,
       script_id, script_version, value, answered_by, answered_at)
     values (?, ?, 's', ?, 'connect', 'navigator.connect', 'Did you connect?', 'en', 'navigator-weekly', 1, ?, ?, ?)`,
  );
  weeks.forEach((week, w) => {
    const at = bounds[w]!.start + 86_400_000;
    tx(() => {
      for (let i = 0; i < STUDENTS; i++) {
        const id = `c-${w}-${i}`;
        const status = statusOf(i + w * 13);
        const nav = `nav-${navigatorOf(i)}`;
        checkin.run(id, week, `nav:${nav}:st-${i}`, `st-${i}`, nav, status, at, at);
        checkins++;
        if (status === 'completed') {
          answer.run(
            `a-${w}-${i}`,
            id,
            `st-${i}`,
            JSON.stringify(i % 10 === 0 ? 'absent' : 'met'),
            `staff:${nav}`,
            at,
          );
          answers++;
        }
      }
    });
  });
  // This week's family texts: every guardian texted, most delivered; a quarter wrote back.
  const { start } = bounds[WEEKS - 1]!;
  tx(() => {
    const text = raw.prepare(
      `insert into outbox (id, idempotency_key, channel, recipient_kind, recipient_id, address, purpose, locale,
         payload, status, not_before, created_at, updated_at, sent_at)
       values (?, ?, 'sms', 'guardian', ?, ?, 'family_checkin', 'en', '{"key":"family.how_is"}', ?, ?, ?, ?, ?)`,
    );
    const reply = raw.prepare(
      `insert into family_texts (id, channel, event_id, guardian_id, address, body, meaning, received_at)
       values (?, 'sms', ?, ?, ?, '2', 'answer', ?)`,
    );
    for (let i = 0; i < STUDENTS; i++) {
      const at = start + 86_400_000 + i;
      const phone = `+1555${String(i).padStart(7, '0')}`;
      text.run(
        `o-${i}`,
        `fam|g-${i}|${WEEK}`,
        `g-${i}`,
        phone,
        i % 20 === 0 ? 'failed' : 'delivered',
        at,
        at,
        at,
        at,
      );
      if (i % 4 === 0) reply.run(`ft-${i}`, `SM${i}`, `g-${i}`, phone, at + 3_600_000);
    }
  });
  tx(() => {
    const need = raw.prepare(
      `insert into needs (id, student_id, area, severity, source, status, raised_by, created_at, updated_at)
       values (?, ?, ?, ?, 'navigator', ?, 'bench', ?, ?)`,
    );
    const areas = NEED_AREAS;
    const severities = ['low', 'medium', 'high'];
    for (let i = 0; i < NEEDS; i++) {
      // Spread over the six weeks; each (student, area) open at most once, as the unique index requires.
      const student = (i * 37) % STUDENTS;
      const area = areas[(i * 3) % areas.length]!;
      const at = bounds[i % WEEKS]!.start + 3_600_000 * (1 + (i % 100));
      need.run(
        `n-${i}`,
        `st-${student}`,
        area,
        severities[i % 3]!,
        i % 5 === 0 ? 'referred' : 'identified',
        at,
        at,
      );
    }
  });
  raw.exec('analyze');
  return { checkins, answers };
}

/** The same headline figures, as a person would write them by hand in SQL: one aggregate per figure. */
function handSql(raw: Raw, school: string | null) {
  const { start, end } = weekBounds(WEEK, ZONE);
  const weeks = Array.from({ length: WEEKS }, (_, i) => addWeeks(WEEK, i - WEEKS + 1));
  const inSchool = school ? `and st.school_id = '${school}'` : '';
  const students = school ? `and s.school_id = '${school}'` : '';
  const navigators = raw
    .prepare(
      `select c.navigator_id as navigator,
          sum(c.status = 'completed' and coalesce(json_extract(a.value, '$'), '') not in ('unreachable', 'absent')) as met,
          sum(c.status = 'completed' and json_extract(a.value, '$') in ('unreachable', 'absent')) as not_reached,
          sum(c.status = 'skipped') as skipped, sum(c.status = 'missed') as missed,
          sum(c.status in ('pending', 'in_progress')) as open
        from checkins c join staff st on st.id = c.navigator_id
        left join answers a on a.checkin_id = c.id and a.step_id = 'connect'
        where c.kind = 'navigator' and c.period = ? ${inSchool}
        group by c.navigator_id`,
    )
    .all(WEEK);
  const trend = raw
    .prepare(
      `select c.period, sum(c.status <> 'skipped') as expected,
          sum(c.status = 'completed' and coalesce(json_extract(a.value, '$'), '') not in ('unreachable', 'absent')) as completed
        from checkins c join staff st on st.id = c.navigator_id
        left join answers a on a.checkin_id = c.id and a.step_id = 'connect'
        where c.kind = 'navigator' and c.period in (${weeks.map(() => '?').join(',')}) ${inSchool}
        group by c.period order by c.period`,
    )
    .all(...weeks) as { period: string; expected: number; completed: number }[];
  const families = raw
    .prepare(
      `with family as (select distinct sg.guardian_id as id from student_guardians sg
            join students s on s.id = sg.student_id where s.active = 1 ${students}),
          texted as (select distinct recipient_id as id from outbox where channel = 'sms'
            and recipient_kind = 'guardian' and sent_at >= ? and sent_at < ?),
          replied as (select distinct guardian_id as id from family_texts where received_at >= ? and received_at < ?)
        select g.locale, count(*) as families, sum(t.id is not null) as texted, sum(r.id is not null) as replied
        from guardians g join family f on f.id = g.id
        left join texted t on t.id = g.id left join replied r on r.id = g.id
        group by g.locale`,
    )
    .all(start, end, start, end);
  const needs = raw
    .prepare(
      `select n.area, n.severity, count(*) as n from needs n join students s on s.id = n.student_id
        where n.created_at >= ? and n.created_at < ? ${students} group by n.area, n.severity`,
    )
    .all(start, end);
  return { navigators, trend, families, needs };
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

async function timed<T>(runs: number, fn: () => Promise<T> | T): Promise<{ value: T; best: number }> {
  let best = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = await fn();
    best = Math.min(best, performance.now() - t);
  }
  return { value: value as T, best };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'digest-bench-'));
  try {
    const path = join(dir, 'district.db');
    const db = openDatabase(path);
    const raw = engineOf(db).$client;
    const t = performance.now();
    const built = build(raw);
    const buildMs = performance.now() - t;
    const ctx: AppContext = {
      config: loadConfig({ DATABASE_URL: `file:${path}` }),
      db,
      logger: createLogger({ level: 'silent' }),
      clock: fixedClock(NOW),
      ids: () => 'id',
    };
    const digestOf = async (scope: { district: true } | { schoolId: string }): Promise<Digest> => {
      const r = await computeDigest(ctx, scope, WEEK);
      if (!r.ok) throw new Error(r.problem);
      return r.digest;
    };
    console.log(
      `\nDigest benchmark — ${cpus().length} CPU(s), ${process.version}, SQLite file in the temporary folder, ` +
        `load average ${load()}`,
    );
    console.log(
      `district: ${SCHOOLS} schools, ${STUDENTS.toLocaleString('en-US')} students and families, ${NAVIGATORS.toLocaleString('en-US')} navigators, ` +
        `${built.checkins.toLocaleString('en-US')} check-ins (${WEEKS} weeks), ${built.answers.toLocaleString('en-US')} answers, ` +
        `${NEEDS.toLocaleString('en-US')} needs, ${STUDENTS.toLocaleString('en-US')} texts; built in ${ms(buildMs)}`,
    );
    // Printed as they come: the district digest is the slow one.
    const school = await timed(RUNS, () => digestOf({ schoolId: 'sch-7' }));
    const sqlSchool = await timed(RUNS, () => handSql(raw, 'sch-7'));
    console.log(
      `one school:  computeDigest ${ms(school.best)}, hand-written SQL ${ms(sqlSchool.best)} (${(school.best / sqlSchool.best).toFixed(1)}x, best of ${RUNS})`,
    );
    const sqlDistrict = await timed(RUNS, () => handSql(raw, null));
    const district = await timed(RUNS, () => digestOf({ district: true }));
    console.log(
      `district:    computeDigest ${ms(district.best)}, hand-written SQL ${ms(sqlDistrict.best)} (${(district.best / sqlDistrict.best).toFixed(1)}x; best of ${RUNS})`,
    );

    // Shared machines make absolute times vary: the load they were measured under goes with them.
    console.log(`load average after the runs: ${load()}`);

    // The two ways must agree on the headline before their times mean anything.
    const last = sqlDistrict.value.trend.at(-1)!;
    const agree =
      last.completed === district.value.completion.completed &&
      last.expected === district.value.completion.expected;
    console.log(
      `\nheadline check: digest ${district.value.completion.completed}/${district.value.completion.expected} done, ` +
        `SQL ${last.completed}/${last.expected}: ${agree ? 'agree' : 'DIFFER'}. ` +
        'The SQL computes the headline figures only (navigator week, six-week trend, families by language, new ' +
        'needs); the digest also derives silence reasons, waiting needs, escalations and last week for the change.',
    );
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
