import { beforeEach, describe, expect, it } from 'vitest';
import { seedDemoRoster } from '../../src/demo/seed.js';
import { createTexts } from '../../src/i18n/index.js';
import type { MessagePayload } from '../../src/messages.js';
import { CheckinService } from '../../src/services/checkins.js';
import { actOnEscalation } from '../../src/services/escalation-actions.js';
import { escalationRef, raiseEscalation } from '../../src/services/escalations.js';
import { tellNavigator } from '../../src/services/navigator-notices.js';
import { type EscalationRow, NeedRepository } from '../../src/store/repositories/needs.js';
import { RosterRepository, type StudentRow } from '../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../src/store/repositories/simulator.js';
import { testContext } from '../helpers/context.js';

const NOW = Date.parse('2026-11-24T15:00:00Z');
const NOTE = 'Talked about not wanting to go home';
const texts = createTexts({ defaultLocale: 'en' });

let ctx: Awaited<ReturnType<typeof testContext>>;

beforeEach(async () => {
  ctx = await testContext({ now: NOW });
  await seedDemoRoster(ctx);
});

/** A navigator asks a counselor about their first student, with a private note. */
async function askCounselor(
  navigatorId: string,
): Promise<{ student: StudentRow; escalation: EscalationRow }> {
  const service = new CheckinService(ctx, texts);
  await service.startNavigator(navigatorId);
  const student = (await new RosterRepository(ctx.db).caseloadOf(navigatorId))[0]!;
  const outcome = await service.input('navigator', navigatorId, {
    kind: 'command',
    command: 'ask_counselor',
    studentId: student.id,
    note: NOTE,
  });
  expect(outcome).toMatchObject({ ok: true });
  const [escalation] = await new NeedRepository(ctx.db).escalations('open');
  return { student, escalation: escalation! };
}

/** Notices about escalations queued for a staff member, oldest first. */
async function notices(staffId: string) {
  return (await new SimulatorRepository(ctx.db).messagesTo(staffId)).filter((m) =>
    m.purpose.startsWith('escalation:navigator_'),
  );
}

const rendered = (payload: unknown, locale: string) => texts.render(payload as MessagePayload, locale).text;

describe('the navigator hears when their escalation is claimed and resolved', () => {
  it('names the counselor, then the outcome in words, and never the note', async () => {
    const { student, escalation } = await askCounselor('nav-2');
    const ref = escalationRef(escalation.id);
    const initials = `${student.firstName[0]}. ${student.lastName[0]}.`;

    expect(await actOnEscalation(ctx, ref, 'counselor-1', { kind: 'claim' })).toMatchObject({ ok: true });
    let mine = await notices('nav-2');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      purpose: 'escalation:navigator_claimed',
      recipientKind: 'staff',
      urgent: false,
    });
    expect(rendered(mine[0]!.payload, 'en')).toBe(
      `Your escalation ${ref} for ${initials} was claimed by Marcus Oyelaran.`,
    );

    expect(
      await actOnEscalation(ctx, ref, 'counselor-1', {
        kind: 'resolve',
        outcome: 'connected_to_service',
        note: 'Family linked with the food pantry on Elm St',
      }),
    ).toMatchObject({ ok: true });
    mine = await notices('nav-2');
    expect(mine.map((m) => m.purpose)).toEqual([
      'escalation:navigator_claimed',
      'escalation:navigator_resolved',
    ]);
    expect(rendered(mine[1]!.payload, 'en')).toBe(
      `Your escalation ${ref} for ${initials} was resolved: connected to a service.`,
    );
    for (const m of mine) {
      const json = JSON.stringify(m.payload);
      expect(json).not.toContain('not wanting');
      expect(json).not.toContain('pantry');
      expect(json).not.toContain(student.firstName.slice(1));
      // Not tied to the escalation: a chat would render it as the counselor's alert, with its buttons.
      expect(m.origin).toEqual({ studentId: student.id });
    }
    // The counselor who acted is not sent a navigator notice.
    expect(await notices('counselor-1')).toHaveLength(0);
  });

  it('speaks the navigator’s language', async () => {
    const { student, escalation } = await askCounselor('nav-1');
    await actOnEscalation(ctx, escalation.id, 'counselor-1', { kind: 'claim' });
    await actOnEscalation(ctx, escalation.id, 'counselor-1', {
      kind: 'resolve',
      outcome: 'handled_in_school',
    });
    const [claimed, resolved] = await notices('nav-1');
    expect(claimed!.locale).toBe('es');
    const ref = escalationRef(escalation.id);
    const initials = `${student.firstName[0]}. ${student.lastName[0]}.`;
    expect(rendered(claimed!.payload, 'es')).toBe(
      `Su escalación ${ref} sobre ${initials} la asumió Marcus Oyelaran.`,
    );
    expect(rendered(resolved!.payload, 'es')).toBe(
      `Su escalación ${ref} sobre ${initials} se resolvió: se atendió en la escuela.`,
    );
  });

  it('is queued once per escalation and event', async () => {
    const { escalation } = await askCounselor('nav-2');
    await new NeedRepository(ctx.db).updateEscalation(
      escalation.id,
      { status: 'claimed', counselorId: 'counselor-1' },
      NOW,
    );
    expect(await ctx.db.transaction((tx) => tellNavigator(tx, ctx, escalation.id, 'claimed'))).toBe(1);
    expect(await ctx.db.transaction((tx) => tellNavigator(tx, ctx, escalation.id, 'claimed'))).toBe(0);
    expect(await notices('nav-2')).toHaveLength(1);
    expect(await ctx.db.transaction((tx) => tellNavigator(tx, ctx, 'no-such-id', 'resolved'))).toBe(0);
  });
});

