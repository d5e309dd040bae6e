import type { TurnContext } from '@microsoft/agents-hosting';
import type { AppContext } from '../../context.js';
import type { Texts } from '../../i18n/index.js';
import { type StaffKey, staffText } from '../../i18n/staff.js';
import { errorName } from '../../lib/logger.js';
import type { ChatMessages } from '../../services/chat-messages.js';
import { actOnEscalation } from '../../services/escalation-actions.js';
import type { EscalationAction, EscalationOutcome } from '../../services/escalation-rules.js';
import type { InboundEvents } from '../../services/inbound-events.js';
import type { NavigatorConversation, NavigatorResult } from '../../services/navigator-conversation.js';
import type { StaffMember } from '../../services/staff-directory.js';
import type { TeamsConversations } from '../../services/teams-conversations.js';
import { type AlertCardAction, type CardAction, cardAction, questionOf } from './actions.js';
import type { TeamsDirectory } from './directory.js';
import { teamsStatus } from './errors.js';
import { queueCaseload, queueDetails, queueReply } from './replies.js';

/** What the activity handler is given. */
export interface TurnDeps {
  ctx: AppContext;
  texts: Texts;
  conversation: NavigatorConversation;
  conversations: TeamsConversations;
  messages: ChatMessages;
  directory: TeamsDirectory;
  inbound: InboundEvents;
}

/** What a person typed, without the @mention Teams adds in channels. Example: '<at>Check-ins</at> start' → 'start'. */
export function typedText(context: TurnContext): string {
  return (context.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '').trim();
}

/**
 * The id an activity is de-duplicated by. Activity ids are unique within a conversation, so the conversation
 * is part of it; null when Teams sent none.
 */
export function inboundKey(context: TurnContext): string | null {
  const { id, conversation } = context.activity;
  return id && conversation?.id ? `${conversation.id}|${id}` : null;
}

/**
 * Handles one authenticated activity at most once: remembers where the bot can write to the sender, finds
 * them in the roster, then maps what they did (a typed line, a card button, installing the app) to a call of
 * the navigator conversation. Answers go through the outbox.
 */
export function createTurnHandler(deps: TurnDeps): (context: TurnContext) => Promise<void> {
  const { ctx, inbound } = deps;
  return async (context) => {
    const key = inboundKey(context);
    if (key && !(await inbound.firstTime('teams', key))) {
      ctx.logger.info({ type: context.activity.type }, 'teams: duplicate activity ignored');
      return;
    }
    try {
      await handle(deps, context);
      if (key) await inbound.finished('teams', key, 'processed');
    } catch (err) {
      const status = teamsStatus(err);
      if (key) await inbound.finished('teams', key, 'failed', status ? `http_${status}` : 'handler_error');
      ctx.logger.error({ err: errorName(err), status }, 'teams: handler failed');
    }
  };
}

async function handle(deps: TurnDeps, context: TurnContext): Promise<void> {
  const { texts, conversations, directory, messages } = deps;
  const a = context.activity;
  const conversationId = a.conversation!.id;
  const kind = a.conversation?.conversationType ?? 'personal';
  const aadId = a.from?.aadObjectId;
  const member = await directory.staffFor(context);
  // Without the inbound activity's id, a proactive message starts a new post instead of replying under it.
  const { activityId: _replyTo, ...reference } = a.getConversationReference();
  await conversations.remember(
    {
      id: conversationId,
      kind,
      userAadId: kind === 'personal' ? (aadId ?? null) : null,
      tenantId: a.conversation?.tenantId ?? null,
      serviceUrl: a.serviceUrl ?? '',
      reference,
    },
    member?.id,
    `teams:${aadId ?? 'unknown'}`,
  );
  const locale = member ? texts.resolveLocale(member.locale) : texts.defaultLocale;
  // An escalation alert may sit in a channel of counselors: its buttons work there too.
  const pressed = a.type === 'message' ? cardAction(a.value) : null;
  if (pressed?.a === 'alert') {
    if (member) await onAlert(deps, member, pressed, { conversationId, kind, locale });
    else if (kind === 'personal')
      await queueReply(messages, { member, conversationId, locale }, 'notInRoster');
    return;
  }
  if (kind !== 'personal') return;

  const tell = (key: StaffKey) => queueReply(messages, { member, conversationId, locale }, key);
  const show = async (result: NavigatorResult) => {
    for (const notice of result.notices) await tell(notice);
  };

  if (a.type === 'installationUpdate' || a.type === 'conversationUpdate') {
    const installed = a.action === 'add' || (a.membersAdded ?? []).some((m) => m.id === a.recipient?.id);
    if (installed) await tell(member ? 'teamsWelcome' : 'notInRoster');
    return;
  }
  if (a.type !== 'message') return;
  if (!member) {
    await tell('notInRoster');
    return;
  }

  if (a.value !== undefined && a.value !== null) {
    const action = cardAction(a.value);
    if (action && action.a !== 'alert') await show(await onCard(deps, member, action, tell));
    return;
  }
  const text = typedText(context);
  if (!text) return;
  switch (text.toLowerCase()) {
    case 'help':
      await tell('teamsHelp');
      return;
    case 'status':
      await queueCaseload(messages, { member, conversationId, locale });
      return;
    case 'start':
    case 'resume':
      return show(await deps.conversation.startOrResume(member));
    case 'stop':
      return show(await deps.conversation.stop(member));
    default:
      return show(await deps.conversation.type(member, text));
  }
}

