import { describe, expect, it } from 'vitest';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import {
  addUnmatchedNavigator,
  calls,
  FORM,
  interactionBody,
  responders,
  send,
  slashBody,
  useSlackHarness,
} from './harness.js';

const h = useSlackHarness();

const NEW_USER = 'U0NEW';

/**
 * Slack's users.info answers only once the service has acknowledged the request (or, if it never does, after a
 * grace period, so a handler that waits for the look-up fails on the recorded order instead of hanging).
 */
function slowLookup(order: string[]): { acknowledged(): void } {
  let release!: () => void;
  const acknowledged = new Promise<void>((resolve) => {
    release = resolve;
  });
  responders.set('users.info', async () => {
    await Promise.race([acknowledged, new Promise((resolve) => setTimeout(resolve, 1_500))]);
    order.push('looked up');
    return { ok: true, user: { id: NEW_USER, profile: { email: 'new@district.example' } } };
  });
  return {
    acknowledged() {
      order.push('acknowledged');
      release();
    },
  };
}

async function finish() {
  await h.slack.settled();
  await h.relay.runOnce();
}

/** The out-of-office modal submitted by the unmatched user with the given dates. */
function oooSubmission(from: string, to: string): string {
  return interactionBody({
    type: 'view_submission',
    user: { id: NEW_USER },
    view: {
      id: 'VOOO',
      hash: '1',
      callback_id: 'home.ooo_modal',
      private_metadata: '',
      state: {
        values: {
          from: { date: { type: 'datepicker', selected_date: from } },
          to: { date: { type: 'datepicker', selected_date: to } },
        },
      },
    },
  });
}

describe('acknowledge within three seconds, then look the user up in Slack', () => {
  it('/checkin from a navigator not yet matched: acknowledged first, answered through response_url', async () => {
    await addUnmatchedNavigator(h, 'nav-2', 'new@district.example');
    const order: string[] = [];
    const lookup = slowLookup(order);
    const res = await send(h, slashBody('help', NEW_USER), FORM);
    lookup.acknowledged();
    await finish();
    expect(res.status).toBe(200);
    expect(order).toEqual(['acknowledged', 'looked up']);
    const reply = calls.find((c) => c.method === 'response_url');
    expect(reply?.args).toMatchObject({ response_type: 'ephemeral' });
    expect(String(reply?.args.text)).toContain('/checkin ooo');
    expect((await new RosterRepository(h.ctx.db).staffById('nav-2'))!.slackUserId).toBe(NEW_USER);
  });

  it('/checkin from someone not in the roster: acknowledged first, told so through response_url', async () => {
    const order: string[] = [];
    const lookup = slowLookup(order); // the profile email is in no roster row
    const res = await send(h, slashBody('', NEW_USER), FORM);
    lookup.acknowledged();
    await finish();
    expect(res.status).toBe(200);
    expect(order).toEqual(['acknowledged', 'looked up']);
    expect(String(calls.find((c) => c.method === 'response_url')?.args.text)).toContain(
      "couldn't find you in the district roster",
    );
  });

  it('the out-of-office modal: acknowledged first, then saved and the App Home refreshed', async () => {
    await addUnmatchedNavigator(h, 'nav-2', 'new@district.example');
    const order: string[] = [];
    const lookup = slowLookup(order);
    const body = oooSubmission('2026-12-21', '2026-12-31');
    const res = await send(h, body, FORM);
    lookup.acknowledged();
    await finish();
    expect(res.status).toBe(200);
    expect(order).toEqual(['acknowledged', 'looked up']);
    const nav = (await new RosterRepository(h.ctx.db).staffById('nav-2'))!;
    expect([nav.oooFrom, nav.oooTo]).toEqual(['2026-12-21', '2026-12-31']);
    const home = calls.filter((c) => c.method === 'views.publish').at(-1);
    expect(home?.args.user_id).toBe(NEW_USER);
    expect(JSON.stringify(home?.args.view)).toContain('On from 2026-12-21 to 2026-12-31');
  });

  it('the out-of-office modal still shows date errors in the modal (no look-up needed to check them)', async () => {
    const order: string[] = [];
    slowLookup(order);
    const body = oooSubmission('2026-12-31', '2026-12-21');
    const res = await send(h, body, FORM);
    await finish();
    expect(JSON.parse(res.text)).toMatchObject({ response_action: 'errors' });
    expect(order).toEqual([]);
  });
});
