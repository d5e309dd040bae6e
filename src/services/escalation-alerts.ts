import type { AppContext } from '../context.js';
import type { MessageOrigin, MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { EscalationAlertRepository } from '../store/repositories/escalation-alerts.js';
import { OutboxRepository, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository } from '../store/repositories/roster.js';
import type { Channel } from '../store/schema/index.js';

// An escalation's alert in a chat (Slack, Teams) is one message edited in place as the escalation changes, so
// nobody presses a Claim that is no longer true. Chat transports render an alert when they send it, from the
// escalation's current state; an update is a fresh send of the same message.

/**
 * Payload keys of the notices a chat shows as an escalation alert card: new, the holder's reminder, the backup
 * counselor's notice, the lead navigators' overdue notice.
 */
export const ALERT_NOTICE_KEYS: ReadonlySet<string> = new Set([
  'common.escalation_new',
  'common.escalation_reminder',
  'common.escalation_backup',
  'common.escalation_overdue',
]);

/** Payload key of an alert's update; `params.message` is the platform's message id, `params.notice` its key. */
export const ALERT_UPDATE_KEY = 'escalation.alert_update';
/** Outbox purpose of an alert's update. */
export const ALERT_UPDATE_PURPOSE = 'escalation:update';

/** The chat channels whose alerts are edited in place (the simulator reads the current state anyway). */
const CHAT_CHANNELS: Channel[] = ['slack', 'teams'];

/** An outbox message that is an escalation alert: its escalation, the notice it shows, and what to update. */
export interface AlertMessage {
  escalationId: string;
  /** The notice's payload key, one of ALERT_NOTICE_KEYS, e.g. 'common.escalation_overdue'. */
  notice: string;
  /** The platform's id of the message to edit, or null: post a new one. */
  update: string | null;
}

/**
 * Reads an outbox message as an escalation alert; null for anything else (a check-in card, a navigator's
 * notice about their escalation). Example: `alertOf({ payload: { key: 'common.escalation_new' }, origin:
 * { escalationId: 'e-1' } })` → `{ escalationId: 'e-1', notice: 'common.escalation_new', update: null }`.
 */
export function alertOf(message: {
  payload: MessagePayload;
  origin?: MessageOrigin | null;
}): AlertMessage | null {
  const escalationId = message.origin?.escalationId;
  if (!escalationId || message.origin?.sessionId) return null;
  const { key, params } = message.payload;
  if (ALERT_NOTICE_KEYS.has(key)) return { escalationId, notice: key, update: null };
  if (key !== ALERT_UPDATE_KEY) return null;
  const target = params?.message;
  const notice = params?.notice;
  if (typeof target !== 'string' || !target) return null;
  return {
    escalationId,
    notice: typeof notice === 'string' && ALERT_NOTICE_KEYS.has(notice) ? notice : 'common.escalation_new',
    update: target,
  };
}

/**
 * Queues, in the caller's transaction, an in-place update of every chat message already showing this
 * escalation's alert, after a change of its state. The transport renders the state current when it sends, so
 * an update still waiting to be sent covers later changes too: at most one waits per message. Returns how
 * many were queued.
 */
export async function queueAlertUpdates(tx: DbOrTx, ctx: AppContext, escalationId: string): Promise<number> {
  const repo = new EscalationAlertRepository(tx);
  const rows = await repo.shown(escalationId, CHAT_CHANNELS);
  const waiting = await repo.pendingTargets(escalationId, ALERT_UPDATE_PURPOSE);
  const targets = new Map<string, (typeof rows)[number] & { notice: string }>();
  for (const row of rows) {
    const alert = alertOf({ payload: row.payload as MessagePayload, origin: row.origin });
    if (!alert || !row.providerMessageId || waiting.has(row.providerMessageId)) continue;
    const key = `${row.channel}|${row.providerMessageId}`;
    if (!targets.has(key)) targets.set(key, { ...row, notice: alert.notice });
  }
  const now = ctx.clock();
  const outbox = new OutboxRepository(tx);
  let queued = 0;
  for (const row of targets.values()) {
    const id = ctx.ids();
    const inserted = await outbox.enqueue({
      id,
      idempotencyKey: outboxKey({
        purpose: ALERT_UPDATE_PURPOSE,
        recipient: `${row.recipientKind}:${row.recipientId}`,
        period: escalationId,
        // One per change: an update already sent says nothing of what changed since.
        step: `${row.providerMessageId}|${id}`,
      }),
      channel: row.channel,
      recipientKind: row.recipientKind,
      recipientId: row.recipientId,
      address: row.address,
      purpose: ALERT_UPDATE_PURPOSE,
      locale: row.locale,
      payload: { key: ALERT_UPDATE_KEY, params: { message: row.providerMessageId!, notice: row.notice } },
      origin: { escalationId },
      urgent: row.urgent,
      createdAt: now,
    });
    if (inserted) queued += 1;
  }
  return queued;
}

/**
 * Where a counselor's escalation alert goes in Teams when their school has a channel of counselors
 * (TEAMS_COUNSELOR_CHANNELS): that channel, one alert for all of them; null: their personal chat.
 */
export async function teamsAlertChannel(ctx: AppContext, staffId: string): Promise<string | null> {
  const channels = ctx.config.teams?.counselorChannels ?? {};
  if (Object.keys(channels).length === 0) return null;
  const staff = await new RosterRepository(ctx.db).staffById(staffId);
  if (staff?.role !== 'counselor' || !staff.schoolId) return null;
  return channels[staff.schoolId] ?? null;
}

/**
 * The platform's id of this escalation's alert already posted in a shared conversation (ids of messages there
 * start with `providerPrefix`), so the school's other counselors are pointed at it rather than posted again.
 */
export async function alertPostedIn(
  ctx: AppContext,
  escalationId: string,
  channel: Channel,
  providerPrefix: string,
): Promise<string | null> {
  const rows = await new EscalationAlertRepository(ctx.db).shown(escalationId, [channel]);
  const posted = rows.find(
    (r) =>
      r.providerMessageId?.startsWith(providerPrefix) &&
      alertOf({ payload: r.payload as MessagePayload, origin: r.origin }) !== null,
  );
  return posted?.providerMessageId ?? null;
}
