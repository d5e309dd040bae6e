import { Activity, type ConversationReference } from '@microsoft/agents-activity';
import type { CloudAdapter } from '@microsoft/agents-hosting';
import type { AppContext } from '../../context.js';
import type { OutboundMessage, SendResult, Transport } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import { staffText } from '../../i18n/staff.js';
import { errorName } from '../../lib/logger.js';
import {
  type AlertMessage,
  alertOf,
  alertPostedIn,
  teamsAlertChannel,
} from '../../services/escalation-alerts.js';
import { escalationAssignees, escalationCard, escalationDetails } from '../../services/escalation-view.js';
import type { StaffDirectory } from '../../services/staff-directory.js';
import type { TeamsConversations } from '../../services/teams-conversations.js';
import { type CardSources, parseProviderId, planCard } from '../chat/card-plan.js';
import { caseloadEntry } from '../chat/caseload.js';
import { digestViewFor, isDigestMessage } from '../chat/digest.js';
import { detailsPlan, escalationAlertPlan } from '../chat/escalation-alert.js';
import { ADAPTIVE_CARD, type AdaptiveCard, caseloadCard, caseloadElements, checkinCard } from './cards.js';
import { digestActivity } from './digest-card.js';
import { classifyTeamsError, teamsStatus } from './errors.js';
import { alertCard, detailsCard } from './escalation-card.js';
import { CASELOAD_KEY, detailsOf, replyOf } from './replies.js';

/**
 * A sent Teams message as the relay stores it in providerMessageId: '<conversation id, URI-encoded>:<activity
 * id>'. Encoded, because conversation ids hold colons and the card planner splits at the first one.
 */
function providerId(conversationId: string, activityId: string): string {
  return `${encodeURIComponent(conversationId)}:${activityId}`;
}

/** Answers to an update after which the card is gone for good: not found, or no longer editable. */
const CARD_GONE = new Set([400, 404]);

/** What to send: the activity, the activity it replaces (or none), and the conversation both are in. */
interface Built {
  activity: Activity;
  updates: string | null;
  /** Default: the outbox row's address. An alert's update names the conversation its card was posted in. */
  conversationId?: string;
  /** A check-in card that is gone is asked afresh; an alert that is gone has nothing left to correct. */
  repostIfGone?: boolean;
  /** A new alert for a channel the school's counselors share: posted there once per escalation. */
  shared?: { escalationId: string };
}

type Deps = CardSources & { ctx: AppContext; texts: Texts; staff: StaffDirectory };

function textActivity(text: string): Activity {
  // Teams joins single line breaks in Markdown text.
  return Activity.fromObject({
    type: 'message',
    text: text.replaceAll('\n', '\n\n'),
    textFormat: 'markdown',
  });
}

/**
 * An escalation alert rendered from the escalation's state now, so an update shows the latest: no Claim once
 * someone holds it, no buttons once it is resolved.
 */
async function alertActivity(deps: Deps, alert: AlertMessage, message: OutboundMessage): Promise<Built> {
  const card = await escalationCard(deps.ctx, alert.escalationId);
  if (!card) throw new Error('teams: the alert is about an escalation that does not exist');
  const locale = deps.texts.resolveLocale(message.locale);
  const counselors = await escalationAssignees(deps.ctx, card.id);
  const built = alertCard(escalationAlertPlan(deps.texts, card, locale, alert.notice), card.id, counselors);
  const target = parseProviderId(alert.update);
  if (target)
    return {
      activity: cardActivity(built),
      updates: target.ts,
      conversationId: decodeURIComponent(target.channel),
      repostIfGone: false,
    };
  const channel = await teamsAlertChannel(deps.ctx, message.recipientId);
  return {
    activity: cardActivity(built),
    updates: null,
    ...(channel ? { conversationId: channel, shared: { escalationId: card.id } } : {}),
  };
}

/**
 * Where to write: a remembered conversation; or a channel the bot has not been spoken to in yet, reached
 * through the recipient's own chat (same service URL and tenant) with the channel's id.
 */
