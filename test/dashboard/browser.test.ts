import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/bots/dashboard/routes.js';
import { createTexts } from '../../src/i18n/index.js';
import { closeServer, createHttpApp, listen } from '../../src/server.js';
import { mintDashboardLink } from '../../src/services/dashboard-links.js';
import { testContext } from '../helpers/context.js';
import { EXPECTED, NOW, seedDistrict, WEEK } from './seed.js';

// The dashboard in a real browser: Debian's chromium driven by playwright-core (the test runner's own browser
// download is not used). CI installs chromium (.ci/run); without it this suite is skipped, and says so.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `dashboard browser test skipped: no chromium at ${CHROMIUM} (install it with apt-get install chromium, or set CHROMIUM_PATH)`,
  );

const ARTIFACTS = 'test-artifacts';

/** The part of a browser canvas the pixel check reads (the test compiles without the DOM's types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}
// Playwright launches each browser with a fresh temporary profile (user-data-dir) of its own.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!hasChromium)('the dashboard in chromium', () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let token: string;

  beforeAll(async () => {
    const ctx = await testContext({
      now: NOW,
      env: { DASHBOARD_SECRET: 'browser-test-secret-of-32-characters-or-more' },
    });
    await seedDistrict(ctx);
    server = await listen(
      createHttpApp(ctx, [dashboardRoutes({ texts: createTexts({ defaultLocale: 'en' }) })]),
      0,
      '127.0.0.1',
    );
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const minted = await mintDashboardLink(ctx, 'lead-1');
    if (!minted.ok) throw new Error(minted.problem);
    token = minted.link.token;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
  });

  it('opens from a signed link, charts the seeded week, filters the needs, and is photographed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${origin}/dashboard?t=${encodeURIComponent(token)}`);
    // The link was swapped for the session cookie: the address bar no longer holds the token.
    expect(new URL(page.url()).pathname).toBe('/dashboard/s/S1');
    expect(page.url()).not.toContain('t=');
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 15_000 });
    expect(await page.textContent('#place')).toBe(EXPECTED.school);

    // What the page was given to draw, and what each chart drew.
    const data = JSON.parse((await page.textContent('#chart-data')) ?? '{}');
    const byNavigator = Object.fromEntries(
      (data.completionByNavigator.labels as string[]).map((name, i) => [
        name,
        [
          data.completionByNavigator.met[i],
          data.completionByNavigator.attempted[i],
          data.completionByNavigator.notDone[i],
        ],
      ]),
    );
    expect(byNavigator).toEqual(EXPECTED.byNavigator);
    expect(data.needsByArea.weeks.at(-1)).toBe(WEEK);
    expect(
      Object.fromEntries(
        (data.needsByArea.series as { area: string; counts: number[] }[]).map((s) => [s.area, s.counts]),
      ),
    ).toEqual(EXPECTED.needsByWeek);
    expect(
      Object.fromEntries(
        (data.responseByLanguage.labels as string[]).map((l, i) => [l, data.responseByLanguage.rates[i]]),
      ),
    ).toEqual(EXPECTED.responseRate);
    for (const id of ['chart-completion', 'chart-needs', 'chart-response']) {
      const canvas = page.locator(`#${id}`);
      const box = await canvas.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(100);
    }
    expect(JSON.parse((await page.getAttribute('#chart-completion', 'data-drawn')) ?? '[]')).toEqual([
      [2, 2],
      [0, 0],
      [2, 0],
    ]);
    expect(JSON.parse((await page.getAttribute('#chart-response', 'data-drawn')) ?? '[]')).toEqual([[0, 50]]);
    // Chart.js drew something: the canvas is not blank.
    const inked = await page.$eval('#chart-completion', (c) => {
      const canvas = c as unknown as Canvas;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) n += 1;
      return n;
    });
    expect(inked).toBeGreaterThan(500);

    // The visible figures.
    expect(await page.textContent('[data-figure="completion"] .value')).toBe('4 of 6 (67%)');
    expect(await page.textContent('[data-figure="families"] .value')).toBe('1 of 3 texted');
    expect(await page.textContent('[data-figure="newNeeds"] .value')).toBe('2');
    expect(await page.textContent('[data-figure="referrals"] .value')).toBe(
      '1 (1 referred, 0 connected, 0 receiving)',
    );
    const rows = await page.$$eval('#navigators tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
    );
    expect(rows.map((r) => [r[0], r[2], r[5], r[6], r[8]])).toEqual([
      ['Ana Navarro', '2', '1', '1', 'yes'],
      ['Ben Brooks', '2', '0', '0', ''],
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // The needs list, filtered to one area through the page's own form.
    await page.click('nav a[href^="/dashboard/s/S1/needs"]');
    expect(await page.locator('#needs tbody tr').count()).toBe(4);
    await page.selectOption('select[name="area"]', 'food_security');
    await Promise.all([page.waitForURL(/area=food_security/), page.click('#filters button')]);
    const needs = await page.$$eval('#needs tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
    );
    expect(needs.map((r) => [r[0], r[4], r[5]])).toEqual([
      ['Maya L.', 'Food', 'high'],
      ['Nia O.', 'Food', 'medium'],
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-needs.png'), fullPage: true });

    // Drill-down to one navigator's caseload.
    await page.goto(`${origin}/dashboard/s/S1?week=${WEEK}`);
    await page.click('#navigators a:text("Ana Navarro")');
    const caseload = await page.$$eval('#caseload tbody tr td:nth-child(2)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(caseload.sort()).toEqual(EXPECTED.caseloadOfNav1);
    await page.close();
  }, 60_000);

  it('shows a clear refusal for a tampered link', async () => {
    const page = await browser.newPage();
    const response = await page.goto(
      `${origin}/dashboard?t=${encodeURIComponent(`${token.slice(0, -4)}AAAA`)}`,
    );
    expect(response?.status()).toBe(403);
    expect(await page.textContent('#reason')).toMatch(/changed after it was sent/);
    await page.close();
  });
});
