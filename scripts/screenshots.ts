/**
 * `npm run screenshots`: a simulated reader with the web output, Debian's Chromium through playwright-core, and
 * PNGs of the live view (light, dark, phone) in docs/screenshots/. Uses /usr/bin/chromium (CHROMIUM to override);
 * never downloads a browser.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startLiveReader } from '../test/dashboard-support.js';

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
} finally {
  await browser.close();
  await reader.close();
}
