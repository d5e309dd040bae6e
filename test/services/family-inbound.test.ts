import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTexts } from '../../src/i18n/index.js';
import { ESCALATION_DUE_MS } from '../../src/services/escalations.js';
import { FamilyInboundService, type FamilyText } from '../../src/services/family-inbound.js';
import { FamilySmsService } from '../../src/services/family-sms.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../src/store/repositories/checkins.js';
import { ConsentRepository } from '../../src/store/repositories/consents.js';
import { InboundEventRepository } from '../../src/store/repositories/inbound.js';
import { NeedRepository } from '../../src/store/repositories/needs.js';
import { OutboxRepository } from '../../src/store/repositories/outbox.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { SmsRepository } from '../../src/store/repositories/sms.js';
import { testContext } from '../helpers/context.js';

/** Tuesday 10:00 in Chicago: inside the sending window. */
const NOW = Date.parse('2026-11-24T16:00:00Z');
const PHONE = '+15550100001';
const by = { actor: 'test', at: 0 };

let ctx: Awaited<ReturnType<typeof testContext>>;
let dialog: string[];
let failDialog: boolean;
let service: FamilyInboundService;
let n: number;

/** A text from the family's phone (a new platform id each time unless given). */
const text = (body: string, eventId = `SM${++n}`): FamilyText => ({
  channel: 'sms',
  eventId,
  from: PHONE,
  body,
});

beforeEach(async () => {
  ctx = await testContext({ now: NOW });
  dialog = [];
  failDialog = false;
  n = 0;
  const roster = new RosterRepository(ctx.db);
  await roster.upsertSchool({ id: 'S1', name: 'Lincoln', timezone: 'America/Chicago' }, by);
  await roster.upsertStaff(
    {
      id: 'counselor-1',
      schoolId: 'S1',
      name: 'Casey Counselor',
      email: 'casey@example.org',
      role: 'counselor',
      slackUserId: null,
      teamsUserId: null,
      timezone: 'America/Chicago',
      locale: 'en',
    },
    by,
  );
  await roster.upsertGuardian(
    { id: 'g-1', name: 'Rosa Diaz', phone: PHONE, locale: 'es', timezone: 'America/Chicago' },
    by,
  );
  await roster.upsertStudent(
    { id: 'st-1', schoolId: 'S1', firstName: 'Ana', lastName: 'Diaz', grade: '5' },
    by,
  );
  await roster.setGuardians('st-1', [{ guardianId: 'g-1', relationship: 'parent' }], by);
  await new ConsentRepository(ctx.db).record(
    { guardianId: 'g-1', status: 'granted', source: 'roster_import', locale: 'es' },
    by,
  );
  const sms = new FamilySmsService(ctx, createTexts({ defaultLocale: 'en' }));
  service = new FamilyInboundService(ctx, {
    sms,
    continueFamilyDialog: (guardianId, body) => {
      if (failDialog) throw new Error('the check-in failed');
      dialog.push(`${guardianId}:${body}`);
      // What CheckinService.input returns when the engine read the text as an answer.
      return { ok: true, applied: { answers: 1 } };
    },
  });
});

const outbox = async () => new OutboxRepository(ctx.db).list();

/** The guardian's weekly check-in is open, so an answer goes to the conversation. */
function familyCheckinRunning() {
  return new CheckinRepository(ctx.db).insertSession({
    id: 'sess-1',
    kind: 'family',
    participantId: 'g-1',
    channel: 'sms',
    scriptId: 'family-weekly',
    scriptVersion: 1,
    period: '2026-W48',
    state: {},
    createdAt: NOW,
    updatedAt: NOW,
  });
}

