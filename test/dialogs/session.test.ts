import { describe, expect, it } from 'vitest';
import { start } from '../../src/dialogs/engine.js';
import { levelFor } from '../../src/dialogs/script.js';
import { parseSession, safeParseSession } from '../../src/dialogs/session.js';
import { getScript } from '../../src/scripts/index.js';

const context = {
  kind: 'family' as const,
  participantId: 'G-1',
  locale: 'es',
  period: '2026-W48',
  programWeek: 1,
  students: [{ id: 'S1', firstName: 'Ana', grade: '3' }],
};

describe('session', () => {
  it('round-trips through JSON and rejects what is not a session', () => {
    const { session } = start(getScript('family-weekly'), context, 5);
    expect(parseSession(JSON.stringify(session))).toEqual(session);
    expect(() => parseSession({ ...session, status: 'sleeping' })).toThrow(/status/);
    expect(safeParseSession({ scriptId: 'x' })).toBeNull();
  });

  it('takes scaffolding thresholds from the script data', () => {
    const script = getScript('navigator-weekly');
    expect([1, 2, 4, 5, 30].map((w) => levelFor(script, w).id)).toEqual([
      'full',
      'guided',
      'guided',
      'short',
      'short',
    ]);
    const later = {
      ...script,
      levels: script.levels.map((l) => (l.id === 'short' ? { ...l, fromWeek: 9 } : l)),
    };
    expect(levelFor(later, 5).id).toBe('guided');
  });
});
