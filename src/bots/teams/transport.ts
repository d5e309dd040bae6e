import { Activity, type ConversationReference } from '@microsoft/agents-activity';
import type { CloudAdapter } from '@microsoft/agents-hosting';
import type { AppContext } from '../../context.js';
import type { OutboundMessage, SendResult, Transport } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import { staffText } from '../../i18n/staff.js';
import { errorName } from '../../lib/logger.js';
import { escalationRef } from '../../services/escalations.js';
import type { TeamsConversations } from '../../services/teams-conversations.js';
import { type CardSources, planCard } from '../chat/card-plan.js';
import { caseloadEntry } from '../chat/caseload.js';
import {
  ADAPTIVE_CARD,
  type AdaptiveCard,
  caseloadCard,
  caseloadElements,
  checkinCard,
  escalationCard,
} from './cards.js';
import { classifyTeamsError, teamsStatus } from './errors.js';
import { CASELOAD_KEY, replyOf } from './replies.js';

/**
 * A sent Teams message as the relay stores it in providerMessageId: '<conversation id, URI-encoded>:<activity
 * id>'. Encoded, because conversation ids hold colons and the card planner splits at the first one.
 */
function providerId(conversationId: string, activityId: string): string {
  return `${encodeURIComponent(conversationId)}:${activityId}`;
}

/** Answers to an update after which the card is gone for good: not found, or no longer editable. */
const CARD_GONE = new Set([400, 404]);

/** The activity that carries a message: a short reply as text, a check-in step as an Adaptive Card. */
async function activityFor(
  deps: CardSources & { texts: Texts },
  message: OutboundMessage,
): Promise<{ activity: Activity; updates: string | null }> {
  const reply = replyOf(message.payload);
  if (reply) {
    const activity = Activity.fromObject({
      type: 'message',
      // Teams joins single line breaks in Markdown text.
      text: staffText(deps.texts.resolveLocale(message.locale), reply.label, reply.params).replaceAll(
        '\n',
        '\n\n',
      ),
      textFormat: 'markdown',
    });
    return { activity, updates: null };
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
  const escalationId = message.origin?.escalationId;
  if (escalationId && !message.origin?.sessionId) {
    const locale = deps.texts.resolveLocale(message.locale);
    const text = deps.texts.render(message.payload, locale).text;
    return {
      activity: cardActivity(escalationCard(locale, text, escalationRef(escalationId))),
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
  return { activity: cardActivity(built), updates: plan.update?.ts ?? null };
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
  deps: CardSources & {
    ctx: AppContext;
    texts: Texts;
    adapter: CloudAdapter;
    appId: string;
    conversations: TeamsConversations;
  },
): Transport {
  const { ctx, adapter, appId, conversations } = deps;
  return {
    channel: 'teams',
    async send(message): Promise<SendResult> {
      const known = await conversations.byId(message.address);
      if (!known) return { ok: false, kind: 'permanent', reason: 'no_conversation_reference' };
      if (known.unreachableAt !== null) return { ok: false, kind: 'permanent', reason: 'forbidden' };
      let built: Awaited<ReturnType<typeof activityFor>>;
      try {
        built = await activityFor(deps, message);
      } catch (err) {
        ctx.logger.error({ err: errorName(err), outboxId: message.id }, 'teams: could not render a message');
        return { ok: false, kind: 'permanent', reason: 'render_failed' };
      }
      let sentId: string | undefined;
      // The SDK hands an error thrown inside the turn to its onTurnError and returns normally: keep it.
      let failure: unknown;
      try {
        await adapter.continueConversation(
          appId,
          known.reference as ConversationReference,
          async (context) => {
            try {
              if (built.updates) {
                try {
                  await context.updateActivity(Activity.fromObject({ ...built.activity, id: built.updates }));
                  sentId = built.updates;
                  return;
                } catch (err) {
                  // The card was deleted or can no longer be edited: post the question afresh.
                  if (!CARD_GONE.has(teamsStatus(err) ?? 0)) throw err;
                }
              }
              sentId = (await context.sendActivity(built.activity))?.id;
            } catch (err) {
              failure = err;
            }
          },
        );
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
          await conversations.unreachable(message.address, message.recipientId);
          ctx.logger.error(
            { outboxId: message.id, staffId: message.recipientId },
            'teams: the app was uninstalled or blocked; this person is no longer reached in Teams',
          );
        }
        return result;
      }
      return sentId ? { ok: true, providerMessageId: providerId(message.address, sentId) } : { ok: true };
    },
  };
}