describe('family inbound service (no adapter)', () => {
  it('a keyword: PARAR opts the number out with one confirmation, and a resent copy changes nothing', async () => {
    expect(await service.receive(text('PARAR', 'SMstop'))).toMatchObject({
      action: 'opt_out',
      guardianId: 'g-1',
      replies: 1,
    });
    expect((await new RosterRepository(ctx.db).guardian('g-1'))?.smsStatus).toBe('opted_out');
    expect(await new ConsentRepository(ctx.db).latest('g-1')).toMatchObject({
      status: 'revoked',
      source: 'sms_keyword',
    });
    expect(await new SmsRepository(ctx.db).phoneOptedOut(PHONE)).toBe(true);
    expect((await outbox()).map((r) => r.purpose)).toEqual(['sms:opt_out_confirm']);
    expect((await new InboundEventRepository(ctx.db).get('sms', 'SMstop'))?.status).toBe('processed');

    expect(await service.receive(text('PARAR', 'SMstop'))).toMatchObject({ action: 'duplicate', replies: 0 });
    expect(await outbox()).toHaveLength(1);
  });

  it('a crisis text: an urgent reply and an urgent escalation, due per the one deadline table, routed to the counselor', async () => {
    const outcome = await service.receive(text('por favor ayuda, no tenemos comida'));
    expect(outcome).toMatchObject({ action: 'crisis', guardianId: 'g-1', replies: 1 });
    const [escalation, ...others] = await new NeedRepository(ctx.db).escalations();
    expect(others).toHaveLength(0);
    expect(escalation).toMatchObject({
      id: outcome.escalationId,
      trigger: 'no_food',
      urgent: true,
      source: 'family',
      guardianId: 'g-1',
      studentId: 'st-1',
      raisedBy: 'guardian:g-1',
      dueAt: NOW + ESCALATION_DUE_MS.urgent,
    });
    expect(escalation!.summary).not.toContain('comida');
    expect(escalation!.note).toContain('no tenemos comida');
    const audit = await new AuditRepository(ctx.db).listFor('escalation', escalation!.id);
    expect(audit).toMatchObject([{ action: 'create', actor: 'guardian:g-1' }]);
    expect(JSON.stringify(audit)).not.toContain('comida');
    const rows = await outbox();
    expect(rows.find((r) => r.purpose === 'sms:crisis_reply')).toMatchObject({
      urgent: true,
      address: PHONE,
    });
    expect(rows.find((r) => r.purpose === 'escalation:new')).toMatchObject({ recipientId: 'counselor-1' });
    expect(dialog).toEqual([]);
  });

  it('an answer inside a check-in goes to the conversation; if that fails, nothing is recorded and the retry is handled', async () => {
    await familyCheckinRunning();
    failDialog = true;
    await expect(service.receive(text('2', 'SManswer'))).rejects.toThrow('the check-in failed');
    expect(await new InboundEventRepository(ctx.db).get('sms', 'SManswer')).toBeUndefined();
    failDialog = false;
    expect(await service.receive(text('2', 'SManswer'))).toMatchObject({
      action: 'dialog',
      guardianId: 'g-1',
    });
    expect(dialog).toEqual(['g-1:2']);
    expect(await outbox()).toEqual([]);
    expect(await new SmsRepository(ctx.db).familyMessagesSince('g-1', 0)).toEqual([]);
  });

  it('an answer whose check-in step a crash cut short reaches the navigator when the service starts again', async () => {
    await familyCheckinRunning();
    // What a process that died inside the conversation's step leaves: the text's record committed (its own
    // transaction, first), and nothing of the step, whose writes and the text's mark commit together.
    await ctx.db.transaction(async (tx) => {
      await new InboundEventRepository(tx).recordOnce('sms', 'SMcut', ctx.clock());
      await new SmsRepository(tx).recordFamilyText({
        id: 'ft-cut',
        channel: 'sms',
        eventId: 'SMcut',
        guardianId: 'g-1',
        address: PHONE,
        body: 'mi hija no quiere ir a la escuela',
        meaning: 'answer',
        receivedAt: ctx.clock(),
      });
    });
    expect(await new SmsRepository(ctx.db).familyMessagesSince('g-1', 0)).toEqual([]);
    // The platform's retry is a duplicate; the restart finishes the text.
    expect(await service.receive(text('mi hija no quiere ir a la escuela', 'SMcut'))).toMatchObject({
      action: 'duplicate',
    });
    expect(await service.recoverUnfinished()).toBe(1);
    const kept = await new SmsRepository(ctx.db).familyMessagesSince('g-1', 0);
    expect(kept.map((m) => m.body)).toEqual(['mi hija no quiere ir a la escuela']);
    expect(await new InboundEventRepository(ctx.db).get('sms', 'SMcut')).toMatchObject({
      status: 'processed',
    });
    // Finished once: a second start finds nothing.
    expect(await service.recoverUnfinished()).toBe(0);
  });

  it('free text outside a check-in is kept for the navigator, with the need it names and one acknowledgement a day', async () => {
    expect(await service.receive(text('necesitamos comida'))).toMatchObject({
      action: 'family_message',
      replies: 1,
    });
    ctx.clock.advance(60_000);
    expect(await service.receive(text('gracias'))).toMatchObject({ action: 'family_message', replies: 0 });
    const kept = await new SmsRepository(ctx.db).familyMessagesSince('g-1', 0);
    expect(kept.map((m) => m.body)).toEqual(['necesitamos comida', 'gracias']);
    const need = await new NeedRepository(ctx.db).openNeed('st-1', 'food_security');
    expect(need).toMatchObject({
      source: 'family',
      raisedBy: 'guardian:g-1',
      answerText: 'necesitamos comida',
    });
    expect(await new AuditRepository(ctx.db).listFor('need', need!.id)).toMatchObject([{ action: 'create' }]);
    expect((await outbox()).map((r) => [r.purpose, r.locale])).toEqual([['sms:message_received', 'es']]);
  });

  it('free text after an opt-out is still kept, and gets no reply', async () => {
    await service.receive(text('STOP'));
    expect(await service.receive(text('nos mudamos'))).toMatchObject({
      action: 'ignored_opted_out',
      replies: 0,
    });
    const kept = await new SmsRepository(ctx.db).familyMessagesSince('g-1', 0);
    expect(kept.map((m) => m.body)).toEqual(['nos mudamos']);
    expect((await outbox()).map((r) => r.purpose)).toEqual(['sms:opt_out_confirm']);
  });
});
