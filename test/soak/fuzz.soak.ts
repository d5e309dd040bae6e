import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildService } from '../../src/app.js';
import { renderCard } from '../../src/bots/slack/blocks.js';
import { escapeMrkdwn } from '../../src/bots/slack/mrkdwn.js';
import { importRoster } from '../../src/roster/import.js';
import { engineOf } from '../../src/store/db.js';
import { RosterRepository } from '../../src/store/repositories/roster.js';
import { familyTexts, guardians } from '../../src/store/schema/index.js';
import { eventBody, JSON_TYPE, send, useSlackHarness } from '../bots/slack/harness.js';
import { testContext } from '../helpers/context.js';
import { figure, fuzzSettings } from './figures.js';

const NOW = Date.parse('2026-11-24T18:00:00Z');
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);
process.on('unhandledRejection', onUnhandled);
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Texts as families type them: any Unicode, keywords in odd case, numbers, emoji, markup, very long ones. */
const smsBody = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.constantFrom('STOP', 'stop!', ' Start ', 'HELP', 'PARAR', '1', '2 3', '5', 'AYUDA', '', '   ', '\u0000'),
  fc
    .tuple(fc.constantFrom('STOP', 'help', '3', 'I want to hurt myself'), fc.string({ maxLength: 30 }))
    .map(([a, b]) => `${a}${b}`),
  fc.string({ unit: 'binary', maxLength: 1600 }),
);

describe('fuzzing inbound SMS bodies through the real pipeline', () => {
  it('no crash, no unhandled rejection, every text recorded once', async () => {
    const ctx = await testContext({ now: NOW, idPrefix: 'fz' });
    const service = await buildService(ctx, { calendarFile: 'config/none.json' });
    const ids = engineOf(ctx.db)
      .select()
      .from(guardians)
      .all()
      .map((g) => g.id)
      .slice(0, 6);
    expect(ids.length).toBeGreaterThan(0);
    let cases = 0;
    const settings = fuzzSettings(2_000);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ids), smsBody, async (guardianId, body) => {
        cases += 1;
        const before = engineOf(ctx.db).select().from(familyTexts).all().length;
        await service.simulateFamilyText(guardianId, body);
        ctx.clock.advance(60_000);
        const after = engineOf(ctx.db).select().from(familyTexts).all().length;
        const known = (await new RosterRepository(ctx.db).guardian(guardianId))?.phone;
        expect(after - before).toBe(known ? 1 : 0);
      }),
      settings,
    );
    await service.stop();
    expect(unhandled).toEqual([]);
    figure('sms-fuzz', { cases, seed: settings.seed, unhandled: unhandled.length });
  });
});

describe('fuzzing roster rows', () => {
  it('any cell values: the import reports problems, never throws', async () => {
    const ctx = await testContext({ now: NOW, idPrefix: 'rz' });
    const cell = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('', '"', '""', ',', '\n', '=cmd()', '+15551234567', 'navigator', 'counselor', '7', 'K'),
    );
    const settings = fuzzSettings(1_000);
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 7, maxLength: 7 }), { maxLength: 5 }),
        async (rows) => {
          cases += 1;
          const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
          const text = [
            'staff_id,name,email,role,school_id,school_name,school_timezone',
            ...rows.map((r) => r.map(quote).join(',')),
          ].join('\n');
          const report = await importRoster(ctx, [{ name: 'staff.csv', text }], { dryRun: true });
          expect(report.rows.read).toBeGreaterThanOrEqual(0);
        },
      ),
      settings,
    );
    figure('roster-fuzz', { cases, seed: settings.seed });
  });
});

describe('fuzzing Slack payloads', () => {
  const h = useSlackHarness();

  it('signed events with arbitrary content never answer 5xx', async () => {
    const settings = fuzzSettings(1_000);
    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          type: fc.constantFrom('message', 'app_home_opened', 'app_mention', 'reaction_added', 'unknown'),
          channel_type: fc.constantFrom('im', 'channel', undefined),
          channel: fc.oneof(fc.constant('D0NAV'), fc.string({ maxLength: 12 })),
          user: fc.oneof(fc.constant('U0NAV'), fc.string({ maxLength: 12 })),
          text: fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 300 }),
            fc.constant('<!channel> *x* <http://x|y> &'),
          ),
          ts: fc.string({ maxLength: 20 }),
          extra: fc.jsonValue({ maxDepth: 3 }),
        }),
        async (event) => {
          cases += 1;
          const res = await send(h, eventBody(event), JSON_TYPE);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
        },
      ),
      settings,
    );
    await h.slack.settled();
    figure('slack-fuzz', {
      cases,
      seed: settings.seed,
      statuses: JSON.stringify(Object.fromEntries(statuses)),
    });
  });

  it('any words in any card field: nothing Slack would act on survives escaping', () => {
    const settings = fuzzSettings(5_000);
    let cases = 0;
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ maxLength: 50 }),
        (words, name) => {
          cases += 1;
          const escaped = escapeMrkdwn(words);
          expect(escaped).not.toMatch(/[<>*_~`]/);
          expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;)/);
          const card = renderCard({
            locale: 'en',
            student: { id: 'S', firstName: name, grade: '7' },
            earlier: [{ text: words, answer: words }],
            current: { text: words, choices: [], locale: 'en', dir: 'ltr', fellBack: false },
            multiple: false,
          });
          expect(card.text).not.toMatch(/<[!@#]|<https?:/);
        },
      ),
      settings,
    );
    figure('mrkdwn-fuzz', { cases, seed: settings.seed });
  });
});
