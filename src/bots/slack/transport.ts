import type { webApi } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import type { OutboundMessage, SendResult, Transport } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import { staffText } from '../../i18n/staff.js';
import { errorName } from '../../lib/logger.js';
import { type AlertMessage, alertOf } from '../../services/escalation-alerts.js';
import { escalationCard } from '../../services/escalation-view.js';
import { type CardPlan, type CardSources, parseProviderId, planCard, providerId } from '../chat/card-plan.js';
import { caseloadEntry } from '../chat/caseload.js';
import { isDigestMessage } from '../chat/digest.js';
import { escalationAlertPlan } from '../chat/escalation-alert.js';
import { caseloadBlocks, type KnownBlock, renderCard } from './blocks.js';
import { postDigest } from './digest-blocks.js';
import { classifySlackError, slackErrorCode } from './errors.js';
import { alertBlocks } from './escalation-blocks.js';
import { homeView } from './home.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { type OwnMessage, ownMessage } from './own-messages.js';
import { postNew } from './post.js';

/**
 * What of an error may reach the log: its class name and Slack's error code ('channel_not_found'). Never the
 * message: a failed query's message can quote its params (a navigator's note, a student's name).
 */
export function loggableError(err: unknown): { err: string; code?: string } {
  const code = slackErrorCode(err);
  return { err: errorName(err), ...(code ? { code } : {}) };
}

/** Errors of chat.update after which the card is gone for good: post a fresh message instead. */
const CARD_GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/**
 * The outbox transport for channel 'slack': posts a check-in card with chat.postMessage, then updates it in
 * place with chat.update while the same student's check-in goes on. The adapter's own messages: an App Home
 * publish (views.publish, the view rendered now so it is fresh) and short replies (chat.postMessage). The relay paces sends (about one per second
 * per channel) and retries; this only classifies what Slack said. Example providerMessageId: 'D0123:1700000000.0001'.
 */
export function createSlackTransport(
  deps: CardSources & { ctx: AppContext; texts: Texts; client: webApi.WebClient },
): Transport {
  const { ctx, texts, client, conversation } = deps;

  const opening = async (plan: CardPlan, message: OutboundMessage): Promise<KnownBlock[]> => {
    if (!plan.opensWeek || !plan.sessionId) return [];
    const { locale } = plan.model;
    const week = await conversation.sessionCaseload(plan.sessionId, message.recipientId, locale);
    if (!week || week.students.length === 0) return [];
    const entries = week.students.map((s) => caseloadEntry(texts, locale, s));
    return caseloadBlocks(locale, week.period, entries, { canResume: false });
  };

  const failed = (message: OutboundMessage, err: unknown): SendResult => {
    const result = classifySlackError(err, ctx.clock());
    ctx.logger.warn(
      { outboxId: message.id, kind: result.kind, code: result.code, reason: result.reason },
      'slack: send failed',
    );
    return result;
  };

  const sendOwn = async (own: OwnMessage, message: OutboundMessage): Promise<SendResult> => {
    const locale = texts.resolveLocale(message.locale);
    try {
      if (own.kind === 'reply') {
        return await postNew(client, message.address, {
          text: escapeMrkdwn(staffText(locale, own.label, own.params)),
        });
      }
      let view: ReturnType<typeof homeView>;
      try {
        const home = await conversation.home(message.recipientId);
        if (!home) return { ok: false, kind: 'permanent', reason: 'staff_not_found' };
        view = homeView(texts, home);
      } catch (err) {
        ctx.logger.error(
          { ...loggableError(err), outboxId: message.id },
          'slack: could not render the App Home',
        );
        return { ok: false, kind: 'permanent', reason: 'render_failed' };
      }
      await client.views.publish({ user_id: message.address, view });
      return { ok: true };
    } catch (err) {
      return failed(message, err);
    }
  };

  // An escalation alert is rendered from the escalation's state when it is sent, so an update (a new outbox
  // row for the same Slack message) shows the latest state: no Claim once someone holds it, no buttons once
  // it is resolved.
  const sendAlert = async (alert: AlertMessage, message: OutboundMessage): Promise<SendResult> => {
    let rendered: ReturnType<typeof alertBlocks>;
    try {
      const card = await escalationCard(ctx, alert.escalationId);
      if (!card) return { ok: false, kind: 'permanent', reason: 'escalation_not_found' };
      const locale = texts.resolveLocale(message.locale);
      rendered = alertBlocks(escalationAlertPlan(texts, card, locale, alert.notice), card.id);
    } catch (err) {
      ctx.logger.error(
        { ...loggableError(err), outboxId: message.id },
        'slack: could not render an escalation alert',
      );
      return { ok: false, kind: 'permanent', reason: 'render_failed' };
    }
    try {
      const target = parseProviderId(alert.update);
      if (target) {
        try {
          await client.chat.update({ channel: target.channel, ts: target.ts, ...rendered });
          return { ok: true, providerMessageId: providerId(target) };
        } catch (err) {
          // Deleted or too old to edit: nothing left to correct (a fresh post would repeat the alert).
          if (CARD_GONE.has(slackErrorCode(err) ?? '')) return { ok: true };
          throw err;
        }
      }
      return await postNew(client, message.address, rendered);
    } catch (err) {
      return failed(message, err);
    }
  };

  return {
    channel: 'slack',
    async send(message): Promise<SendResult> {
      const own = ownMessage(message.payload);
      if (own) return sendOwn(own, message);
      if (isDigestMessage(message)) return postDigest({ ctx, texts, client }, message, failed);
      const alert = alertOf(message);
      if (alert) return sendAlert(alert, message);
      let text: string;
      let blocks: ReturnType<typeof renderCard>['blocks'];
      let plan: CardPlan;
      try {
        plan = await planCard(deps, texts, message);
        ({ text, blocks } = renderCard(plan.model));
        blocks = [...blocks, ...(await opening(plan, message))];
      } catch (err) {
        ctx.logger.error(
          { ...loggableError(err), outboxId: message.id },
          'slack: could not render a message',
        );
        return { ok: false, kind: 'permanent', reason: 'render_failed' };
      }
      try {
        if (plan.update) {
          try {
            await client.chat.update({ channel: plan.update.channel, ts: plan.update.ts, text, blocks });
            return { ok: true, providerMessageId: providerId(plan.update) };
          } catch (err) {
            if (!CARD_GONE.has(slackErrorCode(err) ?? '')) throw err;
          }
        }
        return await postNew(client, message.address, { text, blocks });
      } catch (err) {
        return failed(message, err);
      }
    },
  };
}
