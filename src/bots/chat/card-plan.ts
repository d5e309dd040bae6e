import type { OutboundMessage } from '../../delivery/transport.js';
import type { Session } from '../../dialogs/session.js';
import type { Texts } from '../../i18n/index.js';
import type { MessageOrigin, MessagePayload } from '../../messages.js';
import type { ChatMessages, SentMessage } from '../../services/chat-messages.js';
import type { NavigatorConversation, SessionAnswer } from '../../services/navigator-conversation.js';
import type { CardLine, CardModel, CardStudent } from './cards.js';

// Which chat message a dialog message belongs to, for every chat channel. A student's check-in is one card:
// each new question for the same student in the same session replaces the card's question (Slack's
// chat.update, Teams' updateActivity), earlier answers stay as one line each, so twelve students make twelve
// short messages, not a hundred.

/** A posted chat message, as the relay stores it in providerMessageId: '<conversation>:<message id>'. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

export function providerId(m: PostedMessage): string {
  return `${m.channel}:${m.ts}`;
}

export function parseProviderId(id: string | null | undefined): PostedMessage | null {
  const i = id?.indexOf(':') ?? -1;
  if (!id || i <= 0) return null;
  return { channel: id.slice(0, i), ts: id.slice(i + 1) };
}

/** What to send: the card, and the message to update (or none: post a new one). */
export interface CardPlan {
  model: CardModel;
  update: PostedMessage | null;
  /** Intro or outro of a week: the caseload list goes under it. */
  opensWeek: boolean;
  sessionId?: string;
}

/** Where a card's session, its answers and the messages already shown are read. */
export interface CardSources {
  conversation: NavigatorConversation;
  messages: ChatMessages;
}

/** The check-in step a message was sent for, from the origin the outbox row carries. */
interface DialogStep {
  sessionId: string;
  stepId: string;
  studentId?: string;
}

function dialogStep(origin: MessageOrigin | null | undefined): DialogStep | null {
  if (!origin?.sessionId || !origin.stepId) return null;
  return {
    sessionId: origin.sessionId,
    stepId: origin.stepId,
    ...(origin.studentId ? { studentId: origin.studentId } : {}),
  };
}

/** The student a message speaks about, among the session's students. */
function studentOf(session: Session | null, step: DialogStep): CardStudent | undefined {
  const s = session?.context.students.find((candidate) => candidate.id === step.studentId);
  return s ? { id: s.id, firstName: s.firstName, grade: s.grade } : undefined;
}

function answerText(texts: Texts, row: SentMessage, locale: string, answer: SessionAnswer): string {
  const value = answer.value;
  if (value === null || value === undefined) return '—';
  const choices = texts.render(row.payload as MessagePayload, locale).choices;
  const labelOf = (id: unknown) => choices.find((c) => c.id === String(id))?.label;
  if (Array.isArray(value)) return value.map((v) => labelOf(v) ?? String(v)).join(', ');
  const text = labelOf(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * Plans the chat message for an outbox message: a card for the student it is about (updated in place while
 * the same student's check-in goes on), or a plain message for anything that is not from a check-in.
 */
export async function planCard(
  sources: CardSources,
  texts: Texts,
  message: OutboundMessage,
): Promise<CardPlan> {
  const locale = texts.resolveLocale(message.locale);
  const current = texts.render(message.payload, locale);
  const origin = dialogStep(message.origin);
  if (!origin)
    return { model: { locale, earlier: [], current, multiple: false }, update: null, opensWeek: false };

  const session = await sources.conversation.session(origin.sessionId);
  const student = studentOf(session, origin);
  const waiting =
    session?.status === 'active' && !session.paused && session.position.stepId === origin.stepId;
  const hasChoices = (message.payload.choices?.length ?? 0) > 0;
  const isQuestion = hasChoices || (waiting && student !== undefined);
  const model: CardModel = {
    locale,
    ...(student ? { student } : {}),
    earlier: [],
    current,
    multiple: message.payload.multiple === true,
    ...(isQuestion
      ? { question: { sid: origin.sessionId, step: origin.stepId, ...(student ? { st: student.id } : {}) } }
      : {}),
  };

  const last = await sources.messages.lastSent(message.address);
  const lastOrigin = dialogStep(last?.origin);
  const posted = parseProviderId(last?.providerMessageId);
  const sameCard =
    last && posted && lastOrigin?.sessionId === origin.sessionId && lastOrigin.studentId === student?.id;
  // Intro and outro steps carry the caseload size: their card lists the caseload with this week's status.
  const opensWeek = !student && message.payload.params?.count !== undefined;
  if (!sameCard || !posted) return { model, update: null, opensWeek, sessionId: origin.sessionId };

  const answers = await sources.conversation.answers(origin.sessionId);
  const lines = new Map<string, CardLine>();
  for (const row of await sources.messages.shownIn(message.address, last.providerMessageId!)) {
    const o = dialogStep(row.origin);
    if (!o || o.stepId === origin.stepId) continue;
    const payload = row.payload as MessagePayload;
    const answer = answers.findLast(
      (a) => a.stepId === o.stepId && (a.studentId ?? undefined) === student?.id,
    );
    const text = texts.t(payload.key, locale, payload.params).text;
    if (answer) lines.set(o.stepId, { text, answer: answerText(texts, row, locale, answer) });
    else if (!payload.choices?.length && !lines.has(o.stepId)) lines.set(o.stepId, { text });
  }
  model.earlier = [...lines.values()];
  return { model, update: posted, opensWeek, sessionId: origin.sessionId };
}
