import { describe, expect, it } from 'vitest';
import { canText, textBlock } from '../../src/sms/consent.js';
import { advancesStatus } from '../../src/sms/status.js';

describe('consent rule', () => {
  const active = { smsStatus: 'active' as const };
  const optedOut = { smsStatus: 'opted_out' as const };
  it('a routine text needs granted consent and an active number', () => {
    expect(canText(active, 'granted', false)).toBe(true);
    expect(textBlock(active, 'none', { urgent: false })).toBe('sms:no_consent');
    expect(textBlock(active, 'revoked', { urgent: false })).toBe('sms:opted_out');
    expect(textBlock({ smsStatus: 'unreachable' }, 'granted', { urgent: false })).toBe('sms:unreachable');
  });
  it('an urgent text may go without recorded consent, never to an opted-out number on our initiative', () => {
    expect(canText(active, 'none', true)).toBe(true);
    expect(canText({ smsStatus: 'unreachable' }, 'granted', true)).toBe(true);
    expect(canText(optedOut, 'revoked', true)).toBe(false);
  });
  it('a reply to the family’s own text (crisis, HELP, the STOP confirmation) goes even after an opt-out', () => {
    expect(canText(optedOut, 'revoked', true, true)).toBe(true);
    expect(canText(optedOut, 'revoked', false, true)).toBe(true);
  });
  it('an invalid number is never texted', () => {
    expect(textBlock({ smsStatus: 'invalid' }, 'granted', { urgent: true, replyToInbound: true })).toBe(
      'sms:invalid_number',
    );
  });
});

describe('status order', () => {
  it('moves forward and keeps final results', () => {
    expect(advancesStatus(null, 'queued')).toBe(true);
    expect(advancesStatus('accepted', 'sent')).toBe(true);
    expect(advancesStatus('sent', 'sending')).toBe(false);
    expect(advancesStatus('delivered', 'sent')).toBe(false);
    expect(advancesStatus('delivered', 'undelivered')).toBe(false);
    expect(advancesStatus('delivered', 'read')).toBe(true);
    expect(advancesStatus('failed', 'delivered')).toBe(false);
    expect(advancesStatus('sent', 'undelivered')).toBe(true);
    expect(advancesStatus('sent', 'sent')).toBe(false);
  });
});
