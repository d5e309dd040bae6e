import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildService, type Service } from '../../../src/app.js';
import { importCatalogFile } from '../../../src/catalog/import.js';
import { staffText } from '../../../src/i18n/staff.js';
import { closeServer, createHttpApp, listen } from '../../../src/server.js';
import { escalationRef } from '../../../src/services/escalations.js';
import { recordNeed } from '../../../src/services/needs.js';
import { ReferralService } from '../../../src/services/referrals.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { NeedRepository } from '../../../src/store/repositories/needs.js';
import { ReferralRepository } from '../../../src/store/repositories/referrals.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { SimulatorRepository } from '../../../src/store/repositories/simulator.js';
import { testContext } from '../../helpers/context.js';

// The "done when", walked in the simulator as a person would: a family's crisis text reaches the
// counselor as urgent, climbs to the backup and then the lead navigator while nobody acts, is claimed and
// resolved from the alert, and the navigator sees both; and a referral goes from a need to resolved with the
// family's own answer to the follow-up recorded. Time moves only through the injected clock; deadlines fire
// through the service's timer tick.

// Tuesday 2026-11-24 18:00 UTC: noon in Chicago, inside school hours and the family sending window.
const NOW = Date.parse('2026-11-24T18:00:00Z');
const MINUTE = 60_000;

let ctx: Awaited<ReturnType<typeof testContext>>;
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

async function api<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/sim/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: headers(),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface Alert {
  id: string;
  heading: string;
  actions: string[];
  fields: { label: string; value: string }[];
  counselors: { id: string; name: string }[];
}
interface ThreadMessage {
  at: string;
  text: string;
  direction: 'out' | 'in';
  alert: Alert | null;
}

const thread = async (kind: 'staff' | 'family', id: string) =>
  (await api<{ messages: ThreadMessage[] }>(`/thread/${kind}/${id}`)).body.messages;

/** What the service does every minute: due timers, then the outbox. */
async function minuteTick() {
  await service.scheduler.tick();
  await service.relay.runOnce();
}

/** A Riverside family with one child and a phone, in Spanish; the child's navigator. */
async function riversideFamily() {
  const roster = new RosterRepository(ctx.db);
  for (const g of await new SimulatorRepository(ctx.db).guardians()) {
    if (g.locale !== 'es' || !g.phone) continue;
    const children = await roster.studentsOfGuardian(g.id);
    if (children.length !== 1 || children[0]!.schoolId !== 'sch-riverside') continue;
    const navigator = (await roster.navigatorOf(children[0]!.id))!;
    return { guardian: g, student: children[0]!, navigator: (await roster.staffById(navigator))! };
  }
  throw new Error('no Riverside family in the demo roster');
}

/** A district-level counselor: the backup when nobody at the school answers. */
async function addDistrictCounselor() {
  await new RosterRepository(ctx.db).upsertStaff(
    {
      id: 'counselor-d',
      schoolId: null,
      name: 'Omar Haddad',
      email: 'ohaddad@district.example',
      role: 'counselor',
      slackUserId: null,
      teamsUserId: null,
      timezone: 'America/Chicago',
      locale: 'en',
    },
    { actor: 'test', at: NOW },
  );
}

const purposes = async (staffId: string) =>
  (await new SimulatorRepository(ctx.db).messagesTo(staffId)).map((m) => m.purpose);

