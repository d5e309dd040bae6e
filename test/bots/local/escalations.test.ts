import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../../src/app.js';
import type { AppContext } from '../../../src/context.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { escalationRef, raiseEscalation } from '../../../src/services/escalations.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { testContext } from '../../helpers/context.js';
import { rowsOf } from '../../helpers/tables.js';

// Tuesday 2026-11-24 18:00 UTC: noon in Chicago.
const NOW = Date.parse('2026-11-24T18:00:00Z');

let ctx: AppContext;
let service: Service;
let server: Server;
let base: string;
let token: string;

beforeEach(async () => {
  ctx = await testContext({ now: NOW, idPrefix: 'sim' });
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

const headers = () => ({ 'x-sim-token': token, 'content-type': 'application/json' });

async function act(staffId: string, body: Record<string, unknown>) {
  const res = await fetch(`${base}/sim/api/staff/${staffId}/escalation`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { message?: string; error?: string } };
}

interface Alert {
  id: string;
  heading: string;
  actions: string[];
  fields: { label: string; value: string }[];
  counselors: { id: string; name: string }[];
  outcomes: { id: string; label: string }[];
}

async function alertsOf(staffId: string): Promise<{ at: string; alert: Alert | null }[]> {
  const res = await fetch(`${base}/sim/api/thread/staff/${staffId}`, { headers: headers() });
  return ((await res.json()) as { messages: { at: string; alert: Alert | null }[] }).messages;
}

/** An urgent escalation about a Lincoln student, raised by their navigator, delivered to the counselor. */
async function raise(): Promise<{ id: string; counselor: string; navigator: string; student: string }> {
  const roster = new RosterRepository(ctx.db);
  const counselor = (await roster.staffList(['counselor'])).find((s) => s.id === 'counselor-1')!;
  const student = (await roster.studentList()).find((s) => s.schoolId === counselor.schoolId)!;
  const navigator = (await roster.navigatorOf(student.id))!;
  const row = await ctx.db.transaction((tx) =>
    raiseEscalation(tx, ctx, {
      studentId: student.id,
      trigger: 'self_harm',
      urgent: true,
      source: 'navigator',
      raisedBy: `staff:${navigator}`,
      summary: 'self_harm',
      note: 'Said things at home are hard',
    }),
  );
  await service.relay.runOnce();
  return {
    id: row.id,
    counselor: counselor.id,
    navigator,
    student: `${student.firstName} ${student.lastName}`,
  };
}

const statusOf = async () => (await rowsOf(ctx.db, 'escalations'))[0]!;

describe('escalation actions in the simulator', () => {
  it('shows the alert with its time zone and every action, then only what its state allows', async () => {
    const { id, counselor } = await raise();
    const [message] = await alertsOf(counselor);
    expect(message!.at).toMatch(/CST$/);
    const alert = message!.alert!;
    expect(alert.heading).toBe(`Urgent escalation ${escalationRef(id)}`);
    expect(alert.fields.find((f) => f.label === 'Raised')?.value).toMatch(/by a navigator, .* CST$/);
    expect(alert.actions).toEqual(['claim', 'acknowledge', 'note', 'reassign', 'resolve', 'details']);
    expect(alert.outcomes.map((o) => o.id)).toContain('connected_to_service');

    const claimed = await act(counselor, { ref: alert.id, action: 'claim' });
    expect(claimed.status).toBe(200);
    expect(claimed.body.message).toContain('You have claimed escalation');
    const after = (await alertsOf(counselor))[0]!.alert!;
    expect(after.actions).not.toContain('claim');
    expect(after.fields.find((f) => f.label === 'Status')?.value).toBe('Claimed by Marcus Oyelaran');

    const resolved = await act(counselor, { ref: alert.id, action: 'resolve', outcome: 'handled_in_school' });
    expect(resolved.body.message).toContain('handled in school');
    expect(await statusOf()).toMatchObject({ status: 'resolved', outcome: 'handled_in_school' });
    expect((await alertsOf(counselor))[0]!.alert!.actions).toEqual([]);
  });

  it("refuses in the person's language: a navigator claiming, an unknown outcome, a second claim", async () => {
    const { id, counselor, navigator } = await raise();
    const refused = await act(navigator, { ref: id, action: 'claim' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('not_allowed');
    // The demo navigator of a Lincoln student works in Spanish: the refusal is in her language.
    expect(refused.body.message).toMatch(/solo un consejero puede asumirla/);
    expect((await act(counselor, { ref: id, action: 'resolve', outcome: 'whatever' })).status).toBe(409);
    await new RosterRepository(ctx.db).upsertStaff(
      {
        id: 'counselor-9',
        schoolId: (await new RosterRepository(ctx.db).staffById(counselor))!.schoolId,
        name: 'Nora Second',
        email: 'nora@district.example',
        role: 'counselor',
        slackUserId: null,
        teamsUserId: null,
        timezone: 'America/Chicago',
        locale: 'en',
      },
      { actor: 'test', at: NOW },
    );
    await act(counselor, { ref: id, action: 'claim' });
    const second = await act('counselor-9', { ref: id, action: 'claim' });
    expect(second.body.message).toContain('Marcus Oyelaran already holds');
    const reassigned = await act(counselor, { ref: id, action: 'reassign', to: 'counselor-9' });
    expect(reassigned.status).toBe(200);
    expect((await statusOf()).counselorId).toBe('counselor-9');
  });

  it('opens the details for the holder only, with the note and the student name', async () => {
    const { id, counselor, student } = await raise();
    const details = (who: string) =>
      fetch(`${base}/sim/api/staff/${who}/escalation/${id}/details`, { headers: headers() });
    const refused = await details('lead-2');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('Only the counselor holding');
    await act(counselor, { ref: id, action: 'claim' });
    await act(counselor, { ref: id, action: 'note', text: 'Called the family' });
    const opened = await details(counselor);
    expect(opened.status).toBe(200);
    const body = JSON.stringify(await opened.json());
    expect(body).toContain(student);
    expect(body).toContain('Said things at home are hard');
    expect(body).toContain('Called the family');
    expect(JSON.stringify(await alertsOf(counselor))).not.toContain('Said things at home');
  });
});