async function referenceFor(
  conversations: TeamsConversations,
  conversationId: string,
  address: string,
): Promise<{ ok: true; value: ConversationReference } | { ok: false; reason: string }> {
  const known = await conversations.byId(conversationId);
  if (known)
    return known.unreachableAt === null
      ? { ok: true, value: known.reference as ConversationReference }
      : { ok: false, reason: 'forbidden' };
  const via = conversationId === address ? undefined : await conversations.byId(address);
  if (!via || via.unreachableAt !== null) return { ok: false, reason: 'no_conversation_reference' };
  const base = via.reference as ConversationReference;
  return {
    ok: true,
    value: {
      ...base,
      conversation: { ...base.conversation, id: conversationId, isGroup: true, conversationType: 'channel' },
    },
  };
}

/**
 * One post per shared alert, also when the relay sends two counselors' rows at the same moment: the work for
 * a key runs one at a time, and the message id it posted is kept for the rows that follow.
 */
function sharedAlerts() {
  const queue = new Map<string, Promise<unknown>>();
  const done = new Map<string, string>();
  return {
    once<T>(key: string, work: () => Promise<T>): Promise<T> {
      const run = (queue.get(key) ?? Promise.resolve()).catch(() => {}).then(work);
      queue.set(key, run);
      void run
        .finally(() => {
          if (queue.get(key) === run) queue.delete(key);
        })
        .catch(() => {});
      return run;
    },
    posted: (key: string) => done.get(key),
    remember(key: string, providerMessageId: string) {
      if (done.size >= 1_000) done.clear();
      done.set(key, providerMessageId);
    },
  };
}

/** The activity that carries a message: a short reply as text, a check-in step as an Adaptive Card. */
async function activityFor(deps: Deps, message: OutboundMessage): Promise<Built> {
  const reply = replyOf(message.payload);
  if (reply)
    return {
      activity: textActivity(staffText(deps.texts.resolveLocale(message.locale), reply.label, reply.params)),
      updates: null,
    };
  const alert = alertOf(message);
  if (alert) return alertActivity(deps, alert, message);
  const detailsFor = detailsOf(message.payload);
  if (detailsFor) {
    // Checked again when sent: only the person holding the case (or a lead navigator) gets the details.
    const result = await escalationDetails(deps.ctx, detailsFor, message.recipientId);
    const locale = deps.texts.resolveLocale(message.locale);
    if (!result.ok) return { activity: textActivity(result.message), updates: null };
    return {
      activity: cardActivity(detailsCard(locale, detailsPlan(deps.texts, result.details, locale))),
      updates: null,
    };
  }
  if (message.payload.key === CASELOAD_KEY) {
    const home = await deps.conversation.home(message.recipientId);
    if (!home) throw new Error('teams: the caseload is for someone not in the roster');
    const entries = home.week.students.map((s) => caseloadEntry(deps.texts, home.locale, s));
    return {
      activity: cardActivity(caseloadCard(home.locale, home.week.period, entries, home.week.canResume)),
      updates: null,
    };
  }
  const plan = await planCard(deps, deps.texts, message);
  // The week's opening and closing messages list the caseload with this week's status, as in Slack.
  const week =
    plan.opensWeek && plan.sessionId
      ? await deps.conversation.sessionCaseload(plan.sessionId, message.recipientId, plan.model.locale)
      : null;
  const caseload = week?.students.length
    ? caseloadElements(
        plan.model.locale,
        week.period,
        week.students.map((s) => caseloadEntry(deps.texts, plan.model.locale, s)),
      )
    : [];
  const built = checkinCard(plan.model, caseload);
  return { activity: cardActivity(built), updates: plan.update?.ts ?? null, repostIfGone: true };
}

function cardActivity({ summary, card }: { summary: string; card: AdaptiveCard }): Activity {
  return Activity.fromObject({
    type: 'message',
    summary,
    attachments: [{ contentType: ADAPTIVE_CARD, content: card }],
  });
}

