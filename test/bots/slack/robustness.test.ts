import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { engineOf } from '../../../src/store/db.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { TEST_ENGINE } from '../../helpers/engines.js';
import { rowsOf } from '../../helpers/tables.js';
import {
  addUnmatchedNavigator,
  calls,
  clickWithoutCard,
  eventBody,
  JSON_TYPE,
  logs,
  NAV_USER,
  post,
  responders,
  say,
  sign,
  slash,
  useSlackHarness,
  WEEK,
} from './harness.js';

const h = useSlackHarness();

const homeOpened = () =>
  eventBody({ type: 'app_home_opened', user: NAV_USER, channel: 'D0NAV', tab: 'home' });
const answers = async () => {
  const row = await new CheckinRepository(h.ctx.db).sessionFor('nav-1', 'navigator', WEEK);
  return row ? (await new CheckinRepository(h.ctx.db).answersForSession(row.id)).length : 0;
};

describe('request signing', () => {
  const now = () => Math.floor(h.ctx.clock() / 1000);

  it('accepts a correctly signed request', async () => {
    const res = await post(h, homeOpened(), JSON_TYPE);
    expect(res.status).toBe(200);
    expect(calls.some((c) => c.method === 'views.publish')).toBe(true);
  });

  it.each([
    ['forged signature', (body: string) => ({ signature: sign(body, now(), 'not-the-secret') })],
    [
      'stale timestamp (6 minutes old)',
      (body: string) => ({ timestamp: now() - 360, signature: sign(body, now() - 360) }),
    ],
    [
      'future timestamp (6 minutes ahead)',
      (body: string) => ({ timestamp: now() + 360, signature: sign(body, now() + 360) }),
    ],
    ['missing signature', () => ({ signature: '' })],
  ])('rejects a %s with 401 before any work', async (_name, options) => {
    const body = homeOpened();
    const res = await post(h, body, JSON_TYPE, options(body));
    expect(res.status).toBe(401);
    expect(calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect(await rowsOf(h.ctx.db, 'inboundEvents')).toEqual([]);
  });
});

describe('at most once', () => {
  it('a retried event (X-Slack-Retry-Num: 1, same event_id) has no second effect', async () => {
    await slash(h, '');
    await say(h, '1'); // connect: met (typed)
    const before = await answers();
    await say(h, 'Loves chess', 'EvSame');
    expect(await answers()).toBe(before + 1);
    const res = await say(h, 'Loves chess', 'EvSame', {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(res.status).toBe(200);
    expect(await answers()).toBe(before + 1);
  });

  it("ignores the bot's own messages and other bots", async () => {
    await slash(h, '');
    const before = await answers();
    await post(
      h,
      eventBody({
        type: 'message',
        channel_type: 'im',
        channel: 'D0NAV',
        user: 'U0BOT',
        text: '1',
        ts: '5.5',
      }),
      JSON_TYPE,
    );
    await post(
      h,
      eventBody({
        type: 'message',
        channel_type: 'im',
        channel: 'D0NAV',
        bot_id: 'B9',
        user: NAV_USER,
        text: '1',
        ts: '5.6',
      }),
      JSON_TYPE,
    );
    expect(await answers()).toBe(before);
  });
});

describe('personal data in logs', () => {
  // The refusal is a SQLite trigger.
  it.skipIf(TEST_ENGINE === 'postgres')(
    "a handler whose query fails logs the error's name, never the navigator's typed note",
    async () => {
      await slash(h, '');
      await say(h, '1'); // connect: met; the next question takes typed text
      // The database refuses the answer with a message quoting what was typed, as drizzle's DrizzleQueryError
      // quotes a failed query's params.
      engineOf(h.ctx.db).$client.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'refused: ' || NEW.raw_text); END",
      );
      const note = 'Ana told me her dad lost his job';
      await say(h, note, 'EvNote');
      const failed = logs.filter((l) => l.includes('slack: handler failed'));
      expect(failed).toHaveLength(1);
      expect(JSON.parse(failed[0]!)).toMatchObject({ err: 'SqliteError SQLITE_CONSTRAINT_TRIGGER' });
      expect(logs.join('\n')).not.toContain('lost his job');
      const event = (await rowsOf(h.ctx.db, 'inboundEvents')).find((e) => e.id === 'slack:event:EvNote');
      expect(event?.status).toBe('failed');
    },
  );

  it("a handler whose Slack call fails logs Slack's error code", async () => {
    await slash(h, '');
    responders.set('chat.postEphemeral', () => ({ ok: false, error: 'channel_not_found' }));
    await clickWithoutCard(h, { sid: 'gone', step: 'connect', st: 'S-1', c: 'met' }, '8.8'); // stale: told so
    const failed = logs.filter((l) => l.includes('slack: handler failed')).map((l) => JSON.parse(l));
    expect(failed).toEqual([
      expect.objectContaining({ err: 'WebAPIPlatformError', code: 'channel_not_found' }),
    ]);
  });
});

describe('App Home', () => {
  it("shows this week's caseload with status, open needs, out of office and history", async () => {
    const roster = new RosterRepository(h.ctx.db);
    expect(await roster.staffById('nav-1')).toBeDefined();
    await slash(h, 'ooo 2026-12-21 2026-12-31');
    await slash(h, '');
    await say(h, '1');
    await new NeedRepository(h.ctx.db).recordNeed({
      id: 'need-1',
      studentId: 'S-1',
      area: 'food_security',
      severity: 'high',
      source: 'navigator',
      raisedBy: 'staff:nav-1',
      createdAt: h.ctx.clock(),
    });
    await post(h, homeOpened(), JSON_TYPE);
    const view = calls.filter((c) => c.method === 'views.publish').at(-1)!.args.view as {
      type: string;
      blocks: unknown[];
    };
    expect(view.type).toBe('home');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Your students this week (2026-W48)');
    expect(text).toContain('*Ana* · grade 7 — :hourglass_flowing_sand: In progress');
    expect(text).toContain('*Ben* · grade 8 — :white_circle: Not started');
    expect(text).toMatch(/Open needs: [^"]*\(identified\)/);
    expect(text).toContain('No open needs'); // Ben and Cam
    expect(text).toContain('On from 2026-12-21 to 2026-12-31');
    expect(text).toContain('Resume check-ins');
    expect(text).not.toContain('Alvarez'); // first names only
  });
});

describe('/checkin', () => {
  it('ooo sets the dates with an audit entry; bad ranges are refused without a write', async () => {
    const bad = await slash(h, 'ooo 2026-12-31 2026-12-21');
    expect(JSON.parse(bad.text).text).toContain('must not be before');
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))!.oooFrom).toBeNull();
    const ok = await slash(h, 'ooo 2026-12-21 2026-12-31');
    expect(JSON.parse(ok.text).text).toContain('2026-12-21');
    const nav = (await new RosterRepository(h.ctx.db).staffById('nav-1'))!;
    expect([nav.oooFrom, nav.oooTo]).toEqual(['2026-12-21', '2026-12-31']);
    const audit = (await new AuditRepository(h.ctx.db).listFor('staff', 'nav-1')).at(-1)!;
    expect(audit).toMatchObject({ action: 'ooo_set', actor: `slack:${NAV_USER}` });
    await slash(h, 'ooo off');
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))!.oooTo).toBeNull();
  });

  it('status lists the caseload; help explains the commands', async () => {
    const status = JSON.parse((await slash(h, 'status')).text);
    expect(JSON.stringify(status.blocks)).toContain('*Cam* · grade 7');
    expect(JSON.parse((await slash(h, 'help')).text).text).toContain('/checkin ooo');
  });
});

