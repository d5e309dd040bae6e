import type { AppContext } from '../context.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { OutboxRepository, type OutboxRow, outboxKey } from '../store/repositories/outbox.js';
import type { StaffRow } from '../store/repositories/roster.js';
import { RosterRepository } from '../store/repositories/roster.js';
import type { Channel } from '../store/schema/index.js';

/** Outbox purpose of the admin alert about dead messages. */
export const DEAD_LETTER_PURPOSE = 'admin:dead_letter';
/** Text key of the alert; params `{ id, channel, purpose, dead }` (the latest dead row, and how many died). */
export const DEAD_LETTER_TEXT_KEY = 'common.admin_dead_letter';

/** Options of the dead-letter alert. */
export interface DeadLetterAlertOptions {
  /**
   * Where an admin is reached, or null when no configured channel reaches them: the staff routing rule
   * (`src/services/staff-routing.ts`), passed down so the relay's layer does not hold it.
   */
  route: (staff: StaffRow) => { channel: Channel; address: string } | null;
  /** At most one alert per this many ms (default 10 minutes); deaths in between are counted into the next. */
  intervalMs?: number;
}

/**
 * What one call did: a new alert, counted into one that has not left yet, already alerted, no admin reachable
 * by a channel other than the one that failed, or nothing to do (an alert that died).
 */
export type DeadLetterAlertResult = 'alerted' | 'merged' | 'duplicate' | 'no_admin' | 'ignored';

interface AlertParams {
  id: string;
  channel: string;
  purpose: string;
  dead: number;
  slot: number;
}

/**
 * The relay's `onDead`: tells every active admin, on their own channel, that a message is dead, with its id,
 * channel and purpose only (no recipient, address or body). Only admins reached by another channel than the
 * one that failed are told: an alert on the failing channel would die the same way.
 * At most one alert per `intervalMs`: a death while
 * the last alert is still waiting is counted into it (`dead`), a later one goes out when the interval is over.
 * Idempotent per death of a row (audit-logged as `dead_letter_alert`). Given `tx` (the relay passes the
 * transaction that marks the row dead), it writes there, so the death and its alert commit together;
 * without, in its own transaction. Example:
 * `createRelay({ ctx, transports, onDead: createDeadLetterAlert(ctx, { route }) })`.
 */
export function createDeadLetterAlert(
  ctx: AppContext,
  options: DeadLetterAlertOptions,
): (row: OutboxRow, tx?: DbOrTx) => Promise<DeadLetterAlertResult> {
  const { route } = options;
  const intervalMs = options.intervalMs ?? 10 * 60_000;

  return async (row, outer) => {
    const log = { outboxId: row.id, channel: row.channel, purpose: row.purpose };
    if (row.purpose === DEAD_LETTER_PURPOSE) {
      // An alert that died must not raise another alert about itself.
      ctx.logger.error(log, 'dead-letter alert could not be delivered');
      return 'ignored';
    }
    const now = ctx.clock();
    const alert = async (tx: DbOrTx): Promise<DeadLetterAlertResult> => {
      const repo = new OutboxRepository(tx);
      if (!(await repo.recordDeadLetterAlert(row, now))) return 'duplicate';
      const latest = { id: row.id, channel: row.channel, purpose: row.purpose };
      const group = await repo.latestSlot(DEAD_LETTER_PURPOSE);
      const waiting = group.every(
        (r) =>
          r.status === 'pending' &&
          (r.leaseUntil === null || r.leaseUntil < now) &&
          r.channel !== row.channel,
      );
      if (group.length > 0 && waiting) {
        for (const r of group) {
          const payload = r.payload as MessagePayload;
          const params = payload.params as unknown as AlertParams;
          await repo.updatePendingPayload(
            r.id,
            { ...payload, params: { ...params, ...latest, dead: params.dead + 1 } },
            now,
          );
        }
        return 'merged';
      }
      const admins = (await new RosterRepository(tx).staffList(['admin']))
        .filter((s) => s.active)
        .flatMap((s) => {
          const to = route(s);
          return to && to.channel !== row.channel ? [{ staff: s, ...to }] : [];
        });
      if (admins.length === 0) return 'no_admin';
      const lastSlot = (group[0]?.payload as MessagePayload | undefined)?.params?.slot;
      const slot = typeof lastSlot === 'number' ? Math.max(now, lastSlot + intervalMs) : now;
      for (const a of admins) {
        const params: AlertParams = { ...latest, dead: 1, slot };
        await repo.enqueue({
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
    const result = await (outer ? alert(outer) : ctx.db.transaction(alert));
    if (result === 'no_admin')
      ctx.logger.error(
        log,
        'message is dead and no admin can be reached by another channel than the failing one: give an admin a second channel',
      );
    else if (result === 'duplicate')
      ctx.logger.error({ ...log, alert: result }, 'message is dead: admin alert already queued');
    else ctx.logger.error({ ...log, alert: result }, 'message is dead: admin alerted');
    return result;
  };
}
