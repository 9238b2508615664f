/**
 * The History view in real Chromium (Debian's, through playwright-core) over a SQLite store holding a week of
 * simulated history written through the real SQL output, served by a web output with `?store=` and tariffs:
 * the charts draw with data in every period, a selection dragged with the mouse shows the kWh and the cost the
 * API computes for it, the costs panel shows today and this month, and no console error (CSP included).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { WebSink } from '../src/sinks/web/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { chromiumSkip, launchChromium, simulatedMessages, storeDashboard, timesUntil, watchedPage, type StoreDashboard } from './dashboard-support.js';

const skip = await chromiumSkip();
const ZONE = 'Europe/Vienna';

let browser: Browser;
let dash: StoreDashboard;
let sink: WebSink;
let meter: string;

before(async () => {
  if (skip) return;
  const messages = simulatedMessages('nl-dsmr5', timesUntil(Date.now(), 7 * 86_400_000, 5 * 60_000));
  meter = messages[0].meter.id!;
  const tariffs = parseTariffs({ currency: 'EUR', timeZone: ZONE, plans: { home: {
    import: { type: 'fixed', price: 0.25 }, standingCharge: { perDay: 0.4 }, capacity: { type: 'flanders', pricePerKwYear: 50 } } } });
  dash = await storeDashboard(messages, ZONE, { tariffs });
  sink = dash.sink;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await dash?.close();
});

const kwhText = (v: number) => `${new Intl.NumberFormat('en-GB', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(v)} kWh`;
const euroText = (v: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);

test('history: charts draw a week of stored history; a dragged range shows the API\'s kWh and cost; no console errors', { skip }, async (t) => {
  const { page, errors, close } = await watchedPage(browser, { timezoneId: ZONE, viewport: { width: 1200, height: 1000 } });
  try {
    await page.goto(`${sink.dashboard.url()}#history`);
    await page.locator('#view-history').waitFor();
    await page.locator('#period-total').filter({ hasText: /kWh/ }).waitFor({ timeout: 10_000 });
    await page.locator('#energy-chart canvas').waitFor();
    await page.locator('#power-chart canvas').waitFor();
    const marks = async () => page.evaluate(() => ['meterwire:history-energy', 'meterwire:history-power'].map((n) => performance.getEntriesByName(n).length));
    await page.waitForFunction(() => performance.getEntriesByName('meterwire:history-power').length > 0, undefined, { timeout: 10_000 });
    assert.deepEqual(await marks(), [1, 1], 'both charts got data');
    // A measurement, not an assertion (tests never assert on time): navigation → first history chart with data.
    const drawnMs = await page.evaluate(() => performance.getEntriesByName('meterwire:history-energy')[0].startTime);
    t.diagnostic(`first history chart drawn ${Math.round(drawnMs)} ms after navigation`);

    // Costs panel: today and this month, as the API says.
    const api = (await sink.dashboard.app.inject({ url: `/api/costs?meter=${meter}` })).json();
    await page.locator('#costs-section').waitFor();
    assert.equal(await page.locator('#cost-today').textContent(), euroText(api.today.total));
    assert.equal(await page.locator('#cost-month').textContent(), euroText(api.month.total));
    // The capacity tariff's headroom in the running quarter (its figure moves with the clock: only its form here).
    assert.equal(api.capacity, 'flanders');
    await page.locator('#headroom-value').filter({ hasText: /^\d[\d,.]* kWh$/ }).waitFor();
    assert.match(await page.locator('#headroom-detail').textContent() ?? '', /^more this quarter \(until \d\d:\d\d\) without a new peak; at most [\d,.]+ kW on average$/);

    // Yesterday (today may have only a few hours yet), then drag across the middle of its energy chart.
    const shownToday = await page.locator('#view-history').getAttribute('data-shown');
    assert.match(shownToday ?? '', /^day:\d+$/);
    await page.locator('#period-prev').click();
    await page.locator(`#view-history:not([data-shown="${shownToday}"])`).waitFor();
    const box = (await page.locator('#energy-chart .u-over').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 6 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 6 });
    await page.mouse.up();
    const selection = page.locator('#selection');
    await selection.waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('#selection-value').filter({ hasText: /€/ }).waitFor();
    const from = await selection.getAttribute('data-from');
    const to = await selection.getAttribute('data-to');
    assert.ok(from && to && Date.parse(to) - Date.parse(from) >= 3_600_000, `a range of some hours: ${from} – ${to}`);
    const priced = (await sink.dashboard.app.inject({ url: `/api/costs?meter=${meter}&from=${Date.parse(from)}&to=${Date.parse(to)}` })).json().range;
    assert.equal(priced.from, from);
    assert.equal(priced.to, to);
    assert.ok(priced.importKwh > 0);
    assert.equal(await page.locator('#selection-value').textContent(), `${kwhText(priced.importKwh)} · ${euroText(priced.total)}`);
    assert.equal(await page.locator('#selection-export').textContent(), `Export ${kwhText(priced.exportKwh)}`);

    // Week, month and year draw too; the week compares with the previous one (which has no data: "no data").
    for (const period of ['week', 'month', 'year']) {
      await page.locator(`[data-period=${period}]`).click();
      await page.locator(`#view-history[data-shown^="${period}:"]`).waitFor();
      assert.match(await page.locator('#period-total').textContent() ?? '', /\d kWh/);
      await page.locator('#energy-chart canvas').waitFor();
    }
    assert.equal(await page.locator('#power-section').isHidden(), true, 'no power line in the year view');
    // Today's previous day (yesterday) has data: the comparison names its kWh and the change in %.
    await page.locator('[data-period=day]').click();
    await page.locator('#view-history[data-shown^="day:"]').waitFor();
    await page.locator('#period-compare').filter({ hasText: /kWh \([+−±]\d+ %\)/ }).waitFor();
    // German labels.
    await page.locator('#lang').selectOption('de');
    await page.locator('#tab-history').filter({ hasText: 'Verlauf' }).waitFor();
    await page.locator('#tab-live').click();
    await page.locator('#view-live').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
