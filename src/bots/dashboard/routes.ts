import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { AppContext } from '../../context.js';
import type { Texts } from '../../i18n/index.js';
import {
  type DashboardProblem,
  dashboardOverview,
  dashboardPlace,
  type ListQuery,
  type NeedLine,
  navigatorCaseload,
  needList,
  type ReferralLine,
  referralList,
  type Viewer,
  weekOrNow,
} from '../../services/dashboard.js';
import {
  csrfToken,
  type DashboardClaims,
  type DashboardScope,
  holderOf,
  sessionFromLink,
  verifyToken,
} from '../../services/dashboard-links.js';
import { STAFF_LOCALES } from '../../vocabulary.js';
import {
  caseloadPage,
  type Frame,
  type ListFilters,
  listPage,
  overviewPage,
  page,
  refusalPage,
  type T,
} from './pages.js';
import { clearedCookie, readSession, sameSiteRequest, sessionCookie } from './session.js';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
/** Chart.js's UMD build, served as it ships: the browser needs no bundler. */
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

const ASSETS: Record<string, { file: string; type: string }> = {
  'chart.umd.min.js': { file: CHART_JS, type: 'text/javascript' },
  'dashboard.js': { file: join(WEB, 'dashboard.js'), type: 'text/javascript' },
  'dashboard.css': { file: join(WEB, 'dashboard.css'), type: 'text/css' },
};

/** Scripts and styles from this server only; no framing; the link's token never leaves in a Referer. */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  });
  next();
}

type Refusal =
  | 'malformed'
  | 'bad_signature'
  | 'expired'
  | 'wrong_use'
  | 'no_session'
  | 'unknown_staff'
  | 'wrong_scope'
  | 'unknown_school'
  | 'unknown_navigator'
  | 'invalid_week'
  | 'invalid_filter'
  | 'cross_site';

const STATUS: Partial<Record<Refusal, number>> = {
  unknown_school: 404,
  unknown_navigator: 404,
  invalid_week: 400,
  invalid_filter: 400,
};

const refusalOf = (problem: DashboardProblem | string): Refusal =>
  problem.replace(/^dashboard:/, '').replace('not_allowed', 'unknown_staff') as Refusal;

/** A signed-in viewer as the pages need them. */
interface Session extends Viewer {
  claims: DashboardClaims;
  name: string;
  locale: string;
}

function homeOf(scope: DashboardScope): string {
  return 'district' in scope ? '/dashboard/district' : `/dashboard/s/${encodeURIComponent(scope.schoolId)}`;
}

const CSV_FORMULA = /^[=+\-@\t\r]/;
/** A spreadsheet must not run a cell as a formula (a name starting with '=' is text). */
const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return CSV_FORMULA.test(s) ? `'${s}` : s;
};

function sendCsv(res: Response, name: string, header: string[], rows: unknown[][]): void {
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('content-disposition', `attachment; filename="${name}.csv"`)
    .send(stringify([header, ...rows.map((r) => r.map(cell))]));
}

/**
 * The lead navigators' dashboard at /dashboard: a signed link is exchanged for a session cookie, then the
 * overview, one navigator's caseload, the needs and referrals lists (with CSV) of the link's school, or of the
 * district. Every list view is audited by the service that reads it.
 */
