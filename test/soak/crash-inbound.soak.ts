import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { count } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { SMS_INBOUND_PATH } from '../../src/bots/sms/routes.js';
import { engineOf, openDatabase } from '../../src/store/db.js';
import { familyMessages, familyTexts, inboundEvents } from '../../src/store/schema/index.js';
import { activeCheckin, inboundParams, seedFamily, sign } from '../bots/sms/helpers.js';
import { TWILIO_ENV } from '../delivery/fixtures/twilio-api.js';
import { type Child, kill, startChild } from './child.js';
import { figure } from './figures.js';

const FAMILIES = 40;
const TEXTS = 400;
const KILLS = 6;
const CONCURRENCY = 25;
const URL = `${TWILIO_ENV.PUBLIC_BASE_URL}${SMS_INBOUND_PATH}`;
const dir = mkdtempSync(join(tmpdir(), 'crash-inbound-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const phone = (g: number) => `+155502${String(g).padStart(5, '0')}`;
// Words a family might send that are neither a keyword nor a crisis: each is kept for the navigator.
const text = (i: number) => ({
  sid: `SM${String(i).padStart(32, '0')}`,
  from: phone(i % FAMILIES),
  body: `Ana said the bus was late again, note ${i}`,
});

/**
 * Posts the texts not yet answered 200, `CONCURRENCY` at a time, as Twilio does; a refused connection or a
 * 5xx leaves a text for the next round (Twilio's retry). Stops when all are answered or `stop` says so.
 */
async function burst(base: string, unanswered: Set<number>, stop: () => boolean): Promise<number> {
  let posted = 0;
  const queue = [...unanswered];
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined && !stop(); i = queue.shift()) {
      const t = text(i);
      const params = inboundParams(t.from, t.body, t.sid);
      posted += 1;
      try {
        const res = await fetch(`${base}${SMS_INBOUND_PATH}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': sign(URL, params),
          },
          body: new URLSearchParams(params).toString(),
        });
        if (res.status === 200) unanswered.delete(i);
        await res.arrayBuffer();
      } catch {
        // The process died with the request in flight: Twilio saw no answer and will retry.
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return posted;
}

describe('SIGKILL at random points during an inbound SMS burst', () => {
  it('after restarts and Twilio retries, every text is recorded exactly once', async () => {
    const dbPath = join(dir, 'inbound.db');
    const db = openDatabase(dbPath);
    await seedFamily(
      db,
      Array.from({ length: FAMILIES }, (_, g) => ({ id: `g-${g}`, phone: phone(g) })),
    );
    await db.close();
    const unanswered = new Set(Array.from({ length: TEXTS }, (_, i) => i));
    const env = { DB_PATH: dbPath };
    const answeredAtKills: number[] = [];
    let posts = 0;
    // Kill points spread over the whole burst (by texts answered, then a random few ms into the next ones),
    // so kills land early, late and mid-request alike.
    const targets = Array.from({ length: KILLS }, () => Math.floor(Math.random() * TEXTS * 0.9)).sort(
      (a, b) => a - b,
    );
    for (const target of targets) {
      const server: Child = await startChild('inbound-server', env);
      const base = `http://127.0.0.1:${JSON.parse(server.ready).port}`;
      let dead = false;
      const sending = burst(base, unanswered, () => dead);
      for (let waited = 0; TEXTS - unanswered.size < target && waited < 10_000; waited += 5) await sleep(5);
      await sleep(Math.floor(Math.random() * 25));
      await kill(server);
      dead = true;
      posts += await sending;
      answeredAtKills.push(TEXTS - unanswered.size);
    }
    // Twilio also sends some webhooks twice though they were answered (a slow answer, its own retry).
    const redelivered = new Set(Array.from({ length: 60 }, () => Math.floor(Math.random() * TEXTS)));
    for (const i of redelivered) unanswered.add(i);
    const last = await startChild('inbound-server', env);
    const base = `http://127.0.0.1:${JSON.parse(last.ready).port}`;
    for (let round = 0; unanswered.size > 0 && round < 5; round++)
      posts += await burst(base, unanswered, () => false);
    await kill(last);

    const check = openDatabase(dbPath, { migrate: false });
    const e = engineOf(check);
    const perSid = e
      .select({ sid: familyTexts.eventId, n: count() })
      .from(familyTexts)
      .groupBy(familyTexts.eventId)
      .all();
    const events = e
      .select({ status: inboundEvents.status, n: count() })
      .from(inboundEvents)
      .groupBy(inboundEvents.status)
      .all();
    const kept = e.select({ n: count() }).from(familyMessages).get()!.n;
    const bodies = new Set(
      e
        .select({ body: familyMessages.body })
        .from(familyMessages)
        .all()
        .map((r) => r.body),
    );
    await check.close();
    const recorded = perSid.length;
    const duplicates = perSid.reduce((s, r) => s + r.n - 1, 0);
    figure('crash-inbound', {
      texts: TEXTS,
      sigkills: KILLS,
      answeredAtKills: answeredAtKills.join('/'),
      webhookPosts: posts,
      redelivered: redelivered.size,
      recorded,
      duplicates,
      keptForNavigator: kept,
      unmarked: events.find((r) => r.status === 'received')?.n ?? 0,
    });
    expect(unanswered.size).toBe(0);
    // The kills must land mid-burst: before the first text or after the last would prove nothing.
    expect(answeredAtKills.some((n) => n > 0 && n < TEXTS)).toBe(true);
    expect(recorded).toBe(TEXTS);
    expect(duplicates).toBe(0);
    // A kill between a text's commit and its 'processed' mark leaves the mark at 'received': the text and
    // its effects are in (they commit together), and the retry is rightly a duplicate.
    expect(events.reduce((s, r) => s + r.n, 0)).toBe(TEXTS);
    expect(kept).toBe(TEXTS);
    expect(bodies.size).toBe(TEXTS);
  });

  // Inside a check-in, a text's record commits first and the conversation (or the navigator's copy when it
  // reads no answer) commits after, in its own transaction. A SIGKILL between the two: the retry is a
  // duplicate, and the restarted service finishes the text at start (FamilyInboundService.recoverUnfinished).
  it('a kill inside the check-in step: the text still reaches the navigator after restart', async () => {
    const dbPath = join(dir, 'dialog.db');
    const db = openDatabase(dbPath);
    await seedFamily(db, [{ id: 'g-0', phone: phone(0) }]);
    await activeCheckin(db, 'g-0');
    await db.close();
    const params = inboundParams(
      phone(0),
      'we could use help with the rent this month',
      `SM${'d'.repeat(32)}`,
    );
    const post = (base: string) =>
      fetch(`${base}${SMS_INBOUND_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': sign(URL, params),
        },
        body: new URLSearchParams(params).toString(),
      }).then((r) => r.status);
    const crashing = await startChild('inbound-server', { DB_PATH: dbPath, CRASH_IN_DIALOG: 'rent' });
    await expect(post(`http://127.0.0.1:${JSON.parse(crashing.ready).port}`)).rejects.toThrow();
    await crashing.exited;
    const server = await startChild('inbound-server', { DB_PATH: dbPath });
    expect(await post(`http://127.0.0.1:${JSON.parse(server.ready).port}`)).toBe(200);
    await kill(server);
    const check = openDatabase(dbPath, { migrate: false });
    const e = engineOf(check);
    const recorded = e.select({ n: count() }).from(familyTexts).get()!.n;
    const kept = e.select({ n: count() }).from(familyMessages).get()!.n;
    await check.close();
    figure('crash-inbound-dialog', { recorded, keptForNavigator: kept });
    expect(recorded).toBe(1);
    expect(kept).toBe(1);
  });
});
