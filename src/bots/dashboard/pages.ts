import { DateTime } from 'luxon';
import type { CaseloadLine, NeedLine, Overview, ReferralLine } from '../../services/dashboard.js';
import { REFERRAL_STATUSES } from '../../store/schema/index.js';
import { NEED_AREAS, NEED_SEVERITIES, NEED_STATUSES } from '../../vocabulary.js';

// The dashboard's HTML, rendered on the server: no build step, one small script of our own that draws the
// charts from a JSON island in the page. Every value is escaped; the page's policy allows scripts from this
// server only.

/** A dashboard text in the viewer's language (`locales/<lng>/dashboard.json`). */
export type T = (key: string, params?: Record<string, string | number>) => string;

export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON safe inside a script element: no `</script>` or comment opener can end it early. */
function island(id: string, data: unknown): string {
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `<script type="application/json" id="${id}">${json}</script>`;
}

const pct = (rate: number | null) => (rate === null ? '–' : `${Math.round(rate * 100)}%`);
const signed = (n: number | null) => (n === null ? '–' : n > 0 ? `+${n}` : String(n));

/** What every page's frame needs: who is signed in, where the links go, the week and the CSRF token. */
export interface Frame {
  t: T;
  /** A need area's name in the viewer's language ('food_security' → 'Food'). */
  area: (area: string) => string;
  locale: string;
  zone: string;
  viewerName: string;
  sessionEnds: number;
  csrf: string;
  /** '/dashboard/s/<school>' or '/dashboard/district'. */
  base: string;
  placeName: string;
  week: string;
  active: 'overview' | 'needs' | 'referrals' | 'caseload';
  /** District sessions: the schools to switch to. */
  schools?: { id: string; name: string }[];
}

function time(ms: number, frame: Pick<Frame, 'zone' | 'locale'>): string {
  return DateTime.fromMillis(ms).setZone(frame.zone).setLocale(frame.locale).toFormat('ccc d LLL HH:mm');
}

export function page(frame: Frame, title: string, body: string): string {
  const { t } = frame;
  const tab = (key: Frame['active'], href: string, label: string) =>
    `<a href="${esc(href)}"${frame.active === key ? ' aria-current="page"' : ''}>${esc(label)}</a>`;
  const week = `?week=${encodeURIComponent(frame.week)}`;
  return `<!doctype html>
<html lang="${esc(frame.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(t('title'))}</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
</head>
<body>
<header>
  <h1>${esc(t('title'))} · <span id="place">${esc(frame.placeName)}</span></h1>
  <form method="get" class="week"><label>${esc(t('week'))} <input name="week" value="${esc(frame.week)}" pattern="\\d{4}-W\\d{2}" size="9"></label><button>${esc(t('show'))}</button></form>
  <span class="who">${esc(t('signedInAs', { name: frame.viewerName, until: time(frame.sessionEnds, frame) }))}</span>
  <form method="post" action="/dashboard/logout" class="logout"><input type="hidden" name="csrf" value="${esc(frame.csrf)}"><button>${esc(t('signOut'))}</button></form>
</header>
<nav>
  ${tab('overview', `${frame.base}${week}`, t('overview'))}
  ${tab('needs', `${frame.base}/needs${week}`, t('needs'))}
  ${tab('referrals', `${frame.base}/referrals${week}`, t('referrals'))}
  ${(frame.schools ?? []).map((s) => `<a class="school" href="/dashboard/s/${encodeURIComponent(s.id)}${week}">${esc(s.name)}</a>`).join('\n  ')}
</nav>
<main>
<h2>${esc(title)}</h2>
${body}
</main>
</body>
</html>`;
}

/** A refusal: one sentence in the person's language, and nothing else of the dashboard. */
export function refusalPage(locale: string, title: string, message: string): string {
  return `<!doctype html>
<html lang="${esc(locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="/dashboard/assets/dashboard.css"></head>
<body class="refused"><main><h1>${esc(title)}</h1><p id="reason">${esc(message)}</p></main></body>
</html>`;
}

function table(id: string, head: string[], rows: string[][], t: T): string {
  if (rows.length === 0) return `<p class="empty" id="${id}-empty">${esc(t('none'))}</p>`;
  return `<table id="${id}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}</tbody></table>`;
}

const td = (value: unknown, attrs = '') => `<td${attrs}>${esc(value)}</td>`;
const num = (value: number) => `<td class="n">${value}</td>`;

