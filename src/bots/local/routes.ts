import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { SimulatorView } from '../../demo/simulator.js';
import type { DialogInput } from '../../dialogs/types.js';
import type { Texts } from '../../i18n/index.js';
import type { MessagePayload } from '../../messages.js';
import type { CheckinOutcome, CheckinService } from '../../services/checkins.js';
import { registerEscalationRoutes, simulatorAlert } from './escalations.js';
import { simulatorGuard } from './guard.js';
import { leadRoutes } from './lead-routes.js';

const PAGE = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/simulator.html');

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Español',
  ar: 'العربية',
  zh: '中文',
  vi: 'Tiếng Việt',
  pt: 'Português',
  ht: 'Kreyòl ayisyen',
  so: 'Soomaali',
  ru: 'Русский',
};

/** A typed or tapped message from a simulated person, kept in memory for the transcript only. */
interface InboundLine {
  direction: 'in';
  text: string;
  createdAt: number;
}

export interface LocalDeps {
  checkins: CheckinService;
  texts: Texts;
  /** Delivers a simulated SMS through the same handler as Twilio's webhook. */
  sendFamilySms(guardianId: string, text: string): Promise<void> | void;
  /** Runs the outbox relay once, so a person sees replies without waiting for the next tick. */
  flush(): Promise<void>;
}

const NavigatorInputBody = z.union([
  z.object({ choiceIds: z.array(z.string()).min(1) }),
  z.object({ text: z.string().trim().min(1).max(2000) }),
  z.object({
    command: z.enum(['stop', 'resume', 'skip_student', 'ask_counselor']),
    note: z.string().optional(),
  }),
]);

function problem(res: Response, outcome: CheckinOutcome): boolean {
  if (outcome.ok) return false;
  const status = outcome.problem === 'checkin:unknown_participant' ? 404 : 409;
  res.status(status).json({ error: outcome.problem, message: PROBLEM_TEXT[outcome.problem] });
  return true;
}

const PROBLEM_TEXT: Record<string, string> = {
  'checkin:unknown_participant': 'No such person in the roster.',
  'checkin:no_students': 'No students are assigned.',
  'checkin:no_active_session': "No check-in is running: press 'Start or resume this week's check-ins' first.",
  'checkin:no_phone': 'This family has no phone number on file.',
  'checkin:not_reachable': 'This family has opted out or cannot be texted.',
  'checkin:shared_phone':
    "This phone is shared: the week's check-in goes to the other guardian at this number.",
  'checkin:no_channel': 'This navigator cannot be reached in chat.',
  'checkin:no_sms_channel': 'Texting is not set up.',
  'checkin:week_done': "This week's check-ins are all done.",
  'checkin:week_over': 'This week is over; the next check-ins start with the next weekly prompt.',
  'checkin:no_consent': 'This family has not agreed to texts yet (no consent on file).',
  'checkin:conflict': 'That answer arrived twice; the first one counted.',
};

/**
 * The local simulator (local mode only: it shows roster data without sign-in, so it is never mounted when a
 * real channel is configured). A person plays a navigator or a family phone through the real engine.
 */
