import { beforeEach, describe, expect, it } from 'vitest';
import { actOnEscalation } from '../../src/services/escalation-actions.js';
import type { EscalationOutcome } from '../../src/services/escalation-rules.js';
import { escalationCard, escalationDetails } from '../../src/services/escalation-view.js';
import { escalationRef } from '../../src/services/escalations.js';
import { AuditRepository } from '../../src/store/repositories/audit.js';
import type { EscalationRow } from '../../src/store/repositories/needs.js';
import { RosterRepository, type StudentRow } from '../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { SmsRepository } from '../../src/store/repositories/sms.js';
import { escalationScene, raise, type SceneContext } from './escalation-scene.js';

// Tuesday 24 November 2026, 09:00 in Chicago (Riverside's zone).
const NOW = Date.parse('2026-11-24T15:00:00Z');
let ctx: SceneContext;
let student: StudentRow;
let e: EscalationRow;
let ref: string;

beforeEach(async () => {
  ({ ctx, student } = await escalationScene(NOW));
  e = await raise(ctx, student);
  ref = escalationRef(e.id);
});

const audit = async () =>
  (await new AuditRepository(ctx.db).listFor('escalation', e.id)).map((a) => `${a.actor} ${a.action}`);

describe('who may act on an escalation', () => {
  it('refuses a navigator claiming, in a sentence, and changes nothing', async () => {
    const r = await actOnEscalation(ctx, ref, 'nav-2', { kind: 'claim' });
    expect(r).toEqual({
      ok: false,
      refusal: 'not_allowed',
      message: `Navigators can see escalation ${ref} and add a note, but only a counselor can claim, acknowledge, reassign or resolve it.`,
    });
    expect(await actOnEscalation(ctx, ref, 'nav-2', { kind: 'acknowledge' })).toMatchObject({
      ok: false,
      refusal: 'not_allowed',
    });
    expect(
      await actOnEscalation(ctx, ref, 'nav-2', { kind: 'resolve', outcome: 'handled_in_school' }),
    ).toMatchObject({ ok: false, refusal: 'not_allowed' });
    expect(await actOnEscalation(ctx, ref, 'nav-2', { kind: 'reassign', to: 'counselor-1' })).toMatchObject({
      ok: false,
      refusal: 'not_allowed',
    });
    expect((await escalationCard(ctx, ref))?.status).toBe('open');
    expect(await audit()).toEqual(['staff:nav-2 create']);
  });

  it("refuses a counselor of another school in that counselor's language (Spanish)", async () => {
    const r = await actOnEscalation(ctx, ref, 'counselor-2', { kind: 'claim' });
    expect(r).toEqual({
      ok: false,
      refusal: 'not_allowed',
      message: `La escalación ${ref} es de Riverside Middle School: solo sus consejeros, los consejeros del distrito y sus navegadores líderes pueden actuar sobre ella.`,
    });
  });

  it('lets a district-level counselor claim', async () => {
    const r = await actOnEscalation(ctx, ref, 'counselor-d', { kind: 'claim' });
    expect(r).toMatchObject({ ok: true, card: { status: 'claimed', holder: 'Omar Haddad' } });
  });

  it('makes a claim exclusive: a second claim is refused naming the holder', async () => {
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' })).toMatchObject({ ok: true });
    const second = await actOnEscalation(ctx, ref, 'counselor-3', { kind: 'claim' });
    expect(second).toEqual({
      ok: false,
      refusal: 'claimed_by_other',
      holder: 'Marcus Oyelaran',
      message: `Marcus Oyelaran already holds escalation ${ref}. Ask them or a lead navigator to reassign it.`,
    });
    // Acknowledging or resolving someone else's case is refused the same way.
    expect(await actOnEscalation(ctx, ref, 'counselor-3', { kind: 'acknowledge' })).toMatchObject({
      refusal: 'claimed_by_other',
    });
    expect(
      await actOnEscalation(ctx, ref, 'counselor-3', { kind: 'resolve', outcome: 'handled_in_school' }),
    ).toMatchObject({ refusal: 'claimed_by_other' });
    expect(
      await actOnEscalation(ctx, ref, 'counselor-3', { kind: 'reassign', to: 'counselor-3' }),
    ).toMatchObject({ refusal: 'claimed_by_other' });
    // Claiming again one's own case changes nothing and logs nothing.
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' })).toMatchObject({
      ok: true,
      message: `You already hold escalation ${ref}.`,
    });
    expect(await audit()).toEqual(['staff:nav-2 create', 'staff:counselor-1 claim']);
  });

  it('refuses anything on a resolved case, an unknown outcome, an empty note and bad assignees', async () => {
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' })).toMatchObject({ ok: true });
    expect(
      await actOnEscalation(ctx, ref, 'counselor-1', {
        kind: 'resolve',
        outcome: 'sorted' as EscalationOutcome,
      }),
    ).toEqual({
      ok: false,
      refusal: 'unknown_outcome',
      message:
        'Please choose how it ended: connected to a service, handled in school, referred outside, no action needed.',
    });
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'note', text: '   ' })).toMatchObject({
      ok: false,
      refusal: 'empty_note',
      message: 'The note is empty; please write something first.',
    });
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'reassign', to: 'ghost' })).toMatchObject({
      ok: false,
      refusal: 'unknown_assignee',
      message: 'There is no staff member ghost to give the escalation to.',
    });
    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'reassign', to: 'nav-1' })).toMatchObject({
      ok: false,
      refusal: 'assignee_not_counselor',
      message:
        'Priya Castellanos is not a counselor of Riverside Middle School, so they cannot take this escalation.',
    });
    expect(
      await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'reassign', to: 'counselor-2' }),
    ).toMatchObject({
      refusal: 'assignee_not_counselor',
    });
    expect(
      await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'resolve', outcome: 'no_action_needed' }),
    ).toMatchObject({ ok: true, card: { status: 'resolved', outcome: 'no_action_needed' } });
    for (const who of ['counselor-1', 'lead-1'])
      expect(await actOnEscalation(ctx, ref, who, { kind: 'claim' })).toEqual({
        ok: false,
        refusal: 'already_resolved',
        message: `Escalation ${ref} is already resolved, so nothing more can be done to it.`,
      });
    expect(await actOnEscalation(ctx, ref, 'nav-2', { kind: 'note', text: 'late news' })).toMatchObject({
      refusal: 'already_resolved',
    });
  });

  it('lets a lead navigator reassign and resolve, but not claim', async () => {
    expect(await actOnEscalation(ctx, ref, 'lead-1', { kind: 'claim' })).toMatchObject({
      ok: false,
      refusal: 'not_allowed',
      message: `Lead navigators can reassign or resolve escalation ${ref}, but only a counselor can claim or acknowledge it.`,
    });
    expect(await actOnEscalation(ctx, ref, 'lead-2', { kind: 'reassign', to: 'counselor-1' })).toMatchObject({
      ok: false,
      refusal: 'not_allowed',
    });
    expect(await actOnEscalation(ctx, ref, 'lead-1', { kind: 'reassign', to: 'counselor-3' })).toMatchObject({
      ok: true,
      message: `Escalation ${ref} is now with Lena Park.`,
      card: { status: 'claimed', holder: 'Lena Park' },
    });
    expect(
      await actOnEscalation(ctx, ref, 'lead-1', { kind: 'resolve', outcome: 'referred_outside' }),
    ).toMatchObject({
      ok: true,
      card: { status: 'resolved', holder: 'Lena Park', outcome: 'referred_outside' },
    });
    expect(await audit()).toEqual(['staff:nav-2 create', 'staff:lead-1 reassign', 'staff:lead-1 resolve']);
  });
});

