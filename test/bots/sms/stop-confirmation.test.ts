import { describe, expect, it } from 'vitest';
import { buildService } from '../../../src/app.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../../src/store/repositories/simulator.js';
import { testContext } from '../../helpers/context.js';

describe('STOP confirmation with a clock that moves', () => {
  it('sends the one confirmation even when every clock read is a millisecond later', async () => {
    const ctx = await testContext({ now: Date.parse('2026-11-24T18:00:00Z') });
    let now = Date.parse('2026-11-24T18:00:00Z');
    ctx.clock = Object.assign(() => ++now, { set: () => {}, advance: () => {} });
    const service = await buildService(ctx, { calendarFile: 'config/none.json' });
    const guardian = (await new SimulatorRepository(ctx.db).guardians()).find(
      (g) => g.phone && g.locale === 'en',
    )!;
    await service.simulateFamilyText(guardian.id, 'STOP');
    await service.relay.runOnce();
    const rows = await new SimulatorRepository(ctx.db).messagesTo(guardian.id);
    expect(rows.map((r) => [r.purpose, r.status])).toEqual([['sms:opt_out_confirm', 'sent']]);
    expect((await new RosterRepository(ctx.db).guardian(guardian.id))!.smsStatus).toBe('opted_out');
    await service.stop();
  });
});