export function localRoutes(deps: LocalDeps) {
  return (app: Express, ctx: AppContext): void => {
    const guard = simulatorGuard();
    const page = readFileSync(PAGE, 'utf8').replace('__SIM_TOKEN__', guard.token);
    const inbound = new Map<string, InboundLine[]>();
    const remember = (who: string, text: string) => {
      const lines = inbound.get(who) ?? [];
      lines.push({ direction: 'in', text, createdAt: ctx.clock() });
      inbound.set(who, lines.slice(-200));
    };
    const view = new SimulatorView(ctx);
    const router = express.Router();
    router.use(guard.api);
    router.use(express.json({ limit: '16kb' }));
    router.use('/lead', leadRoutes(ctx, deps.texts));

    app.get('/', guard.page, (_req, res) => {
      res.type('html').send(page);
    });

    router.get('/people', async (_req, res) => {
      const people = await view.people();
      const navigators = people.navigators.map((s) => ({
        id: s.id,
        name: s.name,
        school: s.school,
        students: s.students,
        locale: s.locale,
      }));
      const guardians = people.guardians.map((g) => ({
        id: g.id,
        name: g.name,
        language: LANGUAGE_NAMES[g.locale] ?? g.locale,
        smsStatus: g.smsStatus,
        children: g.children.map((s) => s.firstName),
      }));
      const staff = people.staff.map((s) => ({
        id: s.id,
        name: s.name,
        role: s.role === 'counselor' ? 'Counselor' : 'Lead navigator',
        school: s.school,
      }));
      res.json({ navigators, guardians, staff });
    });

    router.get('/thread/:kind/:id', async (req: Request<{ kind: string; id: string }>, res) => {
      const { id } = req.params;
      const rows = await view.messagesTo(id);
      const lastWithChoices = rows.findLast((r) => (r.payload as MessagePayload).choices?.length)?.id;
      const fmt = (ms: number) =>
        DateTime.fromMillis(ms).setZone(ctx.config.defaultTimezone).toFormat('ccc HH:mm ZZZZ');
      const out = await Promise.all(
        rows.map(async (r) => {
          const rendered = deps.texts.render(r.payload as MessagePayload, r.locale);
          const held = r.status === 'pending' && r.notBefore > ctx.clock();
          return {
            direction: 'out' as const,
            createdAt: r.createdAt,
            at: fmt(r.createdAt),
            text: r.body ?? rendered.text,
            choices: r.channel === 'sms' ? [] : rendered.choices,
            multiple: (r.payload as MessagePayload).multiple ?? false,
            live: r.id === lastWithChoices,
            locale: rendered.locale,
            dir: rendered.dir,
            status: r.status,
            heldUntil: held ? fmt(r.notBefore) : null,
            segments: r.segments,
            encoding: r.encoding,
            // A counselor's escalation alert, in its current state, with the actions that state allows.
            alert: await simulatorAlert(ctx, deps.texts, r),
          };
        }),
      );
      const ins = (inbound.get(id) ?? []).map((l) => ({ ...l, at: fmt(l.createdAt) }));
      const messages = [...out, ...ins].sort((a, b) => a.createdAt - b.createdAt);
      res.json({ messages });
    });

    router.post('/navigator/:id/start', async (req: Request<{ id: string }>, res) => {
      const outcome = await deps.checkins.startNavigator(req.params.id);
      if (problem(res, outcome)) return;
      await deps.flush();
      res.json(outcome);
    });

    router.post('/navigator/:id/input', async (req: Request<{ id: string }>, res) => {
      const body = NavigatorInputBody.safeParse(req.body);
      if (!body.success) {
        res
          .status(400)
          .json({ error: 'bad_request', message: 'Send { choiceIds }, { text } or { command }.' });
        return;
      }
      const b = body.data;
      const input: DialogInput =
        'choiceIds' in b
          ? { kind: 'choice', choiceIds: b.choiceIds }
          : 'text' in b
            ? { kind: 'text', text: b.text }
            : { kind: 'command', command: b.command, ...(b.note ? { note: b.note } : {}) };
      if ('text' in b) remember(req.params.id, b.text);
      if ('command' in b) remember(req.params.id, `[${b.command.replace('_', ' ')}]`);
      const outcome = await deps.checkins.input('navigator', req.params.id, input);
      if (problem(res, outcome)) return;
      await deps.flush();
      res.json(outcome);
    });

    router.post('/family/:id/start', async (req: Request<{ id: string }>, res) => {
      const outcome = await deps.checkins.startFamily(req.params.id);
      if (problem(res, outcome)) return;
      await deps.flush();
      res.json(outcome);
    });

    router.post('/family/:id/sms', async (req: Request<{ id: string }>, res) => {
      const body = z.object({ text: z.string().trim().min(1).max(1600) }).safeParse(req.body);
      if (!body.success) {
        res.status(400).json({ error: 'bad_request', message: 'Send { text }.' });
        return;
      }
      remember(req.params.id, body.data.text);
      await deps.sendFamilySms(req.params.id, body.data.text);
      await deps.flush();
      res.json({ ok: true });
    });

    registerEscalationRoutes(router, ctx, deps.texts);

    router.post('/release-held', async (_req, res) => {
      const released = await view.releaseHeld();
      await deps.flush();
      res.json({ released });
    });

    router.get('/records', async (_req, res) => {
      const period = deps.checkins.periodNow();
      const records = await view.records(period);
      const byNavigator = new Map<string, { navigator: string; completed: number; open: number }>();
      for (const c of records.checkins) {
        const entry = byNavigator.get(c.navigatorId ?? '') ?? { navigator: c.name, completed: 0, open: 0 };
        if (c.status === 'completed') entry.completed += 1;
        else if (c.status === 'pending' || c.status === 'in_progress') entry.open += 1;
        byNavigator.set(c.navigatorId ?? '', entry);
      }
      const initials = (first?: string | null, last?: string | null) =>
        first ? `${first} ${last ? `${last[0]}.` : ''}`.trim() : '—';
      res.json({
        period,
        checkins: [...byNavigator.values()],
        needs: records.needs.map((n) => ({ ...n, student: initials(n.firstName, n.lastName) })),
        escalations: records.escalations.map((e) => ({ ...e, student: initials(e.firstName, e.lastName) })),
        answers: records.answers.map((a) => ({
          student: a.firstName ?? '',
          question: a.questionText,
          answer: a.rawText ?? (typeof a.value === 'string' ? a.value : JSON.stringify(a.value)),
        })),
      });
    });

    app.use('/sim/api', router);
  };
}
