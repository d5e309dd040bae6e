import { request, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../../src/app.js';
import type { AppContext } from '../../../src/context.js';
import { parseSession } from '../../../src/dialogs/session.js';
import type { fixedClock } from '../../../src/lib/clock.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { CheckinRepository } from '../../../src/store/repositories/checkins.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../../src/store/repositories/simulator.js';
import { testContext } from '../../helpers/context.js';
import { rowsOf } from '../../helpers/tables.js';

// Tuesday 2026-11-24 18:00 UTC: noon in Chicago, inside the families' sending window.
const NOW = Date.parse('2026-11-24T18:00:00Z');

let ctx: AppContext;
let clock: ReturnType<typeof fixedClock>;
let service: Service;
let server: Server;
let base: string;
let token: string;

/** A request from the simulator page: it carries the token the service wrote into the page. */
function simFetch(url: string, init: RequestInit = {}) {
  return fetch(url, { ...init, headers: { ...(init.headers as object), 'x-sim-token': token } });
}

beforeEach(async () => {
  const test = await testContext({ now: NOW, idPrefix: 'sim' });
  ctx = test;
  clock = test.clock;
  service = await buildService(ctx, { calendarFile: 'config/none.json' });
  server = await listen(createHttpApp(ctx, service.routes), 0, '127.0.0.1');
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  token = /name="sim-token" content="([^"]+)"/.exec(await (await fetch(`${base}/`)).text())![1]!;
});

afterEach(async () => {
  await closeServer(server);
  await service.stop();
});

