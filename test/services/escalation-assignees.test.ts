import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { actOnEscalation } from '../../src/services/escalation-actions.js';
import { escalationAssignees } from '../../src/services/escalation-view.js';
import { engineOf } from '../../src/store/db.js';
import { tablesOf } from '../helpers/tables.js';
import { escalationScene, raise } from './escalation-scene.js';

// A Reassign list offers only the people the rules then accept: active counselors of the case's school and
// district counselors, never the one holding it (Bayview's counselor-2 is of another school).

const NOW = Date.parse('2026-11-24T15:00:00Z');

describe('who an escalation may be handed to', () => {
  it('lists counselors of its school and district counselors, active, by name, not the holder', async () => {
    const { ctx, student } = await escalationScene(NOW);
    const e = await raise(ctx, student);
    const names = async () => (await escalationAssignees(ctx, e.id)).map((s) => s.id);

    expect(await escalationAssignees(ctx, e.id)).toEqual([
      { id: 'counselor-3', name: 'Lena Park' },
      { id: 'counselor-1', name: 'Marcus Oyelaran' },
      { id: 'counselor-d', name: 'Omar Haddad' },
    ]);

    expect((await actOnEscalation(ctx, e.id, 'counselor-1', { kind: 'claim' })).ok).toBe(true);
    expect(await names()).toEqual(['counselor-3', 'counselor-d']);

    const { staff } = tablesOf(ctx.db);
    await engineOf(ctx.db).update(staff).set({ active: false }).where(eq(staff.id, 'counselor-3'));
    expect(await names()).toEqual(['counselor-d']);

    // Every one offered is accepted by the reassign rule.
    const to = (await escalationAssignees(ctx, e.id))[0]!;
    expect(await actOnEscalation(ctx, e.id, 'counselor-1', { kind: 'reassign', to: to.id })).toMatchObject({
      ok: true,
      card: { holder: 'Omar Haddad' },
    });
    expect(await names()).toEqual(['counselor-1']);

    await actOnEscalation(ctx, e.id, 'counselor-d', { kind: 'resolve', outcome: 'handled_in_school' });
    expect(await escalationAssignees(ctx, e.id)).toEqual([]);
    expect(await escalationAssignees(ctx, 'NOPE1234')).toEqual([]);
  });

  it('is found by the short reference too', async () => {
    const { ctx, student } = await escalationScene(NOW);
    const e = await raise(ctx, student);
    const card = (await actOnEscalation(ctx, e.id, 'counselor-3', { kind: 'claim' })) as {
      card: { ref: string };
    };
    expect((await escalationAssignees(ctx, card.card.ref)).map((s) => s.id)).toEqual([
      'counselor-1',
      'counselor-d',
    ]);
  });
});
