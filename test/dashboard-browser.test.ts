/**
 * The dashboard in a real browser: Debian's Chromium through playwright-core, against the real reader fed by
 * simulated meters (sim: source → reader → fan-out → web output). Live power appears and changes as frames
 * arrive; eight tabs of one browser share one live stream (a browser opens at most 6 HTTP/1.1 connections per
 * origin) and go on when the tab holding it closes; the capacity headroom follows the stream; meter switching,
 * keyboard focus, German labels, dark mode, a phone-sized viewport, and no console error (a CSP violation is one). Skipped when /usr/bin/chromium is absent; under CI=true that is a failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { createDashboard } from '../src/dashboard/server.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { chromiumSkip, exactly, launchChromium, quietLog, startLiveReader, watchedPage, watchErrors, type LiveReader } from './dashboard-support.js';

const skip = await chromiumSkip();

let browser: Browser;
let reader: LiveReader;

before(async () => {
  if (skip) return;
  // Two meters, one frame every 200 ms each (the meters' clocks have whole seconds: a new value every second).
  reader = await startLiveReader(['at-evn-sagemcom-t210d', 'nl-dsmr5'], 200);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await reader?.close();
});

/** A page on the dashboard that records every console error and uncaught exception. */
async function open(options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[]; done(): Promise<void> }> {
  const { page, errors, close } = await watchedPage(browser, options);
  await page.goto(reader.url);
  await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
  return { page, errors, done: close };
}

const POWER = /^\d[\d,.]* k?W$/;
// Import and export power together: the simulated household exports around midday (its import is then 0 W for
// hours), so a check that the live power moves watches both.
const LIVE_POWER = '#view-live .big';

test('the live power appears and changes as frames arrive; no console errors', { skip }, async () => {
  const { page, errors, done } = await open();
  const first = await page.locator('#power-import').textContent();
  assert.match(first ?? '', POWER);
  const status = await page.locator('#status').textContent();
  // Values follow the frames: the status names each new message's time, the import power moves with the model.
  // (Locators, not waitForFunction: the page's CSP forbids the eval that a string predicate needs.)
  await page.locator('#status').filter({ hasNotText: exactly(status) }).waitFor({ timeout: 10_000 });
  await changes(page, LIVE_POWER);
  assert.match(await page.locator('#power-export').textContent() ?? '', POWER);
  assert.match(await page.locator('#status').textContent() ?? '', /^live · last message \d\d:\d\d:\d\d$/);
  // The chart is drawn (a canvas with a size) and the health panel shows the reader's state.
  const canvas = await page.locator('#chart canvas').boundingBox();
  assert.ok(canvas && canvas.width > 300 && canvas.height > 100, JSON.stringify(canvas));
  await page.locator('#health').filter({ hasText: 'OK' }).waitFor();
  assert.match(await page.locator('#outputs').textContent() ?? '', /web-1\s*up/);
  assert.deepEqual(errors, []);
  await done();
});

/** The value of `get()` once it is `want`, or what it is after 5 s. */
async function settled<T>(get: () => T, want: T): Promise<T> {
  for (let i = 0; i < 250 && get() !== want; i++) await new Promise((r) => setTimeout(r, 20));
  return get();
}

/** Resolves once the page's text of `selector` differs from what it is now. */
async function changes(page: Page, selector: string, timeout = 20_000): Promise<void> {
  const now = await page.locator(selector).textContent();
  await page.locator(selector).filter({ hasNotText: exactly(now) }).waitFor({ timeout });
}

