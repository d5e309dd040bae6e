import { type Session, safeParseSession } from '../../dialogs/session.js';
import type { Texts } from '../../i18n/index.js';
import type { MessagePayload } from '../../messages.js';
import type { DbOrTx } from '../../store/db.js';
import { type AnswerRow, CheckinRepository } from '../../store/repositories/checkins.js';
import type { OutboxRow } from '../../store/repositories/outbox.js';
import { SlackRepository } from '../../store/repositories/slack.js';
import type { OutboundMessage } from '../transport.js';
import type { CardLine, CardModel, CardStudent } from './blocks.js';
import { dialogOrigin } from './ids.js';

// Which Slack message a dialog message belongs to. A student's check-in is one card: each new question for the
// same student in the same session replaces the card's question (chat.update), earlier answers stay as one
// line each, so twelve students make twelve short messages, not a hundred.

/** A posted Slack message, as the relay stores it in providerMessageId: '<channel>:<ts>'. */
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

function sessionOf(db: DbOrTx, sessionId: string): Session | null {
  const row = new CheckinRepository(db).session(sessionId);
  return row ? safeParseSession(row.state) : null;
}

/** The student a message speaks about: its `name`/`grade` params among the session's students. */
function studentOf(
  session: Session | null,
  payload: MessagePayload,
  version: number,
): CardStudent | undefined {
  const name = payload.params?.name;
  if (!session || typeof name !== 'string') return undefined;
  const grade = payload.params?.grade;
  const matches = session.context.students.filter(
    (s) => s.firstName === name && (grade === undefined || s.grade === String(grade)),
  );
  const atPosition = session.context.students[session.position.studentIndex];
  // Two students with the same first name and grade: the session's own position decides when it is current.
  const pick =
    matches.length > 1 && session.version === version && matches.some((m) => m.id === atPosition?.id)
      ? atPosition
      : matches[0];
  return pick ? { id: pick.id, firstName: pick.firstName, grade: pick.grade } : undefined;
}

function answerText(texts: Texts, row: OutboxRow, locale: string, answer: AnswerRow): string {
  const value = answer.value;
  if (value === null || value === undefined) return '—';
  const choices = texts.render(row.payload as MessagePayload, locale).choices;
  const labelOf = (id: unknown) => choices.find((c) => c.id === String(id))?.label;
  if (Array.isArray(value)) return value.map((v) => labelOf(v) ?? String(v)).join(', ');
  const text = labelOf(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * Plans the Slack message for an outbox message: a card for the student it is about (updated in place while
 * the same student's check-in goes on), or a plain message for anything that is not from a check-in.
 */
export function planCard(db: DbOrTx, texts: Texts, message: OutboundMessage): CardPlan {
  const locale = texts.resolveLocale(message.locale);
  const current = texts.render(message.payload, locale);
  const origin = dialogOrigin(message.idempotencyKey);
  if (!origin)
    return { model: { locale, earlier: [], current, multiple: false }, update: null, opensWeek: false };

  const session = sessionOf(db, origin.sessionId);
  const student = studentOf(session, message.payload, origin.version);
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

  const repo = new SlackRepository(db);
  const last = repo.lastSent(message.address);
  const lastOrigin = last ? dialogOrigin(last.idempotencyKey) : null;
  const posted = parseProviderId(last?.providerMessageId);
  const sameCard =
    last &&
    posted &&
    lastOrigin?.sessionId === origin.sessionId &&
    studentOf(session, last.payload as MessagePayload, lastOrigin.version)?.id === student?.id;
  // Intro and outro steps carry the caseload size: their card lists the caseload with this week's status.
  const opensWeek = !student && message.payload.params?.count !== undefined;
  if (!sameCard || !posted) return { model, update: null, opensWeek, sessionId: origin.sessionId };

  const answers = new CheckinRepository(db).answersForSession(origin.sessionId);
  const lines = new Map<string, CardLine>();
  for (const row of repo.cardRows(message.address, last.providerMessageId!)) {
    const o = dialogOrigin(row.idempotencyKey);
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