export function dashboardRoutes(deps: { texts: Texts }) {
  return (app: Express, ctx: AppContext): void => {
    const { config } = ctx;
    const hours = Math.round(config.dashboard.linkTtlMs / 3_600_000);
    const staffLocale = (locale: string | undefined) =>
      (STAFF_LOCALES as readonly string[]).includes(locale ?? '') ? locale! : 'en';
    const tFor =
      (locale: string): T =>
      (key, params = {}) =>
        deps.texts.t(`dashboard.${key}`, locale, params).text;
    const browserLocale = (req: Request) => staffLocale(req.acceptsLanguages(...STAFF_LOCALES) || 'en');

    const refuse = (res: Response, locale: string, reason: Refusal) => {
      const t = tFor(locale);
      res
        .status(STATUS[reason] ?? 403)
        .type('html')
        .send(refusalPage(locale, t('refused.title'), t(`refused.${reason}`, { hours })));
    };

    const router = express.Router();
    router.use(securityHeaders);

    router.get('/assets/:name', (req: Request<{ name: string }>, res) => {
      const asset = ASSETS[req.params.name];
      if (!asset) {
        res.status(404).end();
        return;
      }
      res.set('cache-control', 'public, max-age=3600').type(asset.type).sendFile(asset.file);
    });

    // The link: verified, checked against the roster, swapped for a session cookie, then a clean URL.
    router.get('/', async (req, res) => {
      const now = ctx.clock();
      const token = typeof req.query.t === 'string' ? req.query.t : undefined;
      if (token === undefined) {
        const session = readSession(req, config, now);
        if (session?.ok) {
          const holder = await holderOf(ctx, session.claims);
          if (holder.ok) {
            res.redirect(303, homeOf(holder.scope));
            return;
          }
        }
        refuse(res, browserLocale(req), 'no_session');
        return;
      }
      const verified = verifyToken(config.dashboard.secret, token, 'link', now);
      if (!verified.ok) {
        refuse(res, browserLocale(req), verified.problem);
        return;
      }
      const holder = await holderOf(ctx, verified.claims);
      if (!holder.ok) {
        refuse(res, browserLocale(req), refusalOf(holder.problem));
        return;
      }
      res.set('set-cookie', sessionCookie(config, sessionFromLink(verified.claims), now));
      res.redirect(303, homeOf(holder.scope));
    });

    const signedIn = async (req: Request, res: Response): Promise<Session | undefined> => {
      const session = readSession(req, config, ctx.clock());
      if (!session) return void refuse(res, browserLocale(req), 'no_session');
      if (!session.ok) return void refuse(res, browserLocale(req), session.problem);
      const holder = await holderOf(ctx, session.claims);
      if (!holder.ok) return void refuse(res, browserLocale(req), refusalOf(holder.problem));
      return {
        staffId: holder.staffId,
        scope: holder.scope,
        claims: session.claims,
        name: holder.name,
        locale: staffLocale(holder.locale),
      };
    };

    router.post('/logout', express.urlencoded({ extended: false, limit: '2kb' }), async (req, res) => {
      const session = await signedIn(req, res);
      if (!session) return;
      if (!sameSiteRequest(req, config, session.claims, (req.body as { csrf?: unknown } | undefined)?.csrf)) {
        refuse(res, session.locale, 'cross_site');
        return;
      }
      const t = tFor(session.locale);
      res
        .set('set-cookie', clearedCookie(config))
        .status(200)
        .type('html')
        .send(refusalPage(session.locale, t('title'), t('signedOut')));
    });

    const place = (prefix: string, schoolOf: (req: Request) => string | undefined) => {
      const frameFor = async (
        req: Request,
        res: Response,
        active: Frame['active'],
      ): Promise<
        | {
            session: Session;
            frame: Frame;
            week: string;
            schoolId: string | undefined;
            navigators: { id: string; name: string }[];
          }
        | undefined
      > => {
        const session = await signedIn(req, res);
        if (!session) return undefined;
        const week = weekOrNow(ctx, typeof req.query.week === 'string' ? req.query.week : undefined);
        if (!week) return void refuse(res, session.locale, 'invalid_week');
        const schoolId = schoolOf(req);
        const where = await dashboardPlace(ctx, session, schoolId);
        if (!where.ok) return void refuse(res, session.locale, refusalOf(where.problem));
        const t = tFor(session.locale);
        const frame: Frame = {
          t,
          area: (area) => deps.texts.t(`navigator.area.${area}`, session.locale).text,
          locale: session.locale,
          zone: config.defaultTimezone,
          viewerName: session.name,
          sessionEnds: session.claims.exp,
          csrf: csrfToken(config.dashboard.secret, session.claims),
          base: schoolId ? `/dashboard/s/${encodeURIComponent(schoolId)}` : '/dashboard/district',
          placeName: where.value.name ?? t('district'),
          week,
          active,
          ...(where.value.schools.length ? { schools: where.value.schools } : {}),
        };
        return { session, frame, week, schoolId, navigators: where.value.navigators };
      };

      router.get(prefix, async (req, res) => {
        const at = await frameFor(req, res, 'overview');
        if (!at) return;
        const o = await dashboardOverview(ctx, at.session, at.schoolId, at.week);
        if (!o.ok) return refuse(res, at.session.locale, refusalOf(o.problem));
        const html = overviewPage(
          at.frame,
          o.value,
          (schoolId) => `/dashboard/s/${encodeURIComponent(schoolId)}`,
        );
        res.type('html').send(page(at.frame, at.frame.t('overview'), html));
      });

      router.get(`${prefix}/navigators.csv`, async (req, res) => {
        const at = await frameFor(req, res, 'overview');
        if (!at) return;
        const o = await dashboardOverview(ctx, at.session, at.schoolId, at.week);
        if (!o.ok) return refuse(res, at.session.locale, refusalOf(o.problem));
        sendCsv(
          res,
          `navigators-${at.week}`,
          [
            'week',
            'school',
            'navigator_id',
            'navigator',
            'caseload',
            'met',
            'not_reached',
            'skipped',
            'missed',
            'open',
            'not_started',
            'late',
          ],
          o.value.digest.navigators.map((n) => [
            at.week,
            n.schoolId,
            n.navigatorId,
            o.value.navigatorNames[n.navigatorId] ?? n.navigatorId,
            n.caseload,
            n.met,
            n.notReached,
            n.skipped,
            n.missed,
            n.open,
            n.notStarted,
            n.late ? 'yes' : 'no',
          ]),
        );
      });

      const caseload = async (req: Request<{ navigatorId: string }>, res: Response, csv: boolean) => {
        const at = await frameFor(req, res, 'caseload');
        if (!at) return;
        if (!at.schoolId) return refuse(res, at.session.locale, 'unknown_navigator');
        const view = csv ? 'caseload.csv' : 'caseload';
        const r = await navigatorCaseload(
          ctx,
          at.session,
          at.schoolId,
          req.params.navigatorId,
          at.week,
          view,
        );
        if (!r.ok) return refuse(res, at.session.locale, refusalOf(r.problem));
        const href = `${at.frame.base}/navigator/${encodeURIComponent(r.value.navigator.id)}/caseload.csv?week=${encodeURIComponent(at.week)}`;
        if (csv)
          return sendCsv(
            res,
            `caseload-${r.value.navigator.id}-${at.week}`,
            ['week', 'navigator_id', 'student', 'student_id', 'grade', 'checkin_status', 'open_needs'],
            r.value.students.map((s) => [
              at.week,
              r.value.navigator.id,
              s.label,
              s.studentId,
              s.grade,
              s.status ?? '',
              s.openNeeds,
            ]),
          );
        const title = at.frame.t('caseloadOf', { name: r.value.navigator.name, week: at.week });
        res.type('html').send(page(at.frame, title, caseloadPage(at.frame, r.value.students, href)));
      };
      router.get(`${prefix}/navigator/:navigatorId`, (req, res) => caseload(req, res, false));
      router.get(`${prefix}/navigator/:navigatorId/caseload.csv`, (req, res) => caseload(req, res, true));

      const list = async (req: Request, res: Response, kind: 'needs' | 'referrals', csv: boolean) => {
        const at = await frameFor(req, res, kind);
        if (!at) return;
        const q = (name: string) =>
          typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined;
        const filters: ListFilters & ListQuery = {
          area: q('area'),
          severity: q('severity'),
          status: q('status'),
          navigatorId: q('navigatorId'),
        };
        const options = { all: csv, view: csv ? `${kind}.csv` : kind };
        const found =
          kind === 'needs'
            ? await needList(ctx, at.session, at.schoolId, filters, options)
            : await referralList(ctx, at.session, at.schoolId, filters, options);
        if (!found.ok) return refuse(res, at.session.locale, refusalOf(found.problem));
        const date = (ms: number) => DateTime.fromMillis(ms).setZone(config.defaultTimezone).toISODate();
        if (csv && kind === 'needs')
          return sendCsv(
            res,
            `needs-${at.week}`,
            [
              'need_id',
              'student',
              'student_id',
              'grade',
              'school',
              'navigator',
              'area',
              'severity',
              'tier',
              'status',
              'source',
              'created',
            ],
            (found.value.lines as NeedLine[]).map((n) => [
              n.id,
              n.label,
              n.studentId,
              n.grade,
              n.schoolId,
              n.navigatorName ?? '',
              n.area,
              n.severity,
              n.tier,
              n.status,
              n.source,
              date(n.createdAt),
            ]),
          );
        if (csv)
          return sendCsv(
            res,
            `referrals-${at.week}`,
            [
              'referral_id',
              'need_id',
              'student',
              'student_id',
              'grade',
              'school',
              'navigator',
              'area',
              'severity',
              'service',
              'status',
              'follow_up',
              'created',
              'updated',
            ],
            (found.value.lines as ReferralLine[]).map((r) => [
              r.id,
              r.needId,
              r.label,
              r.studentId,
              r.grade,
              r.schoolId,
              r.navigatorName ?? '',
              r.area,
              r.severity,
              r.serviceName,
              r.status,
              r.followUpAnswer ?? '',
              date(r.createdAt),
              date(r.updatedAt),
            ]),
          );
        const query = new URLSearchParams({ week: at.week });
        for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
        const shown =
          kind === 'needs'
            ? { kind, lines: found.value.lines as NeedLine[] }
            : { kind, lines: found.value.lines as ReferralLine[] };
        const html = listPage(
          at.frame,
          shown,
          found.value.capped,
          filters,
          at.navigators,
          `${at.frame.base}/${kind}.csv?${query}`,
        );
        res.type('html').send(page(at.frame, at.frame.t(kind), html));
      };
      router.get(`${prefix}/needs`, (req, res) => list(req, res, 'needs', false));
      router.get(`${prefix}/needs.csv`, (req, res) => list(req, res, 'needs', true));
      router.get(`${prefix}/referrals`, (req, res) => list(req, res, 'referrals', false));
      router.get(`${prefix}/referrals.csv`, (req, res) => list(req, res, 'referrals', true));
    };

    place('/district', () => undefined);
    place('/s/:schoolId', (req) => (req.params as { schoolId?: string }).schoolId);

    app.use('/dashboard', router);
  };
}