test('eight tabs share one live stream; each shows live power that changes; closing the stream\'s tab, the others go on', { skip }, async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  const errors: string[] = [];
  const pages: Page[] = [];
  const hub = reader.sink.dashboard.hub;
  try {
    for (let i = 0; i < 8; i++) {
      const page = watchErrors(await ctx.newPage(), errors, `tab ${i}: `);
      await page.goto(reader.url);
      // One tab after the other: the first holds the stream.
      await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
      pages.push(page);
    }
    // Eight tabs, one connection to the live stream (a closed page of another test may take a moment to leave).
    assert.equal(await settled(() => hub.clients(), 1), 1);
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
      await changes(p, LIVE_POWER);
    }));
    assert.match(await pages[7].locator('#status').textContent() ?? '', /^live · last message \d\d:\d\d:\d\d$/);

    // The first tab holds the stream; closed, another tab opens it, and all the others go on.
    await pages[0].close();
    const rest = pages.slice(1);
    await Promise.all(rest.map(async (p) => { await changes(p, '#status', 10_000); await changes(p, LIVE_POWER); }));
    assert.equal(await settled(() => hub.clients(), 1), 1, 'the new holder\'s stream, the old one closed');
    // A tab opened now still gets values at once (from the tab that holds the stream now).
    const late = watchErrors(await ctx.newPage(), errors, 'late tab: ');
    await late.goto(reader.url);
    await late.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
    await changes(late, LIVE_POWER);
    assert.equal(hub.clients(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('without Web Locks (plain HTTP on a LAN address) eight tabs elect one holder of the stream; closed, another takes it', { skip }, async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  // Off a secure context navigator.locks is undefined: the same here, before the page's scripts run.
  // (A string: a function would be sent as tsx compiled it, helpers the page does not have included.)
  await ctx.addInitScript("Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined })");
  const errors: string[] = [];
  const hub = reader.sink.dashboard.hub;
  try {
    const before = await settled(() => hub.clients(), 0);
    const pages: Page[] = [];
    for (let i = 0; i < 8; i++) {
      const page = watchErrors(await ctx.newPage(), errors, `tab ${i}: `);
      await page.goto(reader.url);
      await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate('typeof navigator.locks'), 'undefined');
      pages.push(page);
    }
    assert.equal(await settled(() => hub.clients(), before + 1), before + 1, 'one stream for eight tabs');
    const dsmr = reader.meters.find((m) => m.startsWith('E00')) as string;
    const other = reader.meters.find((m) => m !== dsmr) as string;
    await pages[0].locator('#meter').selectOption(dsmr);
    await pages[7].locator('#meter').selectOption(other);
    await pages[0].locator('#readings').filter({ hasText: 'E0044007382246019' }).waitFor({ state: 'attached' });
    await pages[7].locator('#readings').filter({ hasText: '178210193075' }).waitFor({ state: 'attached' });
    await Promise.all(pages.map((p) => changes(p, '#status', 10_000)));
    // The first tab took the stream (no answer to its arrival); closed, another takes it and all go on.
    await pages[0].close({ runBeforeUnload: true });
    const rest = pages.slice(1);
    await Promise.all(rest.map(async (p) => { await changes(p, '#status', 15_000); await changes(p, LIVE_POWER); }));
    assert.equal(await settled(() => hub.clients(), before + 1), before + 1, 'the new holder\'s stream, the old one closed');
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

  const { page, errors, close } = await watchedPage(browser, { timezoneId: ZONE });
  let asked = 0;
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
    await close();
  }
});

test('switching meters: the other meter\'s values, phases and readings; controls reachable by keyboard', { skip }, async () => {
  const { page, errors, done } = await open();
  const select = page.locator('#meter');
  await page.locator('#meter option').nth(1).waitFor({ state: 'attached' });
  const options = await page.evaluate("[...document.querySelectorAll('#meter option')].map((o) => o.value)") as string[];
  assert.deepEqual(options.sort(), [...reader.meters].sort());
  const dsmr = reader.meters.find((m) => m.startsWith('E00')) as string;
  const evn = reader.meters.find((m) => m !== dsmr) as string;
  await select.selectOption(evn);
  await page.locator('#readings').filter({ hasText: '178210193075' }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#phases').filter({ hasText: 'Power import' }).count(), 0, 'EVN list: no per-phase power');

  // Keyboard: Tab reaches the meter switcher and the language switch, each with its label.
  await page.locator('body').focus();
  const focused: string[] = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    focused.push(await page.evaluate("document.activeElement ? document.activeElement.id : ''") as string);
  }
  assert.ok(focused.includes('meter') && focused.includes('lang'), focused.join(','));
  assert.equal(await page.locator('label[for="meter"]').count(), 1);
  assert.equal(await page.locator('label[for="lang"]').count(), 1);

  await select.focus();
  await select.selectOption(dsmr);
  await page.locator('#readings').filter({ hasText: 'E0044007382246019' }).waitFor({ state: 'attached' });
  await page.locator('#phases').filter({ hasText: 'Power import' }).waitFor();
  // DSMR sends kW: shown in W, so a few hundred watts are not "0 W".
  const watts = async (id: string) => Number((await page.locator(id).textContent())?.replace(/[^\d]/g, ''));
  const [imported, exported] = [await watts('#power-import'), await watts('#power-export')];
  assert.ok(Math.max(imported, exported) > 1, `import ${imported} W, export ${exported} W`);
  assert.deepEqual(errors, []);
  await done();
});