async function post(path: string, body: unknown = {}) {
  const res = await simFetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function thread(kind: string, id: string) {
  const res = await simFetch(`${base}/sim/api/thread/${kind}/${id}`);
  return (
    (await res.json()) as {
      messages: { direction: string; text: string; status: string; choices: { id: string }[] }[];
    }
  ).messages;
}

describe('local simulator', () => {
  it('lists the demo navigators and family phones', async () => {
    const people = (await (await simFetch(`${base}/sim/api/people`)).json()) as {
      navigators: { id: string; students: number }[];
      guardians: { language: string }[];
    };
    expect(people.navigators.map((n) => n.id)).toEqual(['nav-1', 'nav-2', 'nav-3', 'nav-4']);
    expect(people.navigators.every((n) => n.students >= 10)).toBe(true);
    const languages = new Set(people.guardians.map((g) => g.language));
    for (const l of ['English', 'Español', 'Tiếng Việt', 'العربية', '中文']) expect(languages).toContain(l);
  });

  it('runs a navigator check-in with buttons and typed replies, delivered through the relay', async () => {
    expect((await post('/sim/api/navigator/nav-2/start')).status).toBe(200);
    let messages = await thread('navigator', 'nav-2');
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.every((m) => m.status === 'sent')).toBe(true);
    const last = messages.at(-1)!;
    expect(last.choices.map((c) => c.id)).toEqual(['met', 'unreachable', 'absent']);
    expect((await post('/sim/api/navigator/nav-2/input', { choiceIds: ['met'] })).status).toBe(200);
    expect((await post('/sim/api/navigator/nav-2/input', { text: 'Loves robotics' })).status).toBe(200);
    messages = await thread('navigator', 'nav-2');
    expect(messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['Loves robotics']);
    expect((await post('/sim/api/navigator/nav-2/input', { nonsense: true })).status).toBe(400);
    expect((await post('/sim/api/navigator/nobody/start')).status).toBe(404);
  });

  it('runs a family check-in by "SMS" in Spanish, records the need, and STOP ends all texts', async () => {
    const roster = new RosterRepository(ctx.db);
    const guardians = await new SimulatorRepository(ctx.db).guardians();
    const children = await Promise.all(guardians.map((g) => roster.studentsOfGuardian(g.id)));
    const guardian = guardians.find((g, i) => g.locale === 'es' && g.phone && children[i]!.length === 1)!;
    const child = (await roster.studentsOfGuardian(guardian.id))[0]!;
    expect((await post(`/sim/api/family/${guardian.id}/start`)).status).toBe(200);
    let messages = await thread('family', guardian.id);
    expect(messages[0]!.text).toMatch(/STOP/);
    expect(messages[1]!.text).toContain(child.firstName);
    expect(messages[1]!.text).toMatch(/semana/);
    for (const text of ['3', 'necesitamos comida', '2'])
      await post(`/sim/api/family/${guardian.id}/sms`, { text });
    expect((await new NeedRepository(ctx.db).needsOf([child.id])).map((n) => [n.area, n.source])).toEqual([
      ['food_security', 'family'],
    ]);

    await post(`/sim/api/family/${guardian.id}/sms`, { text: 'PARAR' });
    expect((await roster.guardian(guardian.id))!.smsStatus).toBe('opted_out');
    messages = await thread('family', guardian.id);
    const sentBefore = messages.filter((m) => m.direction === 'out').length;
    // A new week's check-in must not text a family that said stop.
    expect((await post(`/sim/api/family/${guardian.id}/start`)).body.error).toBe('checkin:not_reachable');
    await post(`/sim/api/family/${guardian.id}/sms`, { text: 'hola?' });
    messages = await thread('family', guardian.id);
    expect(messages.filter((m) => m.direction === 'out')).toHaveLength(sentBefore);
  });

  it('holds family texts at night and lets the person release them, audit-logged', async () => {
    clock.set(Date.parse('2026-11-25T09:00:00Z')); // 03:00 in Chicago, 01:00 in Los Angeles
    const guardian = (await new SimulatorRepository(ctx.db).guardians()).find(
      (g) => g.locale === 'en' && g.phone,
    )!;
    await post(`/sim/api/family/${guardian.id}/start`);
    let messages = await thread('family', guardian.id);
    // The consent notice and the first question, both held until 08:00.
    expect(messages.map((m) => m.status)).toEqual(['pending', 'pending']);
    expect((await post('/sim/api/release-held')).body.released).toBe(2);
    // One text a second per sending number: the question follows the notice a second later.
    clock.advance(1000);
    await service.relay.runOnce();
    messages = await thread('family', guardian.id);
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
    const audit = await rowsOf(ctx.db, 'auditLog');
    expect(audit.filter((a) => a.action === 'quiet_hours_bypass')).toHaveLength(2);
  });

  it("keeps a family's text sent outside a check-in for the navigator, and records the need it names", async () => {
    const roster = new RosterRepository(ctx.db);
    const guardians = await new SimulatorRepository(ctx.db).guardians();
    const children = await Promise.all(guardians.map((g) => roster.studentsOfGuardian(g.id)));
    const guardian = guardians.find((g, i) => g.locale === 'es' && g.phone && children[i]!.length === 1)!;
    const child = (await roster.studentsOfGuardian(guardian.id))[0]!;
    await post(`/sim/api/family/${guardian.id}/sms`, { text: 'Hola, no tenemos internet en casa' });
    const replies = (await thread('family', guardian.id)).filter((m) => m.direction === 'out');
    expect(replies).toHaveLength(1);
    expect((await new NeedRepository(ctx.db).needsOf([child.id])).map((n) => n.area)).toEqual([
      'technology_access',
    ]);

    const navigatorId = (await roster.navigatorOf(child.id))!;
    expect((await post(`/sim/api/navigator/${navigatorId}/start`)).status).toBe(200);
    const session = (await new CheckinRepository(ctx.db).activeSession(navigatorId, 'navigator'))!;
    const student = parseSession(session.state).context.students.find((s) => s.id === child.id)!;
    expect(student.familyNote).toEqual({
      key: 'navigator.family_note',
      params: { name: child.firstName, note: 'Hola, no tenemos internet en casa' },
    });
  });

  it('answers crisis wording at once and tells the counselor, even at night', async () => {
    clock.set(Date.parse('2026-11-25T09:00:00Z')); // 03:00 in Chicago
    const roster = new RosterRepository(ctx.db);
    const guardians = await new SimulatorRepository(ctx.db).guardians();
    const children = await Promise.all(guardians.map((g) => roster.studentsOfGuardian(g.id)));
    const guardian = guardians.find((g, i) => g.locale === 'en' && g.phone && children[i]!.length === 1)!;
    const child = (await roster.studentsOfGuardian(guardian.id))[0]!;
    await post(`/sim/api/family/${guardian.id}/sms`, { text: 'my son wants to hurt himself' });
    const reply = (await thread('family', guardian.id)).filter((m) => m.direction === 'out');
    expect(reply.map((m) => m.status)).toEqual(['sent']);
    expect(reply[0]!.text).toMatch(/988/);
    const counselor = (await roster.staffList(['counselor'])).find((s) => s.schoolId === child.schoolId)!;
    const notices = await thread('staff', counselor.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/^Urgent escalation/);
    expect(notices[0]!.text).not.toContain('hurt himself');
    const ref = (notices[0] as unknown as { alert: { id: string } }).alert.id;
    expect((await post(`/sim/api/staff/${counselor.id}/escalation`, { ref, action: 'claim' })).status).toBe(
      200,
    );
    expect(await new NeedRepository(ctx.db).escalations('claimed')).toHaveLength(1);
    expect(
      (await post(`/sim/api/staff/${counselor.id}/escalation`, { ref: 'NOPE9999', action: 'claim' })).status,
    ).toBe(404);
  });
});

describe('the simulator answers only a browser on this machine', () => {
  const people = '/sim/api/people';
  const release = '/sim/api/release-held';

  /** A GET with the Host header a browser sends after a DNS name was rebound to this machine. */
  const withHost = (path: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${base}${path}`, { headers: { host, 'x-sim-token': token } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it('refuses another Host name (DNS rebinding), on the page and the API', async () => {
    for (const path of ['/', people]) expect(await withHost(path, 'evil.example:3000'), path).toBe(403);
    expect(await withHost(people, 'localhost:3000')).toBe(200);
  });

  it('refuses a request from another site, by Origin or Sec-Fetch-Site', async () => {
    const crossSite: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      const res = await simFetch(`${base}${release}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'cross_site_request' });
    }
  });

  it('refuses an API call without the page token or with a wrong one', async () => {
    for (const given of [undefined, 'wrong-token']) {
      const res = await fetch(`${base}${release}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(given ? { 'x-sim-token': given } : {}) },
        body: '{}',
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'missing_or_wrong_token' });
    }
    expect((await fetch(`${base}${people}`)).status).toBe(403);
  });
});