/** What an alert's button asks of the escalation service, with the inputs of its panel. */
function escalationAction(action: AlertCardAction): EscalationAction | null {
  switch (action.do) {
    case 'claim':
      return { kind: 'claim' };
    case 'acknowledge':
      return { kind: 'acknowledge' };
    case 'note':
      return { kind: 'note', text: action.alertNote ?? '' };
    case 'reassign':
      return { kind: 'reassign', to: action.alertTo ?? '' };
    case 'resolve': {
      const note = action.alertResolveNote?.trim();
      // The service checks the outcome and refuses an unknown one in the person's words.
      return {
        kind: 'resolve',
        outcome: (action.alertOutcome ?? '') as EscalationOutcome,
        ...(note ? { note } : {}),
      };
    }
    case 'details':
      return null;
  }
}

/**
 * A button of an escalation alert. The escalation service decides and words the answer, which goes to the
 * person's own chat with the bot when they pressed it in a channel (to the channel only if they have none:
 * the answer names no student). Details are sent only to their own chat; the alert itself is updated in
 * place through the outbox.
 */
async function onAlert(
  deps: TurnDeps,
  member: StaffMember,
  action: AlertCardAction,
  where: { conversationId: string; kind: string; locale: string },
): Promise<void> {
  const { messages } = deps;
  const { locale } = where;
  const personal = where.kind === 'personal' ? where.conversationId : member.teamsConversation;
  const to = { member, conversationId: personal ?? where.conversationId, locale };
  const answer = (text: string) => queueReply(messages, to, 'alertMessage', { text });
  const wanted = escalationAction(action);
  if (!wanted) {
    if (personal) await queueDetails(messages, { member, conversationId: personal, locale }, action.e);
    else await answer(staffText(locale, 'alertDetailsNeedsChat'));
    return;
  }
  const result = await actOnEscalation(deps.ctx, action.e, member.id, wanted);
  await answer(result.message);
}

/** A card button, exactly as Slack's listeners call the conversation service. */
async function onCard(
  deps: TurnDeps,
  member: StaffMember,
  action: Exclude<CardAction, { a: 'alert' }>,
  tell: (key: StaffKey) => Promise<unknown>,
): Promise<NavigatorResult> {
  const { conversation } = deps;
  const nothing: NavigatorResult = { notices: [], caseloadChanged: false };
  switch (action.a) {
    case 'choice':
      return conversation.choose(member, questionOf(action), [action.c]);
    case 'done': {
      const picked = (action.picked ?? '').split(',').filter(Boolean);
      if (picked.length === 0) {
        await tell('pickThenDone');
        return nothing;
      }
      return conversation.choose(member, questionOf(action), picked);
    }
    case 'note': {
      const text = action.note?.trim();
      if (!text) {
        await tell('typeOrNote');
        return nothing;
      }
      return conversation.write(member, questionOf(action), text);
    }
    case 'stop':
      return conversation.stop(member);
    case 'start':
      return conversation.startOrResume(member);
    case 'counselor':
      return conversation.askCounselor(member, action.st, action.note?.trim() || undefined);
  }
}