test('German labels from the browser\'s language, and the switch back to English', { skip }, async () => {
  const { page, errors, done } = await open({ locale: 'de-AT' });
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  assert.equal(await page.locator('.import .label').textContent(), 'Bezug');
  await page.locator('#readings').filter({ hasText: /Spannung L1|Wirkleistung/ }).waitFor({ state: 'attached' });
  await page.locator('#lang').selectOption('en');
  assert.equal(await page.locator('.import .label').textContent(), 'Import');
  assert.deepEqual(errors, []);
  await done();
});

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test('light and dark follow the system colour scheme', { skip }, async () => {
  const { page, errors, done } = await open({ colorScheme: 'light' });
  const bg = async () => await page.evaluate('getComputedStyle(document.body).backgroundColor') as string;
  assert.ok(luminance(await bg()) > 0.8, await bg());
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.ok(luminance(await bg()) < 0.2, await bg());
  const fg = await page.evaluate('getComputedStyle(document.body).color') as string;
  assert.ok(luminance(fg) > 0.8, fg);
  assert.deepEqual(errors, []);
  await done();
});

test('a phone-sized viewport: no horizontal scrolling, the big values fit', { skip }, async () => {
  const { page, errors, done } = await open({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.locator('#health').filter({ hasText: 'OK' }).waitFor();
  const { scroll, client } = await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })') as { scroll: number; client: number };
  assert.ok(scroll <= client, `page is ${scroll} px wide in a ${client} px viewport`);
  const box = await page.locator('#power-import').boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  const chart = await page.locator('#chart canvas').boundingBox();
  assert.ok(chart && chart.x + chart.width <= 360, JSON.stringify(chart));
  assert.deepEqual(errors, []);
  await done();
});

test('frequency, power factor per phase and values in kW where a meter sends them', { skip }, async () => {
  // No simulated profile sends the frequency: one hand-made message for a third meter.
  const r = (obis: string, id: string, name: string, value: number, unit?: string) => ({ obis, id, name, value, unit, quality: [] });
  reader.sink.dashboard.record([{
    meter: { id: 'FREQ-1', manufacturer: 'TST' }, timestamp: new Date().toISOString(), format: 'dsmr', issues: [],
    readings: [r('1-0:1.7.0', 'power_import', 'Active power import (+P)', 12.345, 'kW'), r('1-0:2.7.0', 'power_export', 'Active power export (-P)', 0, 'kW'),
      r('1-0:14.7.0', 'frequency', 'Frequency', 49.98, 'Hz'), r('1-0:13.7.0', 'power_factor', 'Power factor', 0.95),
      r('1-0:33.7.0', 'power_factor_l1', 'Power factor', 0.91), r('1-0:32.7.0', 'voltage_l1', 'Voltage L1', 229.9, 'V')],
  }]);
  const { page, errors, done } = await open();
  await page.locator('#meter option[value="FREQ-1"]').waitFor({ state: 'attached', timeout: 10_000 });
  await page.locator('#meter').selectOption('FREQ-1');
  await page.locator('#extra-frequency').filter({ hasText: '49.98 Hz' }).waitFor();
  assert.equal(await page.locator('#power-import').textContent(), '12.35 kW');
  assert.match(await page.locator('#extra-power_factor').textContent() ?? '', /Power factor\s*0\.950/);
  assert.match(await page.locator('#phases').textContent() ?? '', /Power factor\s*0\.910/);
  assert.deepEqual(errors, []);
  await done();
});
