// `npx tsx bench/relay-drain.ts`: how long the relay takes to drain 600 texts at RATE_LIMIT_SMS_PER_SECOND=20
// with an instant transport, on a file database and the wall clock (the service's loop, not runOnce).
// The ideal is 30 s. Figures are printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { rateLimitsFrom } from '../src/delivery/rate-limits.js';
import { createRelay } from '../src/delivery/relay.js';
import { TransportRegistry } from '../src/delivery/transport.js';
import { systemClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { openDatabase } from '../src/store/db.js';
import { OutboxRepository, outboxKey } from '../src/store/repositories/outbox.js';

const ROWS = 600;
const PER_SECOND = 20;
const GIVE_UP_MS = 120_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-drain-'));
  const db = openDatabase(join(dir, 'drain.db'));
  let n = 0;
  const ctx: AppContext = {
    config: loadConfig({ DATABASE_URL: ':memory:' }),
    db,
    logger: createLogger({ level: 'silent' }),
    clock: systemClock,
    ids: () => `id-${++n}`,
  };
  const now = Date.now();
  await db.transaction(async (tx) => {
    for (let i = 0; i < ROWS; i++)
      await OutboxRepository.enqueue(tx, {
        id: `o-${i}`,
        idempotencyKey: outboxKey({ recipient: `s-${i}`, purpose: 'drain', period: 'bench' }),
        channel: 'sms',
        // Staff texts: quiet hours do not apply, so the figure is the rate limiter's and the loop's alone.
        recipientKind: 'staff',
        recipientId: `s-${i}`,
        address: `+1555${String(i).padStart(7, '0')}`,
        purpose: 'drain',
        locale: 'en',
        payload: { key: 'bench.drain' },
        body: 'Drain test',
        createdAt: now,
      });
  });
  let sent = 0;
  const timeline: string[] = [];
  const relay = createRelay({
    ctx,
    transports: new TransportRegistry([
      {
        channel: 'sms',
        send: async () => {
          sent += 1;
          return { ok: true };
        },
      },
    ]),
    rateLimits: rateLimitsFrom({ sms: { perSecond: PER_SECOND } }),
  });
  const started = Date.now();
  relay.start();
  let lastMark = 0;
  while (sent < ROWS && Date.now() - started < GIVE_UP_MS) {
    await new Promise((r) => setTimeout(r, 100));
    const s = Math.floor((Date.now() - started) / 10_000);
    if (s > lastMark) {
      lastMark = s;
      timeline.push(`${s * 10}s:${sent}`);
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  await relay.stop();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `drain ${ROWS} texts at ${PER_SECOND}/s: ${sent} sent in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(1)}/s; ideal ${ROWS / PER_SECOND} s)`,
  );
  console.log(`sent by time: ${timeline.join(' ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
