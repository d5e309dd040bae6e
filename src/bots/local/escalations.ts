import type { Request, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { Texts } from '../../i18n/index.js';
import { staffText } from '../../i18n/staff.js';
import type { MessageOrigin, MessagePayload } from '../../messages.js';
import { actOnEscalation } from '../../services/escalation-actions.js';
import { alertOf } from '../../services/escalation-alerts.js';
import type { EscalationAction, EscalationOutcome } from '../../services/escalation-rules.js';
import { escalationAssignees, escalationCard, escalationDetails } from '../../services/escalation-view.js';
import { StaffDirectory } from '../../services/staff-directory.js';
import {
  ACTION_TEXT,
  type AlertAction,
  type AlertPlan,
  detailsPlan,
  escalationAlertPlan,
  OUTCOMES,
  outcomeText,
} from '../chat/escalation-alert.js';

// The simulator's face of a counselor's escalation alert: the same plan Slack and Teams render, read from the
// escalation's state each time the thread is shown (so a button never outlives its state), and the same
// actions, refusals and private details through the escalation service.

/** An alert as the simulator page renders it, with the choices its panels offer. */
export interface SimulatorAlert extends AlertPlan {
  id: string;
  /** Button labels, and the placeholders of the note, reassign and outcome fields. */
  labels: Record<AlertAction | 'notePlaceholder' | 'reassignPlaceholder' | 'outcomePlaceholder', string>;
  outcomes: { id: EscalationOutcome; label: string }[];
  counselors: { id: string; name: string }[];
}

/** The alert a simulator message shows, in its current state; null when the message is not an alert. */
export async function simulatorAlert(
  ctx: AppContext,
  texts: Texts,
  row: { payload: unknown; origin: MessageOrigin | null; locale: string; recipientId: string },
): Promise<SimulatorAlert | null> {
  const alert = alertOf({ payload: row.payload as MessagePayload, origin: row.origin });
  if (!alert) return null;
  const card = await escalationCard(ctx, alert.escalationId);
  if (!card) return null;
  const locale = texts.resolveLocale(row.locale);
  const counselors = await escalationAssignees(ctx, card.id);
  const label = (a: AlertAction) => staffText(locale, ACTION_TEXT[a]);
  return {
    ...escalationAlertPlan(texts, card, locale, alert.notice),
    id: card.id,
    labels: {
      claim: label('claim'),
      acknowledge: label('acknowledge'),
      note: label('note'),
      reassign: label('reassign'),
      resolve: label('resolve'),
      details: label('details'),
      notePlaceholder: staffText(locale, 'alertNoteLabel'),
      reassignPlaceholder: staffText(locale, 'alertReassignPlaceholder'),
      outcomePlaceholder: staffText(locale, 'alertOutcomePlaceholder'),
    },
    outcomes: OUTCOMES.map((o) => ({ id: o, label: outcomeText(locale, o) })),
    counselors,
  };
}

const ActionBody = z.discriminatedUnion('action', [
  z.object({ ref: z.string().min(1).max(64), action: z.literal('claim') }),
  z.object({ ref: z.string().min(1).max(64), action: z.literal('acknowledge') }),
  z.object({ ref: z.string().min(1).max(64), action: z.literal('note'), text: z.string().max(4000) }),
  z.object({ ref: z.string().min(1).max(64), action: z.literal('reassign'), to: z.string().max(200) }),
  z.object({
    ref: z.string().min(1).max(64),
    action: z.literal('resolve'),
    outcome: z.string().max(64),
    note: z.string().max(4000).optional(),
  }),
]);

function escalationAction(body: z.infer<typeof ActionBody>): EscalationAction {
  switch (body.action) {
    case 'claim':
      return { kind: 'claim' };
    case 'acknowledge':
      return { kind: 'acknowledge' };
    case 'note':
      return { kind: 'note', text: body.text };
    case 'reassign':
      return { kind: 'reassign', to: body.to };
    case 'resolve':
      // The service checks the outcome and refuses an unknown one in the person's words.
      return {
        kind: 'resolve',
        outcome: body.outcome as EscalationOutcome,
        ...(body.note?.trim() ? { note: body.note.trim() } : {}),
      };
  }
}

/**
 * POST /staff/:id/escalation `{ ref, action, … }` acts as that staff member and answers the service's sentence
 * (`message`), refusals with 404/409; GET /staff/:id/escalation/:ref/details opens the private view for them.
 */
export function registerEscalationRoutes(router: Router, ctx: AppContext, texts: Texts): void {
  router.post('/staff/:id/escalation', async (req: Request<{ id: string }>, res) => {
    const body = ActionBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({
        error: 'bad_request',
        message: 'Send { ref, action: claim | acknowledge | note | reassign | resolve } with its fields.',
      });
      return;
    }
    const result = await actOnEscalation(ctx, body.data.ref, req.params.id, escalationAction(body.data));
    if (!result.ok) {
      const status = result.refusal === 'not_found' || result.refusal === 'unknown_staff' ? 404 : 409;
      res.status(status).json({ error: result.refusal, message: result.message });
      return;
    }
    res.json({ ok: true, id: result.card.id, status: result.card.status, message: result.message });
  });

  router.get('/staff/:id/escalation/:ref/details', async (req: Request<{ id: string; ref: string }>, res) => {
    const result = await escalationDetails(ctx, req.params.ref, req.params.id);
    if (!result.ok) {
      const status = result.refusal === 'not_found' || result.refusal === 'unknown_staff' ? 404 : 403;
      res.status(status).json({ error: result.refusal, message: result.message });
      return;
    }
    const staff = await new StaffDirectory(ctx).byId(req.params.id);
    const locale = texts.resolveLocale(staff?.locale);
    res.json({
      ...detailsPlan(texts, result.details, locale),
      labels: {
        note: staffText(locale, 'alertLabelNote'),
        familyWords: staffText(locale, 'alertLabelFamilyWords'),
        history: staffText(locale, 'alertLabelHistory'),
      },
    });
  });
}
