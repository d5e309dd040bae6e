import type { AppContext } from '../context.js';
import type { DialogContext, Effect } from '../dialogs/types.js';
import type { Texts } from '../i18n/index.js';
import type { MessageParam } from '../messages.js';
import type { Tx } from '../store/db.js';
import { CheckinRepository, checkinSubject } from '../store/repositories/checkins.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { TimerRepository } from '../store/repositories/timers.js';
import type { Channel } from '../store/schema/index.js';
import { raiseEscalation } from './escalations.js';
import { isCallRequest, recordCallRequest } from './navigator-tasks.js';
import { recordNeed } from './needs.js';

/** Where a participant's messages go. */
export interface Recipient {
  channel: Channel;
  recipientKind: 'staff' | 'guardian';
  recipientId: string;
  address: string;
  locale: string;
}

/** The session the effects came from, as stored. */
export interface EffectSource {
  sessionId: string;
  /** The session version after the step that produced these effects. */
  sessionVersion: number;
  scriptId: string;
  scriptVersion: number;
  context: DialogContext;
  recipient: Recipient;
  /** Who the answers are from: staff id or guardian id. */
  actor: string;
}

/** What applying a batch of effects did, for the caller and for tests. */
export interface AppliedEffects {
  sent: number;
  answers: number;
  needsCreated: number;
  needsUpdated: number;
  strengths: number;
  escalations: string[];
  completed: boolean;
  errors: string[];
}

/** Nothing applied yet. */
export function emptyApplied(): AppliedEffects {
  return {
    sent: 0,
    answers: 0,
    needsCreated: 0,
    needsUpdated: 0,
    strengths: 0,
    escalations: [],
    completed: false,
    errors: [],
  };
}

function toParams(params: Record<string, unknown> | undefined): Record<string, MessageParam> {
  const out: Record<string, MessageParam> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
    else if (v && typeof v === 'object' && 'key' in v && typeof (v as { key: unknown }).key === 'string')
      out[k] = { key: (v as { key: string }).key };
    else out[k] = String(v);
  }
  return out;
}

/**
 * Applies a batch of engine effects inside the caller's transaction: answers, needs (one open per student
 * and area), strengths, escalations, check-in statuses, outbound messages (outbox) and reply timeouts (timers).
 */
export async function applyEffects(
  tx: Tx,
  ctx: AppContext,
  texts: Texts,
  source: EffectSource,
  effects: Effect[],
): Promise<AppliedEffects> {
  const now = ctx.clock();
  const checkins = new CheckinRepository(tx);
  const outbox = new OutboxRepository(tx);
  const timers = new TimerRepository(tx);
  const { context, recipient } = source;
  const result = emptyApplied();
  const snapshot = (key: string, params?: Record<string, unknown>) =>
    texts.t(key, recipient.locale, toParams(params)).text;
  const subjectFor = (studentId?: string) =>
    context.kind === 'navigator'
      ? checkinSubject('navigator', { navigatorId: context.participantId, studentId })
      : checkinSubject('family', { guardianId: context.participantId });

  for (const [index, effect] of effects.entries()) {
    switch (effect.type) {
      case 'send': {
        const rendered =
          recipient.channel === 'sms' ? texts.render(effect.message, recipient.locale).text : null;
        const id = await outbox.enqueue({
          id: ctx.ids(),
          idempotencyKey: outboxKey({
            recipient: `${recipient.recipientKind}:${recipient.recipientId}`,
            purpose: `dialog:${source.sessionId}`,
            period: context.period,
            step: `${source.sessionVersion}:${index}:${effect.stepId}`,
          }),
          channel: recipient.channel,
          recipientKind: recipient.recipientKind,
          recipientId: recipient.recipientId,
          address: recipient.address,
          purpose: `checkin:${context.kind}`,
          locale: recipient.locale,
          payload: effect.message,
          origin: {
            sessionId: source.sessionId,
            sessionVersion: source.sessionVersion,
            stepId: effect.stepId,
            ...(effect.studentId ? { studentId: effect.studentId } : {}),
          },
          body: rendered,
          urgent: false,
          createdAt: now,
        });
        if (id) result.sent += 1;
        break;
      }
      case 'wait':
        await timers.schedule({
          id: ctx.ids(),
          kind: 'dialog_timeout',
          uniqueKey: `dialog_timeout:${source.sessionId}:${source.sessionVersion}:${effect.stepId}`,
          fireAt: now + effect.timeoutMs,
          sessionId: source.sessionId,
          sessionVersion: source.sessionVersion,
          payload: { stepId: effect.stepId },
          createdAt: now,
        });
        break;
      case 'record_answer': {
        const checkin = await checkins.get(context.period, subjectFor(effect.studentId));
        await checkins.insertAnswer({
          id: ctx.ids(),
          checkinId: checkin?.id ?? null,
          sessionId: source.sessionId,
          studentId: effect.studentId ?? null,
          stepId: effect.stepId,
          questionKey: effect.question.key,
          questionText: snapshot(effect.question.key, effect.question.params),
          locale: recipient.locale,
          scriptId: source.scriptId,
          scriptVersion: source.scriptVersion,
          value: effect.value ?? null,
          rawText: effect.rawText ?? null,
          answeredBy: source.actor,
          answeredAt: now,
        });
        result.answers += 1;
        if (context.kind === 'family' && isCallRequest(effect.stepId, effect.value))
          await recordCallRequest(tx, ctx, {
            guardianId: context.participantId,
            sessionId: source.sessionId,
          });
        break;
      }
      case 'record_need': {
        const { created } = await recordNeed(tx, ctx, {
          studentId: effect.studentId,
          area: effect.area,
          severity: effect.severity,
          tier: effect.tier ?? 1,
          source: context.kind === 'navigator' ? 'navigator' : 'family',
          actor: source.actor,
          questionKey: effect.question?.key ?? null,
          questionText: effect.question ? snapshot(effect.question.key, effect.question.params) : null,
          answerText: effect.answerText ?? null,
          note: effect.note ?? null,
        });
        if (created) result.needsCreated += 1;
        else result.needsUpdated += 1;
        break;
      }
      case 'record_strength':
        await checkins.insertStrength({
          id: ctx.ids(),
          studentId: effect.studentId,
          kind: effect.kind,
          text: effect.text,
          recordedBy: source.actor,
          recordedAt: now,
        });
        result.strengths += 1;
        break;
      case 'escalate': {
        const escalation = await raiseEscalation(tx, ctx, {
          studentId: effect.studentId ?? null,
          guardianId: context.kind === 'family' ? context.participantId : null,
          trigger: effect.trigger,
          urgent: effect.urgent,
          source: context.kind === 'navigator' ? 'navigator' : 'family',
          raisedBy: source.actor,
          summary: `${effect.trigger}${effect.studentId ? ` for student ${effect.studentId}` : ''}`,
          note: effect.note ?? null,
        });
        result.escalations.push(escalation.id);
        break;
      }
      case 'checkin_status':
        await checkins.setStatus(
          context.period,
          subjectFor(effect.studentId),
          effect.status,
          now,
          source.sessionId,
        );
        break;
      case 'complete':
        result.completed = true;
        break;
      case 'error':
        result.errors.push(effect.code);
        ctx.logger.warn({ code: effect.code, sessionId: source.sessionId }, 'dialog reported a problem');
        break;
    }
  }
  return result;
}
