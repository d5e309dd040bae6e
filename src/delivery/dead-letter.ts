import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { OutboxRepository, type OutboxRow, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository } from '../store/repositories/roster.js';
import type { StaffRow } from '../store/repositories/timers.js';
import type { Channel } from '../store/schema/index.js';

/** Outbox purpose of the admin alert about dead messages. */
export const DEAD_LETTER_PURPOSE = 'admin:dead_letter';
/** Text key of the alert; params `{ id, channel, purpose, dead }` (the latest dead row, and how many died). */
export const DEAD_LETTER_TEXT_KEY = 'common.admin_dead_letter';

/** Where a staff member is reached, or null when no configured channel reaches them. */
export type StaffRoute = (staff: StaffRow) => { channel: Channel; address: string } | null;

/** Options of the dead-letter alert. */
export interface DeadLetterAlertOptions {
  /** Default: `defaultStaffRoute(ctx.config)`; the service passes its channel policy for navigators. */
  route?: StaffRoute;
  /** At most one alert per this many ms (default 10 minutes); deaths in between are counted into the next. */
  intervalMs?: number;
}

/** What one call did: a new alert, counted into one that has not left yet, already alerted, or nobody to tell. */
export type DeadLetterAlertResult = 'alerted' | 'merged' | 'duplicate' | 'no_admin' | 'ignored';

/** Slack when configured and the staff member has a Slack id, then Teams, else the simulator in local mode. */
export function defaultStaffRoute(config: Pick<Config, 'slack' | 'teams' | 'localMode'>): StaffRoute {
  return (s) => {
    if (config.slack && s.slackUserId) return { channel: 'slack', address: s.slackUserId };
    if (config.teams && s.teamsConversation) return { channel: 'teams', address: s.teamsConversation };
    return config.localMode ? { channel: 'local', address: s.id } : null;
  };
}

interface AlertParams {
  id: string;
  channel: string;
  purpose: string;
  dead: number;
  slot: number;
}

/**
 * The relay's `onDead`: tells every active admin, on their own channel, that a message is dead, with its id,
 * channel and purpose only (no recipient, address or body). At most one alert per `intervalMs`: a death while
 * the last alert is still waiting is counted into it (`dead`), a later one goes out when the interval is over.
 * Idempotent per death of a row (audit-logged as `dead_letter_alert`). Given `tx` (the relay passes the
 * transaction that marks the row dead), it writes there, so the death and its alert commit together;
 * without, in its own transaction. Example:
 * `createRelay({ ctx, transports, onDead: createDeadLetterAlert(ctx, { route }) })`.
 */
export function createDeadLetterAlert(
  ctx: AppContext,
  options: DeadLetterAlertOptions = {},
): (row: OutboxRow, tx?: DbOrTx) => DeadLetterAlertResult {
  const route = options.route ?? defaultStaffRoute(ctx.config);
  const intervalMs = options.intervalMs ?? 10 * 60_000;

  return (row, outer) => {
    const log = { outboxId: row.id, channel: row.channel, purpose: row.purpose };
    if (row.purpose === DEAD_LETTER_PURPOSE) {
      // An alert that died must not raise another alert about itself.
      ctx.logger.error(log, 'dead-letter alert could not be delivered');
      return 'ignored';
    }
    const now = ctx.clock();
    const alert = (tx: DbOrTx): DeadLetterAlertResult => {
      const repo = new OutboxRepository(tx);
      if (!repo.recordDeadLetterAlert(row, now)) return 'duplicate';
      const latest = { id: row.id, channel: row.channel, purpose: row.purpose };
      const group = repo.latestSlot(DEAD_LETTER_PURPOSE);
      const waiting = group.every(
        (r) => r.status === 'pending' && (r.leaseUntil === null || r.leaseUntil < now),
      );
      if (group.length > 0 && waiting) {
        for (const r of group) {
          const payload = r.payload as MessagePayload;
          const params = payload.params as unknown as AlertParams;
          repo.updatePendingPayload(
            r.id,
            { ...payload, params: { ...params, ...latest, dead: params.dead + 1 } },
            now,
          );
        }
        return 'merged';
      }
      const admins = new RosterRepository(tx)
        .staffList(['admin'])
        .filter((s) => s.active)
        .flatMap((s) => {
          const to = route(s);
          return to ? [{ staff: s, ...to }] : [];
        });
      if (admins.length === 0) return 'no_admin';
      const lastSlot = (group[0]?.payload as MessagePayload | undefined)?.params?.slot;
      const slot = typeof lastSlot === 'number' ? Math.max(now, lastSlot + intervalMs) : now;
      for (const a of admins) {
        const params: AlertParams = { ...latest, dead: 1, slot };
        repo.enqueue({
          id: ctx.ids(),
          idempotencyKey: outboxKey({
            recipient: a.staff.id,
            purpose: DEAD_LETTER_PURPOSE,
            period: String(slot),
          }),
          channel: a.channel,
          recipientKind: 'staff',
          recipientId: a.staff.id,
          address: a.address,
          purpose: DEAD_LETTER_PURPOSE,
          locale: a.staff.locale,
          payload: { key: DEAD_LETTER_TEXT_KEY, params: { ...params } },
          notBefore: slot,
          createdAt: now,
        });
      }
      return 'alerted';
    };
    const result = outer ? alert(outer) : ctx.db.transaction(alert, { behavior: 'immediate' });
    if (result === 'no_admin')
      ctx.logger.error(
        log,
        'message is dead and no admin can be reached: add a staff member with role admin',
      );
    else ctx.logger.error({ ...log, alert: result }, 'message is dead: admin alerted');
    return result;
  };
}
