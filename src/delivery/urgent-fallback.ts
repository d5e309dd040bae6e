import type { AppContext } from '../context.js';
import type { MessagePayload } from '../messages.js';
import type { DbOrTx } from '../store/db.js';
import { OutboxRepository, type OutboxRow, outboxKey } from '../store/repositories/outbox.js';
import { RosterRepository, type StaffRow } from '../store/repositories/roster.js';
import type { Channel } from '../vocabulary.js';

/** Outbox purpose of a copy of an urgent staff message sent to a colleague because the original keeps failing. */
export const URGENT_FALLBACK_PURPOSE = 'staff:urgent_fallback';

/** Options of the urgent fallback. */
export interface UrgentFallbackOptions {
  /** Where a staff member is reached (the staff routing rule, passed down as for the dead-letter alert). */
  route: (staff: StaffRow) => { channel: Channel; address: string } | null;
}

/**
 * The relay's `onUrgentFailing`: an urgent message to a staff member (a new crisis escalation) that has failed
 * a few times also goes, with the same words, to the school's lead navigators (on any channel) and to the
 * school's other counselors reached by a channel other than the failing one (the others were told on the
 * failing channel already). Staff have no phone number in the roster, so no staff SMS is sent. Idempotent per
 * colleague and escalation (or message). An urgent text to a family has no other route to the family; it
 * keeps retrying and shows in /healthz. Returns how many copies were queued.
 */
export function createUrgentFallback(
  ctx: AppContext,
  options: UrgentFallbackOptions,
): (row: OutboxRow, tx: DbOrTx) => Promise<number> {
  return async (row, tx) => {
    const log = { outboxId: row.id, channel: row.channel, purpose: row.purpose };
    if (row.recipientKind !== 'staff' || row.purpose === URGENT_FALLBACK_PURPOSE) return 0;
    const roster = new RosterRepository(tx);
    const recipient = await roster.staffById(row.recipientId);
    const colleagues = (await roster.staffList(['counselor', 'lead_navigator'])).filter(
      (s) =>
        s.active &&
        s.id !== row.recipientId &&
        (s.schoolId === (recipient?.schoolId ?? null) || (s.role === 'lead_navigator' && !s.schoolId)),
    );
    const outbox = new OutboxRepository(tx);
    let queued = 0;
    for (const s of colleagues) {
      const to = options.route(s);
      if (!to || (s.role === 'counselor' && to.channel === row.channel)) continue;
      const id = await outbox.enqueue({
        id: ctx.ids(),
        idempotencyKey: outboxKey({
          purpose: URGENT_FALLBACK_PURPOSE,
          recipient: `staff:${s.id}`,
          period: row.origin?.escalationId ?? row.id,
        }),
        channel: to.channel,
        recipientKind: 'staff',
        recipientId: s.id,
        address: to.address,
        purpose: URGENT_FALLBACK_PURPOSE,
        locale: s.locale,
        payload: row.payload as MessagePayload,
        ...(row.origin ? { origin: row.origin } : {}),
        urgent: true,
        createdAt: ctx.clock(),
      });
      if (id) queued += 1;
    }
    if (queued > 0)
      ctx.logger.warn({ ...log, copies: queued }, 'outbox: urgent message failing: sent by other routes');
    else ctx.logger.error(log, 'outbox: urgent message failing and no colleague is reached by another route');
    return queued;
  };
}
