import { describe, expect, it } from 'vitest';
import { detailsPlan, escalationAlertPlan } from '../../../src/bots/chat/escalation-alert.js';
import { createTexts } from '../../../src/i18n/index.js';
import type { EscalationCard, EscalationDetails } from '../../../src/services/escalation-rules.js';

const texts = createTexts({ defaultLocale: 'en' });
const AT = Date.parse('2026-11-24T15:00:00Z');

const card = (over: Partial<EscalationCard> = {}): EscalationCard => ({
  id: 'e-1',
  ref: 'E1A2B3C4',
  status: 'open',
  urgent: true,
  trigger: 'self_harm',
  schoolName: 'Lincoln Middle',
  initials: 'A. R.',
  grade: 7,
  raisedBy: 'family',
  createdAt: AT,
  dueAt: AT + 30 * 60_000,
  holder: null,
  outcome: null,
  timeZone: 'America/Chicago',
  ...over,
});

const value = (plan: ReturnType<typeof escalationAlertPlan>, label: string) =>
  plan.fields.find((f) => f.label === label)?.value;

describe('the escalation alert every chat renders', () => {
  it('offers only what the state allows: Claim while nobody holds it, nothing once resolved', () => {
    expect(escalationAlertPlan(texts, card(), 'en').actions).toEqual([
      'claim',
      'acknowledge',
      'note',
      'reassign',
      'resolve',
      'details',
    ]);
    const claimed = escalationAlertPlan(texts, card({ status: 'claimed', holder: 'Cora' }), 'en');
    expect(claimed.actions).not.toContain('claim');
    expect(value(claimed, 'Status')).toBe('Claimed by Cora');
    expect(
      escalationAlertPlan(texts, card({ status: 'acknowledged', holder: 'Cora' }), 'en').actions,
    ).toEqual(['note', 'reassign', 'resolve', 'details']);
    const resolved = escalationAlertPlan(
      texts,
      card({ status: 'resolved', holder: 'Cora', outcome: 'referred_outside' }),
      'en',
    );
    expect(resolved.actions).toEqual([]);
    expect(value(resolved, 'Status')).toBe('Resolved by Cora: referred outside');
  });

  it('says when it was raised and when it is due, with the time zone, in the reader’s language', () => {
    const en = escalationAlertPlan(texts, card(), 'en');
    expect(value(en, 'Raised')).toBe('by the family, Tue 24 Nov, 09:00 CST');
    expect(value(en, 'Pick up by')).toBe('Tue 24 Nov, 09:30 CST');
    expect(en.heading).toBe('Urgent escalation E1A2B3C4');
    const es = escalationAlertPlan(texts, card(), 'es');
    // The zone's name comes from the platform's locale data ('GMT-6' in Spanish): only its presence is checked.
    expect(value(es, 'Levantada')).toMatch(/^por la familia, mar 24 nov, 09:00 \S+/);
    expect(value(es, 'Estudiante')).toBe('A. R., grado 7');
    expect(es.heading).toBe('Escalación E1A2B3C4: Urgente');
    expect(value(escalationAlertPlan(texts, card({ initials: null, grade: null }), 'en'), 'Student')).toBe(
      'A family (no student linked)',
    );
  });

  it('heads a step of the chain as such until someone acknowledges it', () => {
    const overdue = escalationAlertPlan(texts, card(), 'en', 'common.escalation_overdue');
    expect(overdue.heading).toBe('Overdue: escalation E1A2B3C4');
    // For the lead navigators: reassign or resolve, never claim.
    expect(overdue.actions).toEqual(['note', 'reassign', 'resolve', 'details']);
    expect(
      escalationAlertPlan(
        texts,
        card({ status: 'claimed', holder: 'Cora' }),
        'en',
        'common.escalation_reminder',
      ).heading,
    ).toBe('Reminder: escalation E1A2B3C4 is not acknowledged yet');
    const acknowledged = card({ status: 'acknowledged', holder: 'Cora' });
    expect(escalationAlertPlan(texts, acknowledged, 'en', 'common.escalation_overdue').heading).toBe(
      'Urgent escalation E1A2B3C4',
    );
  });

  it('keeps names and words out of the alert; the details carry them', () => {
    const details: EscalationDetails = {
      ...card({ status: 'claimed', holder: 'Cora' }),
      studentName: 'Ana Ruiz',
      navigatorName: 'Nia Navigator',
      note: 'Said things at home are hard',
      familyWords: [{ at: AT, body: 'help us please' }],
      history: [{ at: AT, actor: 'Cora', action: 'claim' }],
    };
    expect(JSON.stringify(escalationAlertPlan(texts, details, 'en'))).not.toMatch(/Ana|Nia|home|help us/);
    const plan = detailsPlan(texts, details, 'en');
    expect(plan.fields[0]).toEqual({ label: 'Student', value: 'Ana Ruiz' });
    expect(plan.note).toBe('Said things at home are hard');
    expect(plan.familyWords).toEqual(['Tue 24 Nov, 09:00 CST — help us please']);
    expect(plan.history).toEqual(['Tue 24 Nov, 09:00 CST — Cora: claim']);
  });
});