describe('transport', () => {
  const message = (address = 'U0NAV') => ({
    id: 'o-1',
    idempotencyKey: 'notice|staff:nav-1|2026-W48|-',
    channel: 'slack' as const,
    recipientId: 'nav-1',
    address,
    locale: 'en',
    payload: { key: 'navigator.paused' },
    urgent: false,
  });

  it('classifies a 429 with Retry-After as transient with retryAfterMs', async () => {
    responders.set(
      'chat.postMessage',
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '30' } }),
    );
    const result = await h.slack.transport.send(message());
    expect(result).toEqual({
      ok: false,
      kind: 'transient',
      reason: 'rate_limited',
      code: 'ratelimited',
      retryAfterMs: 30_000,
    });
    expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1); // no retry inside the client
  });

  it.each(['channel_not_found', 'account_inactive', 'not_in_channel', 'is_archived'])(
    '%s is permanent',
    async (error) => {
      responders.set('chat.postMessage', () => ({ ok: false, error }));
      expect(await h.slack.transport.send(message())).toMatchObject({
        ok: false,
        kind: 'permanent',
        code: error,
      });
    },
  );

  it('5xx is transient; success returns channel:ts', async () => {
    responders.set('chat.postMessage', () => new HttpResponse('oops', { status: 503 }));
    expect(await h.slack.transport.send(message())).toMatchObject({ ok: false, kind: 'transient' });
    responders.set('chat.postMessage', () => ({ ok: true, channel: 'D0NAV', ts: '1.000001' }));
    expect(await h.slack.transport.send(message())).toEqual({
      ok: true,
      providerMessageId: 'D0NAV:1.000001',
    });
  });
});

describe('who is who', () => {
  it('matches by email, remembers the id with an audit entry, and reports who was not found', async () => {
    const roster = new RosterRepository(h.ctx.db);
    await addUnmatchedNavigator(h, 'nav-2', 'found@district.example', 'nav-2');
    await addUnmatchedNavigator(h, 'nav-3', 'missing@district.example', 'nav-3');
    responders.set('users.lookupByEmail', (a) =>
      a.email === 'found@district.example'
        ? { ok: true, user: { id: 'U0TWO' } }
        : { ok: false, error: 'users_not_found' },
    );
    const report = await h.slack.directory.matchAll();
    expect(report).toMatchObject({ alreadyMatched: 1, matched: 1 });
    expect(report.unmatched).toEqual([
      {
        staffId: 'nav-3',
        name: 'nav-3',
        role: 'navigator',
        email: 'missing@district.example',
        reason: 'not_found',
      },
    ]);
    expect((await roster.staffById('nav-2'))!.slackUserId).toBe('U0TWO');
    expect((await new AuditRepository(h.ctx.db).listFor('staff', 'nav-2')).at(-1)).toMatchObject({
      action: 'slack_match',
    });
  });
});