/**
 * The outbox transport for channel 'teams': proactive messages (continueConversation with the remembered
 * conversation reference), a check-in card updated in place while the same student's check-in goes on. The
 * relay paces sends (7 per second per conversation by default) and retries; this classifies what the Bot
 * Connector said. A 403 (app uninstalled or blocked) marks the person unreachable in Teams.
 */
export function createTeamsTransport(
  deps: Deps & {
    adapter: CloudAdapter;
    appId: string;
    conversations: TeamsConversations;
  },
): Transport {
  const { ctx, adapter, appId, conversations } = deps;
  const sharedPosts = sharedAlerts();
  return {
    channel: 'teams',
    async send(message): Promise<SendResult> {
      // Checked before rendering: rendering private details records that they were opened.
      const own = await conversations.byId(message.address);
      if (!own) return { ok: false, kind: 'permanent', reason: 'no_conversation_reference' };
      if (own.unreachableAt !== null) return { ok: false, kind: 'permanent', reason: 'forbidden' };
      let built: Built;
      try {
        built = isDigestMessage(message)
          ? { activity: digestActivity(await digestViewFor(ctx, deps.texts, message)), updates: null }
          : await activityFor(deps, message);
      } catch (err) {
        ctx.logger.error({ err: errorName(err), outboxId: message.id }, 'teams: could not render a message');
        return { ok: false, kind: 'permanent', reason: 'render_failed' };
      }
      const conversationId = built.conversationId ?? message.address;
      const reference = await referenceFor(conversations, conversationId, message.address);
      if (!reference.ok) return { ok: false, kind: 'permanent', reason: reference.reason };
      const deliver = () => deliverTo(conversationId, reference.value, built, message);
      if (!built.shared) return deliver();
      // One alert per escalation in a channel of counselors: the school's other counselors' rows point at it.
      const { escalationId } = built.shared;
      const prefix = `${encodeURIComponent(conversationId)}:`;
      const key = `${escalationId}|${conversationId}`;
      return sharedPosts.once(key, async () => {
        const posted = sharedPosts.posted(key) ?? (await alertPostedIn(ctx, escalationId, 'teams', prefix));
        if (posted) return { ok: true, providerMessageId: posted };
        const result = await deliver();
        if (result.ok && result.providerMessageId) sharedPosts.remember(key, result.providerMessageId);
        return result;
      });
    },
  };

  async function deliverTo(
    conversationId: string,
    reference: ConversationReference,
    built: Built,
    message: OutboundMessage,
  ): Promise<SendResult> {
    let sentId: string | undefined;
    // The SDK hands an error thrown inside the turn to its onTurnError and returns normally: keep it.
    let failure: unknown;
    try {
      await adapter.continueConversation(appId, reference, async (context) => {
        try {
          if (built.updates) {
            try {
              await context.updateActivity(Activity.fromObject({ ...built.activity, id: built.updates }));
              sentId = built.updates;
              return;
            } catch (err) {
              // The card was deleted or can no longer be edited: post the question afresh.
              if (!CARD_GONE.has(teamsStatus(err) ?? 0)) throw err;
              if (!built.repostIfGone) return;
            }
          }
          sentId = (await context.sendActivity(built.activity))?.id;
        } catch (err) {
          failure = err;
        }
      });
    } catch (err) {
      failure = err;
    }
    if (failure !== undefined) {
      const result = classifyTeamsError(failure, ctx.clock());
      ctx.logger.warn(
        { outboxId: message.id, kind: result.kind, code: result.code, reason: result.reason },
        'teams: send failed',
      );
      if (result.kind === 'permanent' && result.reason === 'forbidden') {
        await conversations.unreachable(conversationId, message.recipientId);
        ctx.logger.error(
          { outboxId: message.id, staffId: message.recipientId },
          'teams: the app was uninstalled or blocked; this person is no longer reached in Teams',
        );
      }
      return result;
    }
    return sentId ? { ok: true, providerMessageId: providerId(conversationId, sentId) } : { ok: true };
  }
}
