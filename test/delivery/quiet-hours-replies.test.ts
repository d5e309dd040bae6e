import { describe, expect, it } from 'vitest';
import { createRelay } from '../../src/delivery/relay.js';
import { type SendResult, type Transport, TransportRegistry } from '../../src/delivery/transport.js';
import { REPLY_PURPOSES } from '../../src/sms/consent.js';
import { type NewOutboxMessage, OutboxRepository } from '../../src/store/repositories/outbox.js';
import { openTestStore } from '../helpers/engines.js';
import { rowsOf } from '../helpers/tables.js';
import { enqueue, message, seedGuardian, testContext } from './helpers.js';

const at = (iso: string) => Date.parse(iso);
// Tuesday 2026-11-24 23:00 in Chicago (CST); the window opens at 08:00 = 14:00Z.
const NIGHT = at('2026-11-25T05:00:00Z');
const OPENS = at('2026-11-25T14:00:00Z');
const NOON = at('2026-11-24T18:00:00Z');
const PHONE = '+13125550100';

async function setup(now: number) {
  const db = await openTestStore();
  const t = testContext(db, now);
  await seedGuardian(db, 'g-1', 'America/Chicago');
  const sent: string[] = [];
  /** Answers scripted per row id; anything else is accepted. */
  const answers = new Map<string, SendResult>();
  const sms: Transport = {
    channel: 'sms',
    send: async (m) => {
      const answer = answers.get(m.id);
      if (answer) return answer;
      sent.push(m.id);
      return { ok: true, providerMessageId: `SM-${m.id}` };
    },
  };
  const relay = createRelay({
    ctx: t.ctx,
    transports: new TransportRegistry([sms]),
    rateLimits: false,
    random: () => 0.5,
  });
  let order = 0;
  /** Queues a text to the guardian's phone; later calls are later in the conversation. */
  const text = (purpose: string, extra: Partial<NewOutboxMessage> = {}) =>
    enqueue(
      db,
      message({
        createdAt: t.clock() + order++,
        notBefore: t.clock(),
        channel: 'sms',
        recipientKind: 'guardian',
        recipientId: 'g-1',
        address: PHONE,
        purpose,
        ...extra,
      }),
    );
  const bypasses = async () =>
    (await rowsOf(db, 'auditLog')).filter((a) => a.action === 'quiet_hours_bypass');
  return { ...t, db, relay, sent, answers, text, bypasses, repo: new OutboxRepository(db) };
}

describe('quiet hours never delay an urgent row behind a held one', () => {
  it('at 23:00 a held check-in text does not hold the crisis text queued after it', async () => {
    const s = await setup(NIGHT);
    const checkin = await s.text('family_checkin');
    const crisis = await s.text('escalation:family_urgent', { urgent: true });
    expect(await s.relay.runOnce()).toMatchObject({ claimed: 2, sent: 1, held: 1 });
    expect(s.sent).toEqual([crisis]);
    expect(await s.repo.get(checkin)).toMatchObject({ status: 'pending', notBefore: OPENS });
  });

  it('the reviewer’s case: a HELP reply and a crisis reply claimed in one round at 23:00 both go', async () => {
    const s = await setup(NIGHT);
    const help = await s.text('sms:help');
    const crisis = await s.text('sms:crisis_reply', { urgent: true });
    expect(await s.relay.runOnce()).toMatchObject({ sent: 2, held: 0 });
    expect(s.sent).toEqual([help, crisis]);
  });

  it('urgent rows keep their order: the second waits for the first one’s retry', async () => {
    const s = await setup(NIGHT);
    const first = await s.text('escalation:family_urgent', { urgent: true });
    const second = await s.text('escalation:family_urgent', { urgent: true });
    s.answers.set(first, { ok: false, kind: 'transient', reason: 'http_503', retryAfterMs: 30_000 });
    expect(await s.relay.runOnce()).toMatchObject({ retried: 1, held: 1, sent: 0 });
    expect((await s.repo.get(first))!.notBefore).toBe(NIGHT + 30_000);
    expect(await s.repo.get(second)).toMatchObject({ status: 'pending', notBefore: NIGHT + 30_000 });
  });

  it('a routine text after a retried urgent one waits for it', async () => {
    const s = await setup(NOON);
    const urgent = await s.text('escalation:family_urgent', { urgent: true });
    const routine = await s.text('family_checkin');
    s.answers.set(urgent, { ok: false, kind: 'transient', reason: 'http_503', retryAfterMs: 30_000 });
    await s.relay.runOnce();
    expect((await s.repo.get(routine))!.notBefore).toBe(NOON + 30_000);
    expect(s.sent).toEqual([]);
  });
});

describe('replies to a family’s own text are exempt from quiet hours', () => {
  it('every reply purpose leaves at 23:00 with an audit record; a routine text waits until 08:00', async () => {
    const s = await setup(NIGHT);
    const replies = await Promise.all([...REPLY_PURPOSES].map((p) => s.text(p)));
    const routine = await s.text('family_checkin');
    expect(await s.relay.runOnce()).toMatchObject({ sent: replies.length, held: 1 });
    expect(s.sent).toEqual(replies);
    expect((await s.repo.get(routine))!.notBefore).toBe(OPENS);
    const audit = await s.bypasses();
    expect(audit.map((a) => a.entityId)).toEqual(replies);
    expect(audit[0]).toMatchObject({ actor: 'relay', after: { purpose: 'sms:help', reason: 'reply' } });
  });

  it('includes the acknowledgement of a text outside a check-in', async () => {
    expect(REPLY_PURPOSES.has('sms:message_received')).toBe(true);
    const s = await setup(NIGHT);
    const ack = await s.text('sms:message_received');
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(s.sent).toEqual([ack]);
  });

  it('a STOP confirmation goes at once, so a later START confirmation cannot overtake it', async () => {
    const s = await setup(NIGHT);
    const stop = await s.text('sms:opt_out_confirm');
    await s.relay.runOnce();
    const start = await s.text('sms:opt_in_confirm');
    await s.relay.runOnce();
    expect(s.sent).toEqual([stop, start]);
  });

  it('replies keep their order: a START confirmation waits for a STOP confirmation’s retry', async () => {
    const s = await setup(NIGHT);
    const stop = await s.text('sms:opt_out_confirm');
    const start = await s.text('sms:opt_in_confirm');
    s.answers.set(stop, { ok: false, kind: 'transient', reason: 'http_503', retryAfterMs: 10_000 });
    await s.relay.runOnce();
    expect((await s.repo.get(start))!.notBefore).toBe(NIGHT + 10_000);
    s.answers.delete(stop);
    s.clock.set(NIGHT + 10_000);
    await s.relay.runOnce();
    expect(s.sent).toEqual([stop, start]);
  });

  it('inside the window a reply writes no bypass record', async () => {
    const s = await setup(NOON);
    await s.text('sms:help');
    expect((await s.relay.runOnce()).sent).toBe(1);
    expect(await s.bypasses()).toHaveLength(0);
  });
});