describe('the escalation journey in the simulator', () => {
  it('a crisis text: urgent to the counselor, climbs to the backup and the lead, claimed and resolved, navigator told', async () => {
    await addDistrictCounselor();
    const { guardian, student, navigator } = await riversideFamily();
    const words = 'por favor ayuda, no tenemos comida';
    expect((await api(`/family/${guardian.id}/sms`, { text: words })).status).toBe(200);

    const [raised] = await new NeedRepository(ctx.db).escalations();
    expect(raised).toMatchObject({ urgent: true, source: 'family', studentId: student.id });
    const ref = escalationRef(raised!.id);
    const alertOf = async (staffId: string) =>
      (await thread('staff', staffId)).find((m) => m.alert?.id === raised!.id);
    const first = (await alertOf('counselor-1'))!;
    expect(first.alert!.heading).toBe(`Urgent escalation ${ref}`);
    expect(first.at).toMatch(/CST$/);
    expect(first.alert!.actions).toEqual(['claim', 'acknowledge', 'note', 'reassign', 'resolve', 'details']);
    // The Reassign list offers who may take it: not another school's counselor.
    expect(first.alert!.counselors.map((c) => c.id).sort()).toEqual(['counselor-1', 'counselor-d']);
    expect(JSON.stringify(first.alert)).not.toContain('comida');
    expect(JSON.stringify(first.alert)).not.toContain(student.firstName);
    expect(await purposes('counselor-d')).toEqual([]);
    expect(await purposes('lead-1')).toEqual([]);

    // Ignored for 29 minutes: nothing climbs. At 30: the counselor is reminded and the backup told.
    ctx.clock.set(NOW + 29 * MINUTE);
    await minuteTick();
    expect(await purposes('counselor-1')).toEqual(['escalation:new']);
    ctx.clock.set(NOW + 30 * MINUTE);
    await minuteTick();
    expect(await purposes('counselor-1')).toEqual(['escalation:new', 'escalation:reminder']);
    expect(await purposes('counselor-d')).toEqual(['escalation:backup']);
    expect(await purposes('lead-1')).toEqual([]);
    // Still ignored 30 minutes later: the lead navigator gets it, with the actions a lead may take.
    ctx.clock.set(NOW + 60 * MINUTE);
    await minuteTick();
    expect(await purposes('lead-1')).toEqual(['escalation:overdue']);
    const overdue = (await alertOf('lead-1'))!.alert!;
    expect(overdue.actions).not.toContain('claim');
    expect(overdue.actions).toEqual(expect.arrayContaining(['reassign', 'resolve']));
    expect(await purposes('lead-2')).toEqual([]);

    // Claimed from the counselor's alert: the alert changes, the navigator is told.
    const claimed = await api<{ message: string }>(`/staff/counselor-1/escalation`, {
      ref: first.alert!.id,
      action: 'claim',
    });
    expect(claimed.status).toBe(200);
    expect(claimed.body.message).toContain('You have claimed escalation');
    const afterClaim = (await alertOf('counselor-1'))!.alert!;
    expect(afterClaim.actions).not.toContain('claim');
    expect(afterClaim.fields.find((f) => f.label === 'Status')?.value).toBe('Claimed by Marcus Oyelaran');
    await service.relay.runOnce();
    const told = async () =>
      (await thread('staff', navigator.id)).map((m) => m.text).filter((t) => t.includes(ref));
    /** The start of a notice in the navigator's language, up to the student's initials. */
    const opening = (key: 'navigatorNoticeClaimed' | 'navigatorNoticeResolved') =>
      staffText(navigator.locale, key, { ref, who: '@', counselor: '@', outcome: '@' }).split('@')[0]!;
    expect(await told()).toHaveLength(1);
    expect((await told())[0]!.startsWith(opening('navigatorNoticeClaimed'))).toBe(true);
    expect((await told())[0]).toContain('Marcus Oyelaran');

    const resolved = await api(`/staff/counselor-1/escalation`, {
      ref: first.alert!.id,
      action: 'resolve',
      outcome: 'connected_to_service',
    });
    expect(resolved.status).toBe(200);
    await service.relay.runOnce();
    expect((await alertOf('counselor-1'))!.alert!.actions).toEqual([]);
    expect((await alertOf('lead-1'))!.alert!.actions).toEqual([]);
    const notices = await told();
    expect(notices).toHaveLength(2);
    expect(notices[1]!.startsWith(opening('navigatorNoticeResolved'))).toBe(true);
    expect(notices[1]).toMatch(/conect|connected/);
    // The navigator's notices say what happened, never the family's words.
    for (const t of notices) expect(t).not.toContain('comida');

    const audit = (await new AuditRepository(ctx.db).listFor('escalation', raised!.id)).map(
      (a) => `${a.actor} ${a.action}`,
    );
    expect(audit).toEqual([
      `guardian:${guardian.id} create`,
      'system reminder',
      'system overdue',
      'staff:counselor-1 claim',
      'staff:counselor-1 resolve',
    ]);
    // A resolved case climbs no further: much later, nobody hears of it again.
    ctx.clock.set(NOW + 8 * 60 * MINUTE);
    await minuteTick();
    expect(await purposes('lead-1')).toEqual(['escalation:overdue']);
  });

  it("a referral from a need to resolved, with the family's answer to the follow-up recorded", async () => {
    const { guardian, student, navigator } = await riversideFamily();
    const report = await importCatalogFile(ctx, 'docs/sample-services.csv', { actor: 'test' });
    expect(report.exitCode).toBe(0);
    const need = await ctx.db.transaction(
      async (tx) =>
        (
          await recordNeed(tx, ctx, {
            studentId: student.id,
            area: 'food_security',
            severity: 'medium',
            source: 'navigator',
            actor: `staff:${navigator.id}`,
          })
        ).need,
    );
    const referrals = new ReferralService(ctx);
    const made = await referrals.create(navigator.id, need.id, 'food-pantry-north');
    if (!made.ok) throw new Error(made.message);
    expect(made.referral.status).toBe('referred');
    const connected = await referrals.update(navigator.id, made.referral.id, 'connected');
    expect(connected).toMatchObject({ ok: true, followUps: 1 });
    await service.relay.runOnce();

    // The family's phone shows the follow-up, in Spanish; the family answers "1" (yes) from it.
    const before = await thread('family', guardian.id);
    const followUp = before.filter((m) => m.direction === 'out').at(-1)!;
    expect(followUp.text).toMatch(/1/);
    expect(followUp.text).toMatch(/comida|alimentos/i);
    expect((await api(`/family/${guardian.id}/sms`, { text: '1' })).status).toBe(200);
    const referralRow = () => new ReferralRepository(ctx.db).referral(made.referral.id);
    expect(await referralRow()).toMatchObject({
      status: 'receiving',
      followUpAnswer: 'yes',
      followUpGuardianId: guardian.id,
    });

    const done = await referrals.update(navigator.id, made.referral.id, 'resolved');
    expect(done.ok).toBe(true);
    expect(await referralRow()).toMatchObject({ status: 'resolved', followUpAnswer: 'yes' });
    const needNow = (await new NeedRepository(ctx.db).allNeeds()).find((n) => n.id === need.id);
    expect(needNow?.status).toBe('resolved');
    const history = (await new AuditRepository(ctx.db).listFor('referral', made.referral.id)).map(
      (a) => `${a.action}:${JSON.stringify(a.after)}`,
    );
    expect(history).toEqual([
      expect.stringMatching(/^create:.*"status":"referred"/),
      'status:{"status":"connected"}',
      `follow_up_sent:{"guardians":["${guardian.id}"]}`,
      `follow_up_answer:{"answer":"yes","guardianId":"${guardian.id}"}`,
      'status:{"status":"receiving"}',
      'status:{"status":"resolved"}',
    ]);
  });
});
