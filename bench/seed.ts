// The database the inbound benchmarks start the service on: one school, navigators, and two groups of
// families, each with a weekly check-in started through the check-in service itself. `answering` families have
// their question delivered (they are mid-conversation, so a text advances the check-in); `queued` families'
// questions are still in the outbox: the weekly send-out the relay drains while the answers come in.
import { buildService } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { systemClock, uuid } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { engineOf, openDatabase } from '../src/store/db.js';
import { ConsentRepository } from '../src/store/repositories/consents.js';
import { RosterRepository } from '../src/store/repositories/roster.js';

export const TWILIO_TOKEN = 'bench-auth-token';
export const BENCH_ENV = {
  TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
  TWILIO_MESSAGING_SERVICE_SID: `MG${'2'.repeat(32)}`,
  PUBLIC_BASE_URL: 'https://checkins.example.org',
};

/** A fixed-offset zone where it is early afternoon now, so quiet hours never hold the send-out. */
export function afternoonZone(now = Date.now()): string {
  const offset = Math.max(-12, Math.min(14, 14 - new Date(now).getUTCHours()));
  // Etc/GMT zones carry the opposite sign: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export const phoneOf = (i: number) => `+1615${String(2_000_000 + i).padStart(7, '0')}`;

export interface Seeded {
  answering: string[];
  queued: number;
}

/**
 * Seeds `answering` + `queued` families (guardian i texts from `phoneOf(i)`), 25 students per navigator.
 * Example: `await seed('bench.db', 1000, 1000)`.
 */
export async function seed(path: string, answering: number, queued: number): Promise<Seeded> {
  const zone = afternoonZone();
  const config = loadConfig({ ...BENCH_ENV, DATABASE_URL: `file:${path}`, DEFAULT_TIMEZONE: zone });
  const db = openDatabase(config.databasePath);
  const ctx: AppContext = {
    config,
    db,
    logger: createLogger({ level: 'silent' }),
    clock: systemClock,
    ids: uuid,
  };
  const at = Date.now();
  const by = { actor: 'bench', at };
  const total = answering + queued;
  await db.transaction(async (tx) => {
    const roster = new RosterRepository(tx);
    const consents = new ConsentRepository(tx);
    await roster.upsertSchool({ id: 'sch-1', name: 'Bench Middle School', timezone: zone }, by);
    for (let n = 0; n < Math.ceil(total / 25); n++)
      await roster.upsertStaff(
        {
          id: `nav-${n}`,
          schoolId: 'sch-1',
          name: `Navigator ${n}`,
          email: `nav${n}@example.org`,
          role: 'navigator',
          slackUserId: null,
          teamsUserId: null,
          timezone: zone,
          locale: 'en',
        },
        by,
      );
    for (let i = 0; i < total; i++) {
      await roster.upsertGuardian(
        { id: `g-${i}`, name: `Guardian ${i}`, phone: phoneOf(i), locale: 'en', timezone: zone },
        by,
      );
      await roster.upsertStudent(
        { id: `st-${i}`, schoolId: 'sch-1', firstName: `Student${i}`, lastName: 'Bench', grade: '7' },
        by,
      );
      await roster.setGuardians(`st-${i}`, [{ guardianId: `g-${i}`, relationship: 'parent' }], by);
      await roster.assignNavigator(`st-${i}`, `nav-${Math.floor(i / 25)}`, by);
      await consents.record(
        { guardianId: `g-${i}`, status: 'granted', source: 'roster_import', locale: 'en' },
        by,
      );
    }
  });
  const service = await buildService(ctx, { calendarFile: 'config/none.json' });
  for (let i = 0; i < total; i++) {
    const started = await service.checkins.startFamily(`g-${i}`);
    if (!started.ok) throw new Error(`bench seed: family check-in did not start (${started.problem})`);
  }
  // The answering families' questions went out in an earlier part of the send-out.
  const ids = Array.from({ length: answering }, (_, i) => `g-${i}`);
  const client = engineOf(db).$client;
  const sent = client.prepare(
    `update outbox set status = 'sent', attempts = 1, sent_at = ?, updated_at = ? where recipient_id = ?`,
  );
  client.transaction(() => {
    for (const id of ids) sent.run(at, at, id);
  })();
  await db.close();
  return { answering: ids, queued };
}
