/**
 * The live stream in real Chromium (Debian's, through playwright-core). Eight tabs of one browser on a reader fed
 * by simulated meters share one stream (a browser opens at most 6 HTTP/1.1 connections per origin): all show live
 * power that changes, each may show another meter, and when the tab holding the stream closes another takes
 * over. The capacity headroom follows the live stream without the page asking again. No console error (CSP
 * included). Skipped when /usr/bin/chromium is absent; under CI=true that is a failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createDashboard } from '../src/dashboard/server.js';
import { parseTariffs } from '../src/costs/index.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { requireService } from './support/services.js';
import { quietLog, startLiveReader, type LiveReader } from './dashboard-support.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = await requireService('chromium', () => existsSync(CHROMIUM), `install Debian's chromium (${CHROMIUM}); playwright never downloads one here`);

let browser: Browser;
let reader: LiveReader;

before(async () => {
  if (skip) return;
  reader = await startLiveReader(['at-evn-sagemcom-t210d', 'nl-dsmr5'], 200);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await reader?.close();
});

function exactly(text: string | null): RegExp {
  return new RegExp(`^${(text ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Resolves once the page's text of `selector` differs from what it is now. */
async function changes(page: Page, selector: string, timeout = 20_000): Promise<void> {
  const now = await page.locator(selector).textContent();
  await page.locator(selector).filter({ hasNotText: exactly(now) }).waitFor({ timeout });
}

const POWER = /^\d[\d,.]* k?W$/;

test('eight tabs share one live stream; each shows live power that changes; closing the stream\'s tab, the others go on', { skip }, async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  const errors: string[] = [];
  const pages: Page[] = [];
  const hub = reader.sink.dashboard.hub;
  try {
    for (let i = 0; i < 8; i++) {
      const page = await ctx.newPage();
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`tab ${i}: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(`tab ${i}: ${e.message}`));
      await page.goto(reader.url);
      // One tab after the other: the first holds the stream.
      await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
      pages.push(page);
    }
    // Eight tabs, one connection to the live stream.
    assert.equal(hub.clients(), 1);
    // The 8th tab shows the other meter (its own choice; the 7th stays on the first).
    const dsmr = reader.meters.find((m) => m.startsWith('E00')) as string;
    const evn = reader.meters.find((m) => m !== dsmr) as string;
    const first = await pages[6].locator('#meter').inputValue();
    const other = first === dsmr ? evn : dsmr;
    await pages[7].locator('#meter').selectOption(other);
    await pages[7].locator('#readings').filter({ hasText: other === dsmr ? 'E0044007382246019' : '178210193075' }).waitFor({ state: 'attached' });
    assert.equal(await pages[6].locator('#meter').inputValue(), first);
    // Live values in every tab: each new message's time in the status, the import power moving with the model.
    await Promise.all(pages.map(async (p) => {
      assert.match(await p.locator('#power-import').textContent() ?? '', POWER);
      await changes(p, '#status', 10_000);
      await changes(p, '#power-import');
    }));
    assert.match(await pages[7].locator('#status').textContent() ?? '', /^live · last message \d\d:\d\d:\d\d$/);

    // The first tab holds the stream; closed, another tab opens it, and all the others go on.
    await pages[0].close();
    const rest = pages.slice(1);
    await Promise.all(rest.map(async (p) => { await changes(p, '#status', 10_000); await changes(p, '#power-import'); }));
    while (hub.clients() !== 1) await new Promise((r) => setTimeout(r, 20));
    // A tab opened now still gets values at once (from the tab that holds the stream now).
    const late = await ctx.newPage();
    late.on('console', (m) => { if (m.type() === 'error') errors.push(`late tab: ${m.text()}`); });
    late.on('pageerror', (e) => errors.push(`late tab: ${e.message}`));
    await late.goto(reader.url);
    await late.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
    await changes(late, '#power-import');
    assert.equal(hub.clients(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('the capacity headroom shown follows the live stream: it changes with new messages, without the page asking again', { skip }, async (t) => {
  const ZONE = 'Europe/Brussels';
  const Q = 15 * 60_000;
  // A fixed clock near the end of the running quarter: the messages below fall in that quarter, before it.
  const now = Math.floor(Date.now() / Q) * Q + Q - 1000;
  const tariffs = parseTariffs({ currency: 'EUR', timeZone: ZONE, plans: { home: {
    import: { type: 'fixed', price: 0.3 }, capacity: { type: 'flanders', pricePerKwYear: 50, minimumKw: 2.5 } } } });
  const dash = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, tariffs, now: () => now, headroomIntervalMs: 200, timeZone: ZONE });
  await dash.listen();
  t.after(() => dash.close());
  let wh = 2_000_000;
  let at = now - Q + 10_000;
  const r = (obis: string, id: string, name: string, value: number, unit: string) => ({ obis, id, name, value, unit, quality: [] });
  const feed = (stepWh: number) => {
    at += 1000;
    wh += stepWh;
    const m: MeterMessage = { meter: { id: 'CAP-1' }, timestamp: new Date(at).toISOString(), format: 'dsmr', issues: [],
      readings: [r('1-0:1.8.0', 'energy_import', 'Active energy import (+A)', wh, 'Wh'), r('1-0:1.7.0', 'power_import', 'Active power import (+P)', stepWh * 3600, 'W')] };
    dash.record([m], at);
  };
  feed(0);
  feed(3);

  const ctx = await browser.newContext({ locale: 'en-GB', timezoneId: ZONE });
  const page = await ctx.newPage();
  const errors: string[] = [];
  let asked = 0;
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (q) => { if (new URL(q.url()).pathname.endsWith('/api/headroom')) asked++; });
  try {
    await page.goto(`${dash.url()}?meter=CAP-1`);
    const value = page.locator('#headroom-value');
    await value.filter({ hasText: /^\d[\d,.]* kWh$/ }).waitFor({ timeout: 10_000 });
    await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor();
    const askedBefore = asked;
    // New messages: the quarter's headroom shrinks by what they drew, on the page as the stream brings it.
    for (let round = 0; round < 2; round++) {
      const shown = await value.textContent();
      const feeding = setInterval(() => feed(2), 100);
      try {
        await value.filter({ hasNotText: exactly(shown) }).waitFor({ timeout: 10_000 });
      } finally {
        clearInterval(feeding);
      }
    }
    // Once the messages stop, the page shows what /api/headroom says (the last run comes after the last message).
    const api = (await dash.app.inject({ url: '/api/headroom?meter=CAP-1' })).json();
    assert.ok(api.drawnWh > 3 && api.remainingWh < api.allowedWh, JSON.stringify(api));
    const kwh = `${new Intl.NumberFormat('en-GB', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(api.remainingWh / 1000)} kWh`;
    await value.filter({ hasText: exactly(kwh) }).waitFor({ timeout: 10_000 });
    assert.equal(asked, askedBefore, 'the changes came on the live stream, not from /api/headroom');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});
