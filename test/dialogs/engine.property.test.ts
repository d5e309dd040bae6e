import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resume, start } from '../../src/dialogs/engine.js';
import { parseSession } from '../../src/dialogs/session.js';
import type { DialogContext, DialogInput } from '../../src/dialogs/types.js';
import { getScript } from '../../src/scripts/index.js';

const students = [
  { id: 'S1', firstName: 'Ana', grade: '3' },
  {
    id: 'S2',
    firstName: 'Luis',
    grade: '7',
    familyNote: { key: 'navigator.family_said_ok', params: { name: 'Luis' } },
  },
  { id: 'S3', firstName: 'Maya', grade: '8' },
];

const input: fc.Arbitrary<DialogInput> = fc.oneof(
  fc.record({
    kind: fc.constant('text' as const),
    text: fc.oneof(
      fc.string(),
      fc.constantFrom(
        '1',
        '2',
        '3',
        '1,3',
        'skip',
        'idea',
        'yes',
        'no',
        'comida',
        '14',
        // Need words at any question (inferred as 'hard' + the need at the family's first question).
        'necesitamos comida',
        'no internet at home',
        'الأكل',
        '3 food',
        'good, she likes school',
        'hard, no food at home, sick',
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('choice' as const),
    choiceIds: fc.array(
      fc.constantFrom(
        'met',
        'good',
        'hard',
        'food_security',
        'none',
        'yes',
        'urgent',
        'skip',
        'idea',
        '3',
        'bogus',
      ),
      { maxLength: 3 },
    ),
  }),
  fc.constant({ kind: 'timeout' as const }),
  fc.constant({ kind: 'remind' as const }),
  fc.constant({ kind: 'expire' as const }),
  fc.record({
    kind: fc.constant('command' as const),
    command: fc.constantFrom('stop', 'resume', 'skip_student', 'ask_counselor', 'goto_student' as const),
    studentId: fc.option(fc.constantFrom('S1', 'S2', 'S3', 'S9'), { nil: undefined }),
  }),
);

describe('engine under random input', () => {
  it('never throws, stays bounded, keeps a valid session, and never records a need twice', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('navigator-weekly', 'family-weekly'),
        fc.constantFrom('en', 'es', 'ar', 'zh', 'xx'),
        fc.integer({ min: 1, max: 12 }),
        fc.array(input, { maxLength: 60 }),
        (scriptId, locale, programWeek, inputs) => {
          const script = getScript(scriptId);
          const context: DialogContext = {
            kind: script.kind,
            participantId: 'P',
            locale,
            period: '2026-W48',
            programWeek,
            students,
          };
          let { session, effects } = start(script, context, 0);
          const needs = new Set<string>();
          let now = 0;
          for (const i of inputs) {
            ({ session, effects } = resume(script, session, i, ++now));
            expect(effects.length).toBeLessThan(60);
            session = parseSession(JSON.parse(JSON.stringify(session)));
            effects.forEach((e, n) => {
              if (e.type !== 'record_need') return;
              const key = `${e.studentId}/${e.area}`;
              expect(needs.has(key)).toBe(false);
              needs.add(key);
              // A need always comes with the answer it was read from, for the same student.
              const answer = effects
                .slice(0, n)
                .findLast((a) => a.type === 'record_answer' && a.studentId === e.studentId);
              expect(answer).toBeDefined();
              // Needs read at an earlier question answer the needs question too: it is not asked after.
              expect(
                effects
                  .slice(n)
                  .some((a) => a.type === 'send' && a.studentId === e.studentId && a.stepId === 'what'),
              ).toBe(false);
            });
            if (session.status === 'active' && !session.paused && effects.length > 0)
              expect(effects.at(-1)?.type).toBe('wait');
          }
          // Whatever happened, the week's end closes the session.
          const end = resume(script, session, { kind: 'expire' }, ++now);
          expect(end.session.status).not.toBe('active');
        },
      ),
      { numRuns: 300 },
    );
  });
});