describe('claims that race, and one press from the alert', () => {
  it('lets only one of two simultaneous claims through', async () => {
    const [a, b] = await Promise.all([
      actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' }),
      actOnEscalation(ctx, ref, 'counselor-3', { kind: 'claim' }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = a.ok ? b : a;
    expect(refused).toMatchObject({ refusal: 'claimed_by_other' });
    expect(await audit()).toHaveLength(2);
  });

  it('takes an unheld case on acknowledge, logging the claim first, and tells the navigator', async () => {
    expect(await actOnEscalation(ctx, ref, 'counselor-3', { kind: 'acknowledge' })).toMatchObject({
      ok: true,
      card: { status: 'acknowledged', holder: 'Lena Park' },
    });
    expect(await audit()).toEqual([
      'staff:nav-2 create',
      'staff:counselor-3 claim',
      'staff:counselor-3 acknowledge',
    ]);
    await actOnEscalation(ctx, ref, 'counselor-3', { kind: 'resolve', outcome: 'handled_in_school' });
    const told = (await new SimulatorRepository(ctx.db).messagesTo('nav-2')).map((m) => m.purpose);
    expect(told).toEqual(['escalation:navigator_claimed', 'escalation:navigator_resolved']);
  });
});

describe('an escalation from claim to resolve', () => {
  it('claims, acknowledges, takes notes, is reassigned and resolved, each step audit-logged', async () => {
    const steps: [string, Parameters<typeof actOnEscalation>[3], string][] = [
      [
        'counselor-1',
        { kind: 'claim' },
        `You have claimed escalation ${ref}. Please contact the student or family.`,
      ],
      [
        'counselor-1',
        { kind: 'acknowledge' },
        `You acknowledged escalation ${ref}; the reminders have stopped.`,
      ],
      [
        'nav-2',
        { kind: 'note', text: 'Mother prefers calls after 5pm' },
        `Your note is added to escalation ${ref}.`,
      ],
      ['counselor-1', { kind: 'note', text: 'Left a voicemail' }, `Your note is added to escalation ${ref}.`],
      ['counselor-1', { kind: 'reassign', to: 'counselor-3' }, `Escalation ${ref} is now with Lena Park.`],
      [
        'counselor-3',
        { kind: 'acknowledge' },
        `You acknowledged escalation ${ref}; the reminders have stopped.`,
      ],
      [
        'counselor-3',
        { kind: 'resolve', outcome: 'connected_to_service', note: 'Family meets the clinic on Friday' },
        `Escalation ${ref} is resolved (connected to a service). Thank you.`,
      ],
    ];
    const statuses: string[] = [];
    for (const [who, action, message] of steps) {
      const r = await actOnEscalation(ctx, ref, who, action);
      expect(r).toMatchObject({ ok: true, message });
      if (r.ok) statuses.push(`${r.card.status}:${r.card.holder}`);
    }
    expect(statuses).toEqual([
      'claimed:Marcus Oyelaran',
      'acknowledged:Marcus Oyelaran',
      'acknowledged:Marcus Oyelaran',
      'acknowledged:Marcus Oyelaran',
      'claimed:Lena Park',
      'acknowledged:Lena Park',
      'resolved:Lena Park',
    ]);
    const rows = await new AuditRepository(ctx.db).listFor('escalation', e.id);
    expect(rows.map((a) => `${a.actor} ${a.action}`)).toEqual([
      'staff:nav-2 create',
      'staff:counselor-1 claim',
      'staff:counselor-1 acknowledge',
      'staff:nav-2 note',
      'staff:counselor-1 note',
      'staff:counselor-1 reassign',
      'staff:counselor-3 acknowledge',
      'staff:counselor-3 note',
      'staff:counselor-3 resolve',
    ]);
    expect(rows.find((a) => a.action === 'reassign')).toMatchObject({
      before: { status: 'acknowledged', counselorId: 'counselor-1' },
      after: { status: 'claimed', counselorId: 'counselor-3' },
    });
    expect(rows.at(-1)).toMatchObject({ after: { status: 'resolved', outcome: 'connected_to_service' } });
    // A note's words are in the case, never in the audit log.
    expect(JSON.stringify(rows)).not.toContain('voicemail');
  });
});

describe('the card and the private details', () => {
  async function familyTexted(body: string, at: number) {
    const guardian = (await new RosterRepository(ctx.db).guardiansOf(student.id))[0]!;
    await new SmsRepository(ctx.db).recordFamilyText({
      id: `ft-${at}`,
      channel: 'sms',
      eventId: `SM${at}`,
      guardianId: guardian.id,
      address: guardian.phone ?? '+13125550100',
      body,
      meaning: 'note',
      receivedAt: at,
    });
  }

  it('keeps the card free of names, notes, family words and phones', async () => {
    await familyTexted('He has not eaten since Sunday', NOW - 3_600_000);
    await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' });
    await actOnEscalation(ctx, ref, 'nav-2', { kind: 'note', text: 'Grandmother is the contact' });
    const card = (await escalationCard(ctx, ref))!;
    expect(card).toMatchObject({
      ref,
      status: 'claimed',
      urgent: false,
      trigger: 'navigator_request',
      schoolName: 'Riverside Middle School',
      initials: `${student.firstName[0]}. ${student.lastName[0]}.`,
      grade: Number(student.grade),
      raisedBy: 'navigator',
      holder: 'Marcus Oyelaran',
      outcome: null,
      timeZone: 'America/Chicago',
    });
    const shown = JSON.stringify(card);
    const guardian = (await new RosterRepository(ctx.db).guardiansOf(student.id))[0]!;
    for (const secret of [
      student.firstName,
      student.lastName,
      'not wanting to go home',
      'Grandmother',
      'eaten',
      guardian.name,
      ...(guardian.phone ? [guardian.phone] : []),
    ])
      expect(shown).not.toContain(secret);
  });

  it('opens the details for the holder and lead navigators only, audit-logging every opening', async () => {
    await familyTexted('He has not eaten since Sunday', NOW - 3_600_000);
    await familyTexted('Long ago', NOW - 30 * 24 * 3_600_000);
    await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' });
    await actOnEscalation(ctx, ref, 'nav-2', { kind: 'note', text: 'Grandmother is the contact' });

    const mine = await escalationDetails(ctx, ref, 'counselor-1');
    expect(mine.ok).toBe(true);
    if (!mine.ok) return;
    expect(mine.details).toMatchObject({
      studentName: `${student.firstName} ${student.lastName}`,
      navigatorName: 'Tom Brennan',
      note: 'Talked about not wanting to go home',
      familyWords: [{ at: NOW - 3_600_000, body: 'He has not eaten since Sunday' }],
    });
    expect(mine.details.history.map((h) => [h.actor, h.action, h.text])).toEqual([
      ['Tom Brennan', 'create', undefined],
      ['Marcus Oyelaran', 'claim', undefined],
      ['Tom Brennan', 'note', 'Grandmother is the contact'],
    ]);
    expect((await escalationDetails(ctx, ref, 'lead-1')).ok).toBe(true);

    for (const who of ['counselor-3', 'nav-2', 'lead-2', 'counselor-d'])
      expect(await escalationDetails(ctx, ref, who)).toEqual({
        ok: false,
        refusal: 'not_allowed',
        message: `Only the counselor holding escalation ${ref} and lead navigators can open its details.`,
      });
    expect(await escalationDetails(ctx, ref, 'counselor-2')).toMatchObject({
      ok: false,
      message: `Solo el consejero que tiene la escalación ${ref} y los navegadores líderes pueden abrir sus detalles.`,
    });
    const views = (await new AuditRepository(ctx.db).listFor('escalation', e.id))
      .filter((a) => a.action.startsWith('view'))
      .map((a) => `${a.actor} ${a.action}`);
    expect(views).toEqual([
      'staff:counselor-1 view',
      'staff:lead-1 view',
      'staff:counselor-3 view_refused',
      'staff:nav-2 view_refused',
      'staff:lead-2 view_refused',
      'staff:counselor-d view_refused',
      'staff:counselor-2 view_refused',
    ]);
  });
});
