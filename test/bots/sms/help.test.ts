import { describe, expect, it } from 'vitest';
import { handleInboundSms, type InboundSmsDeps } from '../../../src/bots/sms/inbound.js';
import { formatSchoolPhone } from '../../../src/services/family-replies.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { openTestStore } from '../../helpers/engines.js';
import { useScriptedApi } from '../../helpers/msw.js';
import { seedFamily, smsContext } from './helpers.js';
import { fakeTwilio, smsRelay } from './relay-helpers.js';

const api = fakeTwilio();
useScriptedApi(api);

const PHONE = '+15550100001';

/** A family at school S1 ('Lincoln'), with the school's stored phone; HELP sent, relayed, body returned. */
async function helpReply(schoolPhone: string | null, locale = 'en', extra: Partial<InboundSmsDeps> = {}) {
  api.requests.length = 0;
  const db = await openTestStore();
  const env = smsContext(db);
  await seedFamily(db, [{ id: 'g-1', phone: PHONE, locale }]);
  if (schoolPhone !== null)
    await new RosterRepository(db).upsertSchool(
      { id: 'S1', name: 'Lincoln', timezone: 'America/Chicago', phone: schoolPhone },
      { actor: 'test', at: 0 },
    );
  const deps: InboundSmsDeps = { sms: env.sms, continueFamilyDialog: () => undefined, ...extra };
  const outcome = await handleInboundSms(env.ctx, deps, { from: PHONE, body: 'HELP', messageSid: 'SMh1' });
  await smsRelay(env.ctx, env.sms).relay.runOnce();
  expect(api.requests).toHaveLength(1);
  return { outcome, body: api.requests[0]!.Body! };
}

describe('HELP reply and the school phone', () => {
  it("names the school's stored phone in national format", async () => {
    const { outcome, body } = await helpReply('+13125550100');
    expect(outcome).toMatchObject({ action: 'help', replies: 1 });
    expect(body).toBe(
      'This is the weekly check-in from Lincoln. Reply STOP to stop texts. To reach the school, call (312) 555-0100.',
    );
  });

  it('uses the same number in the family language', async () => {
    const { body } = await helpReply('+13125550100', 'es');
    expect(body).toContain('llame al (312) 555-0100.');
  });

  it('sends the variant without a phone when the school has none, never "call ."', async () => {
    const { outcome, body } = await helpReply(null);
    expect(outcome).toMatchObject({ action: 'help', replies: 1 });
    expect(body).toBe(
      'This is the weekly check-in from Lincoln. Reply STOP to stop texts. For questions, contact the school office.',
    );
    const es = await helpReply(null, 'es');
    expect(es.body).toContain('oficina de la escuela');
    expect(es.body).not.toMatch(/llame al\s*\./);
  });

  it('takes the phone from an injected look-up when one is given', async () => {
    const asked: string[] = [];
    const { body } = await helpReply('+13125550100', 'en', {
      schoolPhone: (id) => {
        asked.push(id);
        return '';
      },
    });
    expect(asked).toContain('S1');
    expect(body).toContain('contact the school office');
  });
});

describe('formatSchoolPhone', () => {
  it('formats E.164 for a text and gives "" for no phone', () => {
    expect(formatSchoolPhone('+12135550190')).toBe('(213) 555-0190');
    expect(formatSchoolPhone(null)).toBe('');
    expect(formatSchoolPhone('')).toBe('');
  });
});
