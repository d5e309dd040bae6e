import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createTimerRunner } from '../../src/jobs/timer-runner.js';
import { fixedClock, sequentialIds } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Db } from '../../src/store/db.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { TimerRepository, type TimerRow } from '../../src/store/repositories/timers.js';
import { createPostgresTestDatabase, SKIP_MESSAGE, TEST_DATABASE_URL } from '../helpers/postgres.js';

// Two instances, each with its own pool on one PostgreSQL database: A claims a timer and stalls in its handler
// past its lease; B claims the timer and fires it. When A goes on, its finish is refused (the lease is B's), so
// A's effects roll back with it: the timer fires once, with one set of effects.

const START = Date.parse('2026-11-23T14:00:00Z');

describe.skipIf(!TEST_DATABASE_URL)(
  `a timer's lease across two instances${TEST_DATABASE_URL ? '' : ` — ${SKIP_MESSAGE}`}`,
  () => {
    let database: Awaited<ReturnType<typeof createPostgresTestDatabase>>;
    const stores: Db[] = [];
    beforeAll(async () => {
      database = await createPostgresTestDatabase();
      for (let i = 0; i < 2; i++)
        stores.push(await openPostgresStore(database.url, { migrate: false, poolSize: 3 }));
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await database?.drop();
    });

    it('a runner whose lease ran out and was taken over by another instance neither ends the timer nor keeps its effects', async () => {
      const clock = fixedClock(START);
      const lines: string[] = [];
      const contextOf = (db: Db, prefix: string): AppContext => ({
        config: loadConfig({ DATABASE_URL: ':memory:' }),
        db,
        logger: createLogger({ level: 'warn', destination: { write: (l: string) => lines.push(l) } }),
        clock,
        ids: sequentialIds(prefix),
      });
      const [a, b] = [contextOf(stores[0]!, 'a'), contextOf(stores[1]!, 'b')];
      await new TimerRepository(a.db).schedule({
        id: 't-1',
        kind: 'task_due',
        uniqueKey: 'task_due|1',
        fireAt: clock(),
        createdAt: 0,
      });
      let stalled!: () => void;
      const inHandler = new Promise<void>((resolve) => {
        stalled = resolve;
      });
      let goOn!: () => void;
      const resume = new Promise<void>((resolve) => {
        goOn = resolve;
      });
      const runnerOf = (ctx: AppContext, owner: string, stall: boolean) =>
        createTimerRunner({
          ctx,
          owner,
          leaseMs: 60_000,
          handlers: {
            task_due: async (timer: TimerRow, c) => {
              if (stall) {
                stalled();
                await resume;
              }
              await TimerRepository.schedule(c.db, {
                id: `effect-${owner}-${c.ids()}`,
                kind: 'follow_up',
                uniqueKey: `effect|${owner}|${timer.id}`,
                fireAt: c.clock() + 86_400_000,
                createdAt: c.clock(),
              });
              return `by:${owner}`;
            },
          },
        });
      const first = runnerOf(a, 'a', true).runOnce();
      await inHandler;
      clock.advance(60_001);
      const roundB = await runnerOf(b, 'b', false).runOnce();
      goOn();
      const roundA = await first;

      expect(roundB).toMatchObject({ claimed: 1, fired: 1 });
      expect(roundA).toMatchObject({ claimed: 1, fired: 0, skipped: 1, failed: 0 });
      expect(roundA.log).toEqual(['task_due task_due|1 → skipped:lease_lost']);
      const repo = new TimerRepository(a.db);
      const timer = await repo.get('t-1');
      expect(timer).toMatchObject({ status: 'fired', leaseOwner: null });
      expect((timer!.payload as { outcome?: unknown }).outcome).toEqual({ result: 'fired', reason: 'by:b' });
      expect((await repo.list({ keyPrefix: 'effect|' })).map((t) => t.uniqueKey)).toEqual(['effect|b|t-1']);
      expect(lines.some((l) => l.includes('lease lost'))).toBe(true);
      expect(await repo.release('t-1', 'a', 0)).toBe(false);
    });
  },
);
