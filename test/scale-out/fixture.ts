import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'csv-stringify/sync';
import { HttpResponse, http } from 'msw';
import pg from 'pg';
import { buildService, type Service } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { STAFF_COLUMNS, STUDENT_COLUMNS } from '../../src/roster/columns.js';
import { importRoster } from '../../src/roster/import.js';
import { closeServer, createHttpApp, listen } from '../../src/server.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { MESSAGES_URL, START, TWILIO_ENV } from '../bots/sms/helpers.js';
import { createPostgresTestDatabase } from '../helpers/postgres.js';

/** Families on the roster, one guardian and one student each, all with SMS consent. */
export const FAMILIES = 60;

/** The guardian of family `i` (0-based) and the number Twilio sees for them. */
export const guardianPhone = (i: number) => `+1312555${String(100 + i).padStart(4, '0')}`;

/** One send Twilio was asked for, with the injected clock's time. */
export interface TwilioSend {
  to: string;
  body: string;
  at: number;
}

/** A fake Twilio Messages API recording each create with the time of the shared clock. */
export function fakeTwilioAt(clock: () => number) {
  const sends: TwilioSend[] = [];
  const handler = http.post(MESSAGES_URL, async ({ request }) => {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    sends.push({ to: form.To ?? '', body: form.Body ?? '', at: clock() });
    const sid = `SM${String(sends.length).padStart(32, '0')}`;
    return HttpResponse.json({ sid, status: 'queued', to: form.To, body: form.Body }, { status: 201 });
  });
  return { sends, handler };
}

/** One school, two navigators, FAMILIES students each with one guardian who consented to texts. */
function rosterCsv(): { staff: string; students: string } {
  const school = ['sch-1', 'Riverside Middle School', 'America/Chicago', '(312) 555-0199'];
  const staff = ['nav-1', 'nav-2'].map((id, i) => [
    id,
    `Navigator ${i + 1}`,
    `${id}@district.example.org`,
    'navigator',
    ...school,
    '',
    'en',
    '',
    '',
  ]);
  const students = Array.from({ length: FAMILIES }, (_, i) => {
    const guardian = [
      `G${2000 + i}`,
      `Guardian ${i}`,
      `(312) 555-${String(100 + i).padStart(4, '0')}`,
      'en',
      '',
      'parent',
      'yes',
    ];
    const row = [`S${1000 + i}`, 'Ana', `Family${i}`, '7', ...school, `nav-${(i % 2) + 1}`, ...guardian];
    while (row.length < STUDENT_COLUMNS.length) row.push('');
    return row;
  });
  return {
    staff: stringify([[...STAFF_COLUMNS], ...staff]),
    students: stringify([[...STUDENT_COLUMNS], ...students]),
  };
}

/** One running instance of the service: its own store on the shared database, its own HTTP server. */
export interface Instance {
  ctx: AppContext;
  store: PostgresStore;
  service: Service;
  /** Base URL of its HTTP server on loopback. */
  base: string;
}

/**
 * Two instances of the service on one fresh PostgreSQL database, sharing the injected clock (as two machines
 * share the wall clock), with Twilio configured and the roster imported once.
 */
export async function twoInstances(env: Record<string, string> = {}) {
  const database = await createPostgresTestDatabase();
  const clock = fixedClock(START);
  const servers: Server[] = [];
  const stores: PostgresStore[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });

  async function instance(prefix: string): Promise<Instance> {
    const store = await openPostgresStore(database.url, { migrate: false, poolSize: 6 });
    stores.push(store);
    const ctx: AppContext = {
      config: loadConfig({ ...TWILIO_ENV, DATABASE_URL: database.url, ...env }),
      db: store,
      logger: createLogger({ level: 'silent' }),
      clock,
      // Distinct prefixes: production ids are UUIDs, unique across instances.
      ids: sequentialIds(prefix),
    };
    // No calendar file: the district's breaks (Thanksgiving week) must not skip the week planned here.
    const service = await buildService(ctx, { calendarFile: 'config/no-calendar.json' });
    const server = await listen(createHttpApp(ctx, service.routes), 0, '127.0.0.1');
    servers.push(server);
    return { ctx, store, service, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  const a = await instance('a');
  const b = await instance('b');
  const csv = rosterCsv();
  const report = await importRoster(
    a.ctx,
    [
      { name: 'staff.csv', text: csv.staff },
      { name: 'students.csv', text: csv.students },
    ],
    { actor: 'test' },
  );
  if (report.exitCode !== 0) throw new Error(`roster rejected: ${JSON.stringify(report.problems)}`);

  return {
    a,
    b,
    clock,
    /** Plain SQL on the shared database, for counting what the two instances wrote. */
    query: async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      (await pool.query<R>(text, values)).rows,
    async close() {
      for (const s of servers.splice(0)) await closeServer(s);
      for (const s of stores.splice(0)) await s.close();
      await pool.end();
      await database.drop();
    },
  };
}