/** The overview: the digest's figures, three charts, and the navigators (each a link to their caseload). */
export function overviewPage(frame: Frame, o: Overview, caseloadBase: (schoolId: string) => string): string {
  const { t } = frame;
  const d = o.digest;
  const name = (id: string) => o.navigatorNames[id] ?? id;
  const figure = (key: string, label: string, value: string) =>
    `<div class="figure" data-figure="${key}"><span class="label">${esc(label)}</span><span class="value">${esc(value)}</span></div>`;
  const figures = [
    figure(
      'completion',
      t('figures.completion'),
      t('figures.completionValue', {
        completed: d.completion.completed,
        expected: d.completion.expected,
        rate: pct(d.completion.rate),
      }),
    ),
    figure(
      'change',
      t('figures.change'),
      t('figures.changeValue', { change: signed(d.change.completionRate) }),
    ),
    figure(
      'late',
      t('figures.late'),
      `${d.navigators.filter((n) => n.late).length} / ${d.navigators.length}`,
    ),
    figure(
      'families',
      t('figures.families'),
      t('figures.familiesValue', { replied: d.families.replied, texted: d.families.texted }),
    ),
    figure(
      'silent',
      t('figures.silent', { weeks: d.families.silent.weeks }),
      String(d.families.silent.total),
    ),
    figure('newNeeds', t('figures.newNeeds'), String(d.needs.newThisWeek.total)),
    figure(
      'waiting',
      t('figures.waiting', { days: d.needs.waitingWithoutReferral.olderThanDays }),
      String(d.needs.waitingWithoutReferral.total),
    ),
    figure(
      'referrals',
      t('figures.referrals'),
      t('figures.referralsValue', {
        total: d.referrals.waiting.total,
        referred: d.referrals.waiting.byStatus.referred,
        connected: d.referrals.waiting.byStatus.connected,
        receiving: d.referrals.waiting.byStatus.receiving,
      }),
    ),
    figure(
      'escalations',
      t('figures.escalations'),
      t('figures.escalationsValue', { open: d.escalations.open, overdue: d.escalations.overdue }),
    ),
  ].join('\n');
  const navigators = d.navigators.map((n) => ({ ...n, name: name(n.navigatorId) }));
  const chartData = {
    completionByNavigator: {
      labels: navigators.map((n) => n.name),
      met: navigators.map((n) => n.met),
      attempted: navigators.map((n) => n.notReached),
      notDone: navigators.map((n) => n.missed + n.open + n.notStarted),
      series: [t('charts.met'), t('charts.attempted'), t('charts.notDone')],
    },
    needsByArea: {
      weeks: o.needsByWeek.weeks,
      series: Object.entries(o.needsByWeek.byArea).map(([area, counts]) => ({
        area,
        label: frame.area(area),
        counts,
      })),
    },
    responseByLanguage: {
      labels: o.responseByLanguage.map((l) => l.locale),
      rates: o.responseByLanguage.map((l) => (l.rate === null ? null : Math.round(l.rate * 100))),
      texted: o.responseByLanguage.map((l) => l.texted),
      replied: o.responseByLanguage.map((l) => l.replied),
      series: t('charts.rate'),
    },
  };
  const chart = (id: string, title: string) =>
    `<figure><figcaption>${esc(title)}</figcaption><div class="chart"><canvas id="${id}" role="img" aria-label="${esc(title)}"></canvas></div></figure>`;
  const c = (k: string) => t(`columns.${k}`);
  const rows = navigators.map((n) => [
    `<td><a href="${esc(caseloadBase(n.schoolId))}/navigator/${encodeURIComponent(n.navigatorId)}?week=${encodeURIComponent(d.week)}">${esc(n.name)}</a></td>`,
    ...(d.scope === 'district' ? [td(d.schools.find((s) => s.id === n.schoolId)?.name ?? n.schoolId)] : []),
    num(n.caseload),
    num(n.met),
    num(n.notReached),
    num(n.skipped),
    num(n.missed),
    num(n.open),
    num(n.notStarted),
    td(n.late ? t('yes') : '', n.late ? ' class="late"' : ''),
  ]);
  const head = [
    c('navigator'),
    ...(d.scope === 'district' ? [c('school')] : []),
    ...['caseload', 'met', 'notReached', 'skipped', 'missed', 'open', 'notStarted', 'late'].map(c),
  ];
  return `<p class="asof">${esc(d.week)} · ${esc(t('asOf', { time: time(d.asOf, frame) }))}</p>
<section class="figures">${figures}</section>
<section class="charts">
${chart('chart-completion', t('charts.completionByNavigator'))}
${chart('chart-needs', t('charts.needsByArea'))}
${chart('chart-response', t('charts.responseByLanguage'))}
</section>
<section><p><a class="csv" href="${esc(frame.base)}/navigators.csv?week=${encodeURIComponent(d.week)}">${esc(t('exportCsv'))}</a></p>
${table('navigators', head, rows, t)}</section>
${island('chart-data', chartData)}
<script src="/dashboard/assets/chart.umd.min.js"></script>
<script src="/dashboard/assets/dashboard.js"></script>`;
}