describe('an escalation a family raised', () => {
  it("goes to the student's assigned navigator", async () => {
    const roster = new RosterRepository(ctx.db);
    const student = (await roster.caseloadOf('nav-2'))[0]!;
    const guardian = (await roster.guardiansOf(student.id))[0]!;
    const e = await ctx.db.transaction((tx) =>
      raiseEscalation(tx, ctx, {
        studentId: student.id,
        guardianId: guardian.id,
        trigger: 'no_food',
        urgent: true,
        source: 'family',
        raisedBy: `guardian:${guardian.id}`,
        summary: 'no_food',
        note: 'no hay comida en casa',
      }),
    );
    await new NeedRepository(ctx.db).updateEscalation(
      e.id,
      { status: 'resolved', outcome: 'referred_outside' },
      NOW,
    );
    await ctx.db.transaction((tx) => tellNavigator(tx, ctx, e.id, 'resolved'));
    const [notice] = await notices('nav-2');
    expect(rendered(notice!.payload, 'en')).toBe(
      `Your escalation ${escalationRef(e.id)} for ${student.firstName[0]}. ${student.lastName[0]}. was resolved: referred to help outside school.`,
    );
    expect(JSON.stringify(notice!.payload)).not.toContain('comida');
  });

  it('about a family with children on two caseloads reaches both navigators, naming no child', async () => {
    const roster = new RosterRepository(ctx.db);
    let found: { guardianId: string; navigators: string[] } | undefined;
    for (const g of await new SimulatorRepository(ctx.db).guardians()) {
      const children = await roster.studentsOfGuardian(g.id);
      const navigators = [...new Set(await Promise.all(children.map((c) => roster.navigatorOf(c.id))))];
      if (navigators.length === 2 && navigators.every((n) => n !== null)) {
        found = { guardianId: g.id, navigators: navigators as string[] };
        break;
      }
    }
    expect(found).toBeDefined();
    const e = await ctx.db.transaction((tx) =>
      raiseEscalation(tx, ctx, {
        guardianId: found!.guardianId,
        trigger: 'housing_loss',
        urgent: true,
        source: 'family',
        raisedBy: `guardian:${found!.guardianId}`,
        summary: 'housing_loss',
      }),
    );
    await new NeedRepository(ctx.db).updateEscalation(
      e.id,
      { status: 'claimed', counselorId: 'counselor-1' },
      NOW,
    );
    expect(await ctx.db.transaction((tx) => tellNavigator(tx, ctx, e.id, 'claimed'))).toBe(2);
    for (const navigatorId of found!.navigators) {
      const [notice] = await notices(navigatorId);
      expect(rendered(notice!.payload, 'en')).toBe(
        `Your escalation ${escalationRef(e.id)} for a family was claimed by Marcus Oyelaran.`,
      );
    }
  });
});
