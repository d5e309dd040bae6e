import type { TurnContext } from '@microsoft/agents-hosting';
import type { AppContext } from '../../context.js';
import type { Texts } from '../../i18n/index.js';
import type { StaffKey } from '../../i18n/staff.js';
import { errorName } from '../../lib/logger.js';
import type { ChatMessages } from '../../services/chat-messages.js';
import type { InboundEvents } from '../../services/inbound-events.js';
import type { NavigatorConversation, NavigatorResult } from '../../services/navigator-conversation.js';
import { updateEscalation } from '../../services/staff-actions.js';
import type { StaffMember } from '../../services/staff-directory.js';
import type { TeamsConversations } from '../../services/teams-conversations.js';
import { type CardAction, cardAction, questionOf } from './actions.js';
import type { TeamsDirectory } from './directory.js';
import { teamsStatus } from './errors.js';
import { queueCaseload, queueReply } from './replies.js';

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
  if (kind !== 'personal') return;

  const locale = member ? texts.resolveLocale(member.locale) : texts.defaultLocale;
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
    if (action?.a === 'claim' || action?.a === 'resolve') {
      const [key, params] = await onEscalation(deps, member, action);
      await queueReply(messages, { member, conversationId, locale }, key, params);
    } else if (action) await show(await onCard(deps, member, action, tell));
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

/** Claim or Resolve on an escalation alert: the staff action service decides, and says why it refused. */
async function onEscalation(
  deps: TurnDeps,
  member: StaffMember,
  action: Extract<CardAction, { a: 'claim' | 'resolve' }>,
): Promise<[StaffKey, Record<string, string>]> {
  const status = action.a === 'claim' ? 'claimed' : 'resolved';
  const done = await updateEscalation(deps.ctx, action.e, member.id, status);
  if (done.ok) return [status === 'claimed' ? 'escalationClaimed' : 'escalationResolved', { ref: action.e }];
  return [
    done.problem === 'escalation:already_resolved' ? 'escalationAlreadyResolved' : 'escalationNotFound',
    {},
  ];
}

/** A card button, exactly as Slack's listeners call the conversation service. */
async function onCard(
  deps: TurnDeps,
  member: StaffMember,
  action: Exclude<CardAction, { a: 'claim' | 'resolve' }>,
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