/** One navigator's caseload this week. */
export function caseloadPage(frame: Frame, lines: CaseloadLine[], csvHref: string): string {
  const { t } = frame;
  const c = (k: string) => t(`columns.${k}`);
  const rows = lines.map((s) => [
    td(s.label),
    td(s.studentId),
    td(s.grade),
    td(s.status ?? t('noCheckin'), ` data-status="${esc(s.status ?? '')}"`),
    num(s.openNeeds),
  ]);
  return `<p><a href="${esc(frame.base)}?week=${encodeURIComponent(frame.week)}">${esc(t('back'))}</a> · <a class="csv" href="${esc(csvHref)}">${esc(t('exportCsv'))}</a></p>
${table('caseload', [c('student'), c('studentId'), c('grade'), c('status'), c('openNeeds')], rows, t)}`;
}

/** Filters of the needs and referrals lists, kept in the query string so a filtered list can be shared. */
export interface ListFilters {
  area?: string | undefined;
  severity?: string | undefined;
  status?: string | undefined;
  navigatorId?: string | undefined;
}

/** A needs or referrals list with its filter form and CSV link. */
export function listPage(
  frame: Frame,
  list: { kind: 'needs'; lines: NeedLine[] } | { kind: 'referrals'; lines: ReferralLine[] },
  capped: boolean,
  filters: ListFilters,
  navigators: { id: string; name: string }[],
  csvHref: string,
): string {
  const { t } = frame;
  const c = (k: string) => t(`columns.${k}`);
  const select = (name: keyof ListFilters, label: string, options: { value: string; label: string }[]) =>
    `<label>${esc(label)} <select name="${name}"><option value="">${esc(t('any'))}</option>${options
      .map(
        (o) =>
          `<option value="${esc(o.value)}"${filters[name] === o.value ? ' selected' : ''}>${esc(o.label)}</option>`,
      )
      .join('')}</select></label>`;
  const plain = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));
  const areas = NEED_AREAS.map((v) => ({ value: v, label: frame.area(v) }));
  const statuses = list.kind === 'referrals' ? REFERRAL_STATUSES : NEED_STATUSES;
  const form = `<form method="get" class="filters" id="filters">
<input type="hidden" name="week" value="${esc(frame.week)}">
${select('area', c('area'), areas)}
${select('severity', c('severity'), plain(NEED_SEVERITIES))}
${select('status', c('status'), plain(statuses))}
${select(
  'navigatorId',
  c('navigator'),
  navigators.map((n) => ({ value: n.id, label: n.name })),
)}
<button>${esc(t('filter'))}</button>
</form>`;
  const student = (n: NeedLine | ReferralLine) => [
    td(n.label),
    td(n.studentId),
    td(n.grade),
    td(n.navigatorName ?? '–'),
    td(frame.area(n.area), ` data-area="${esc(n.area)}"`),
    `<td><span class="pill ${esc(n.severity)}">${esc(n.severity)}</span></td>`,
  ];
  const date = (ms: number) => td(DateTime.fromMillis(ms).setZone(frame.zone).toISODate());
  const head = [c('student'), c('studentId'), c('grade'), c('navigator'), c('area'), c('severity')];
  const body =
    list.kind === 'needs'
      ? table(
          'needs',
          [...head, c('tier'), c('status'), c('source'), c('since')],
          list.lines.map((n) => [...student(n), num(n.tier), td(n.status), td(n.source), date(n.createdAt)]),
          t,
        )
      : table(
          'referrals',
          [...head, c('referral'), c('status'), c('followUp'), c('since')],
          list.lines.map((r) => [
            ...student(r),
            td(r.serviceName),
            td(r.status),
            td(r.followUpAnswer ?? '–'),
            date(r.createdAt),
          ]),
          t,
        );
  return `${form}
<p><a class="csv" href="${esc(csvHref)}">${esc(t('exportCsv'))}</a> · <span id="count">${list.lines.length}</span></p>
${capped ? `<p class="capped">${esc(t('capped', { n: list.lines.length }))}</p>` : ''}
${body}`;
}
