/**
 * `npm run screenshots`: a simulated reader with the web output, Debian's Chromium through playwright-core, and
 * PNGs of the live view (light, dark, phone) in docs/screenshots/; then a week of simulated history written to a
 * temporary SQLite store through the SQL output, served with tariffs, for the History view (a day with a dragged
 * selection, a week in German and dark). Uses /usr/bin/chromium (CHROMIUM to override); never downloads a browser.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { createWebSink } from '../src/sinks/web/index.js';
import { context, simulatedMessages, startLiveReader, writeSqlHistory } from '../test/dashboard-support.js';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM=/path`);
  process.exit(1);
}
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });
const reader = await startLiveReader(['at-evn-sagemcom-t210d', 'nl-dsmr5'], 500, { historyMs: 15 * 60_000 });
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const shots: Array<[string, { width: number; height: number }, 'light' | 'dark', string]> = [
    ['live-light.png', { width: 1280, height: 900 }, 'light', 'en-GB'],
    ['live-dark.png', { width: 1280, height: 900 }, 'dark', 'de-DE'],
    ['live-phone.png', { width: 390, height: 844 }, 'light', 'en-GB'],
  ];
  for (const [file, viewport, colorScheme, locale] of shots) {
    const context = await browser.newContext({ viewport, colorScheme, locale, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
    const page = await context.newPage();
    await page.goto(reader.url);
    await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor();
    await page.waitForTimeout(3000);
    await page.screenshot({ path: `${out}/${file}`, fullPage: viewport.width < 500 });
    await context.close();
    console.log(`${out}/${file}`);
  }
  await historyShots(browser);
} finally {
  await browser.close();
  await reader.close();
}

async function historyShots(b: Browser): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-shots-'));
  const url = `sqlite:${join(dir, 'meterwire.db')}`;
  const now = Date.now();
  const step = 5 * 60_000;
  const times = Array.from({ length: (8 * 86_400_000) / step }, (_, i) => now - 8 * 86_400_000 + (i + 1) * step);
  await writeSqlHistory(`${url}?tz=Europe/Amsterdam`, simulatedMessages('nl-dsmr5', times));
  const tariffs = parseTariffs({ currency: 'EUR', timeZone: 'Europe/Amsterdam', plans: { home: {
    import: { type: 'registers', t1: 0.28, t2: 0.24 }, export: { type: 'fixed', price: 0.07 }, standingCharge: { perMonth: 9.5 } } } });
  const sink = createWebSink(`web://127.0.0.1:0?store=${encodeURIComponent(url)}`, context(), { tariffs });
  await sink.open();
  try {
    const shots: Array<[string, 'light' | 'dark', string, 'day' | 'week']> = [
      ['history-day.png', 'light', 'en-GB', 'day'],
      ['history-week-dark.png', 'dark', 'de-DE', 'week'],
    ];
    for (const [file, colorScheme, locale, period] of shots) {
      const ctx = await b.newContext({ viewport: { width: 1280, height: 1100 }, colorScheme, locale, timezoneId: 'Europe/Amsterdam' });
      const page = await ctx.newPage();
      await page.goto(`${sink.dashboard.url()}#history`);
      await page.locator('#view-history[data-shown^="day:"]').waitFor();
      const shown = await page.locator('#view-history').getAttribute('data-shown');
      // Yesterday or last week: complete periods (today may have only a few hours yet).
      if (period === 'week') await page.locator('[data-period=week]').click();
      else await page.locator('#period-prev').click();
      await page.locator(`#view-history:not([data-shown="${shown}"])`).waitFor();
      if (period === 'week') {
        const week = await page.locator('#view-history').getAttribute('data-shown');
        await page.locator('#period-prev').click();
        await page.locator(`#view-history:not([data-shown="${week}"])`).waitFor();
      }
      const box = (await page.locator('#energy-chart .u-over').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      await page.locator('#selection-value').filter({ hasText: /€/ }).waitFor();
      await page.screenshot({ path: `${out}/${file}`, fullPage: true });
      await ctx.close();
      console.log(`${out}/${file}`);
    }
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
