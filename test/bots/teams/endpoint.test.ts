import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createTeamsApp } from '../../../src/bots/teams/app.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { TeamsConversationRepository } from '../../../src/store/repositories/teams-conversations.js';
import {
  activity,
  botToken,
  CHAT,
  calls,
  connector,
  conversationOf,
  deliver,
  logs,
  mockMicrosoft,
  NAV_AAD,
  post,
  SERVICE_URL,
  sent,
  strangerKey,
  tokenRequests,
  useTeamsHarness,
} from './harness.js';

const h = useTeamsHarness();
const references = () => new TeamsConversationRepository(h.ctx.db).byId(CHAT);

describe('POST /api/messages', () => {
  it('refuses an activity without a token, and records nothing', async () => {
    expect(await post(h, activity({ text: 'help' }), null)).toBe(401);
    expect(await references()).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('refuses a token signed by someone else, one for another bot and one that has expired', async () => {
    expect(await post(h, activity({ text: 'help' }), botToken({ key: strangerKey }))).toBe(401);
    expect(await post(h, activity({ text: 'help' }), botToken({ audience: 'another-bot' }))).toBe(401);
    expect(await post(h, activity({ text: 'help' }), botToken({ nowMs: Date.now() - 3 * 3_600_000 }))).toBe(
      401,
    );
    expect(await references()).toBeUndefined();
    await h.relay.runOnce();
    expect(sent()).toEqual([]);
  });

  it('refuses an activity whose service URL is not the one the token was issued for', async () => {
    const status = await post(
      h,
      activity({ text: 'help' }),
      botToken({ serviceUrl: 'https://evil.example/' }),
    );
    expect(status).toBe(400);
    expect(await references()).toBeUndefined();
  });

  it('accepts a valid token, remembers the chat and answers through the outbox with the bot token', async () => {
    expect(await deliver(h, activity({ text: 'help' }))).toBe(200);
    const ref = await references();
    expect(ref).toMatchObject({ kind: 'personal', userAadId: NAV_AAD, serviceUrl: SERVICE_URL });
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))?.teamsConversation).toBe(CHAT);
    const audit = await new AuditRepository(h.ctx.db).listFor('staff', 'nav-1');
    expect(audit.map((a) => a.action)).toContain('teams_conversation');
    const [reply] = sent();
    expect(reply && conversationOf(reply)).toBe(CHAT);
    expect(reply?.method).toBe('POST');
    expect(reply?.body?.text).toContain('*start*');
    expect(reply?.auth).toBe('Bearer bot-access-token');
    expect(tokenRequests).toContain('https://api.botframework.com/.default');
  });

  it('handles each activity once, also when Teams sends it twice', async () => {
    const once = activity({ text: 'help' });
    expect(await post(h, once)).toBe(200);
    expect(await post(h, once)).toBe(200);
    await h.relay.runOnce();
    expect(sent()).toHaveLength(1);
  });

  it('handles two copies arriving at the same moment once', async () => {
    const once = activity({ text: 'help' });
    expect(await Promise.all([post(h, once), post(h, once)])).toEqual([200, 200]);
    await h.relay.runOnce();
    expect(sent()).toHaveLength(1);
  });

  it('refreshes the service URL each time', async () => {
    await post(h, activity({ text: 'help' }));
    const moved = 'https://smba.trafficmanager.net/emea/';
    await post(h, activity({ text: 'help', serviceUrl: moved }), botToken({ serviceUrl: moved }));
    expect((await references())?.serviceUrl).toBe(moved);
  });

  it('finds someone not yet matched by the email of their Teams profile, and remembers them', async () => {
    connector.member = () => ({ id: '29:new', aadObjectId: 'aad-new', email: 'NIA@district.example' });
    await new RosterRepository(h.ctx.db).upsertStaff(
      {
        id: 'nav-1',
        schoolId: 'SCH',
        name: 'Nia Navigator',
        email: 'nia@district.example',
        role: 'navigator',
        slackUserId: null,
        teamsUserId: null,
        timezone: 'America/Chicago',
        locale: 'en',
      },
      { actor: 'test', at: h.ctx.clock() },
    );
    await deliver(h, activity({ text: 'help', from: { id: '29:new', aadObjectId: 'aad-new' } }));
    const nav = await new RosterRepository(h.ctx.db).staffById('nav-1');
    expect(nav).toMatchObject({ teamsUserId: 'aad-new', teamsConversation: CHAT });
    expect(calls.some((c) => c.method === 'GET' && c.path === `${CHAT}/members/29:new`)).toBe(true);
  });

  it('tells someone not in the roster so, in Teams words', async () => {
    await deliver(h, activity({ text: 'start', from: { id: '29:x', aadObjectId: 'aad-stranger' } }));
    expect(String(sent()[0]?.body?.text)).toContain('Microsoft 365 email');
  });

  it('welcomes a navigator who installs the app', async () => {
    await deliver(h, activity({ type: 'installationUpdate', action: 'add', text: undefined }));
    expect(String(sent()[0]?.body?.text)).toContain('weekly check-ins');
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))?.teamsConversation).toBe(CHAT);
  });
});

describe('the app credentials', () => {
  it('are reported accepted once Microsoft issues a token for them', async () => {
    expect(h.teams.health()).toEqual({ credentials: 'unchecked' });
    await h.teams.checkCredentials();
    expect(h.teams.health()).toEqual({ credentials: 'accepted' });
  });

  it('are reported refused, and logged, when Microsoft refuses them', async () => {
    mockMicrosoft.use(
      http.post('https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token', () =>
        HttpResponse.json({ error: 'invalid_client' }, { status: 401 }),
      ),
    );
    const teams = createTeamsApp({
      ctx: h.ctx,
      texts: h.texts,
      checkins: h.service,
      teams: { appId: 'another-app-id', appPassword: 'wrong-secret', appType: 'MultiTenant' },
    });
    await teams.checkCredentials();
    mockMicrosoft.resetHandlers();
    expect(teams.health()).toEqual({ credentials: 'refused' });
    expect(logs.join('')).toContain('Microsoft refused the app credentials');
    expect(logs.join('')).not.toContain('wrong-secret');
  });
});
