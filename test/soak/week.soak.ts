import { describe, expect, it } from 'vitest';
import { buildService } from '../../src/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { engineOf } from '../../src/store/db.js';
import { guardians, staff } from '../../src/store/schema/index.js';
import { testContext } from '../helpers/context.js';
import { figure } from './figures.js';

// Monday 2026-11-23 06:00 UTC: a simulated week starts before the first prompts.
const START = Date.parse('2026-11-23T06:00:00Z');
const HOUR = 3_600_000;
const FAMILY_WORDS = [
  'my son Diego has no bus pass SECRETBODY1',
  'we lost our apartment SECRETBODY2',
  'STOP',
  'START',
  'HELP',
  'call me at 615-555-0199 SECRETBODY3',
  'I want to hurt myself SECRETBODY4',
  '2',
  'food please SECRETBODY5',
];

describe('a simulated week in local mode', () => {
  it('the logs hold no phone number, message body, token or signature', async () => {
    const ctx = await testContext({ now: START, idPrefix: 'wk' });
    const lines: string[] = [];
    ctx.logger = createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } });
    const service = await buildService(ctx, { calendarFile: 'config/none.json' });
    const families = engineOf(ctx.db).select().from(guardians).all();
    const navigators = engineOf(ctx.db)
      .select()
      .from(staff)
      .all()
      .filter((s) => s.role === 'navigator');
    let texts = 0;
    let rounds = 0;
    for (let hour = 0; hour < 7 * 24; hour++) {
      ctx.clock.set(START + hour * HOUR);
      if (hour % 24 === 2) await service.scheduler.planUpcoming();
      await service.scheduler.tick();
      if (hour % 24 === 3) for (const n of navigators) await service.checkins.startNavigator(n.id);
      if (hour % 6 === 0)
        for (const [i, g] of families.entries()) {
          await service.simulateFamilyText(g.id, FAMILY_WORDS[(hour + i) % FAMILY_WORDS.length]!);
          texts += 1;
        }
      await service.relay.runOnce();
      rounds += 1;
    }
    await service.stop();
    const log = lines.join('');
    const phones = families.flatMap((g) => (g.phone ? [g.phone, g.phone.slice(2)] : []));
    const leaks = [
      ...phones.filter((p) => log.includes(p)).map((p) => `phone ${p.slice(-2)}`),
      ...(/\+1\d{10}/.test(log) ? ['an E.164 number'] : []),
      ...(/615-555-0199/.test(log) ? ['a number typed in a text'] : []),
      ...(/SECRETBODY/.test(log) ? ['a message body'] : []),
      ...(/xox[abpr]-|AC[0-9a-f]{32}|Bearer /.test(log) ? ['a token'] : []),
      ...(/x-twilio-signature|v0=[0-9a-f]{64}/i.test(log) ? ['a signature'] : []),
    ];
    figure('week-log-scan', {
      hours: rounds,
      familyTexts: texts,
      logLines: lines.length,
      leaks: leaks.length,
    });
    expect(lines.length).toBeGreaterThan(100);
    expect(leaks).toEqual([]);
  });
});
