/**
 * The dashboard in a real browser: Debian's Chromium through playwright-core, against the real reader fed by
 * simulated meters (sim: source → reader → fan-out → web output). Live power appears and changes as frames
 * arrive, meter switching, keyboard focus, German labels, dark mode, a phone-sized viewport, and no console error
 * (a CSP violation is one). Skipped when /usr/bin/chromium is absent; under CI=true that is a failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { requireService } from './support/services.js';
import { startLiveReader, type LiveReader } from './dashboard-support.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = await requireService('chromium', () => existsSync(CHROMIUM), `install Debian's chromium (${CHROMIUM}); playwright never downloads one here`);

let browser: Browser;
let reader: LiveReader;

before(async () => {
  if (skip) return;
  // Two meters, one frame every 200 ms each (the meters' clocks have whole seconds: a new value every second).
  reader = await startLiveReader(['at-evn-sagemcom-t210d', 'nl-dsmr5'], 200);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await reader?.close();
});

/** A page on the dashboard that records every console error and uncaught exception. */
async function open(options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[]; done(): Promise<void> }> {
  const context = await browser.newContext({ locale: 'en-GB', ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(reader.url);
  await page.locator('#power-import').filter({ hasText: /\d/ }).waitFor({ timeout: 10_000 });
  return { page, errors, done: () => context.close() };
}

const POWER = /^\d[\d,.]* k?W$/;

function exactly(text: string | null): RegExp {
  return new RegExp(`^${(text ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

test('the live power appears and changes as frames arrive; no console errors', { skip }, async () => {
  const { page, errors, done } = await open();
  const first = await page.locator('#power-import').textContent();
  assert.match(first ?? '', POWER);
  const status = await page.locator('#status').textContent();
  // Values follow the frames: the status names each new message's time, the import power moves with the model.
  // (Locators, not waitForFunction: the page's CSP forbids the eval that a string predicate needs.)
  await page.locator('#status').filter({ hasNotText: exactly(status) }).waitFor({ timeout: 10_000 });
  await page.locator('#power-import').filter({ hasNotText: exactly(first) }).waitFor({ timeout: 20_000 });
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
  const watts = Number((await page.locator('#power-import').textContent())?.replace(/[^\d]/g, ''));
  assert.ok(watts > 1, `import power ${watts} W`);
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
