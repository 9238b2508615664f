/**
 * Dynamic prices from a CSV file named in the tariffs (`file:`): the dashboard reads it, re-reads it when it
 * changes, and /api/costs prices each quarter with its slot. Each expectation is Σ price × kWh computed here from
 * the messages written to the store; a slot the file lacks, or a file that does not parse, leaves energy unpriced
 * and flagged, never priced at 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDashboard, type Dashboard } from '../src/dashboard/server.js';
import { createSqlHistory } from '../src/dashboard/sql-history.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import type { SinkLog } from '../src/sinks/types.js';
import { energyFromMessages, VIENNA, viennaHistory, type HistoryFixture } from './dashboard-support.js';

const Q = 15 * 60_000;
// 28 March 2026 in Vienna: 24 hours, 96 quarters, from 00:00 CET (23:00 UTC the day before).
const DAY = VIENNA.mar[1];
const MISSING = 78; // 19:30–19:45 local (at noon the simulated household may be exporting)
let fx: HistoryFixture;
let dash: Dashboard;
let dir: string;
let file: string;
const errors: string[] = [];
const log: SinkLog = { info: () => undefined, warn: () => undefined, error: (m) => { errors.push(m); } };

/** Price of quarter i in EUR/MWh, in hundredths (an integer, so the test's sum is exact). */
const centiMwh = (i: number) => 5000 + i * 125 + (i % 7) * 3;
const localTime = (i: number) => `2026-03-28 ${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`;
const decimalComma = (c: number) => `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')}`;

function writePrices(skip: readonly number[], mtimeSeconds: number): void {
  const rows = Array.from({ length: 96 }, (_, i) => i).filter((i) => !skip.includes(i)).map((i) => `${localTime(i)};${decimalComma(centiMwh(i))}`);
  writeFileSync(file, `time;price (EUR/MWh)\n${rows.join('\n')}\n`);
  // An explicit modification time, so the re-read does not depend on the clock's resolution.
  utimesSync(file, mtimeSeconds, mtimeSeconds);
}

const whOf = (from: number, to: number) => energyFromMessages(fx.messages, fx.dlms, 'import', from, to);
const money = (x: number) => Math.round(x * 1e6) / 1e6;

/** Σ price × kWh over the day's quarters except `skip`, in EUR. Wh × (EUR/MWh ×100) / 1e8. */
function expectedCost(skip: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 96; i += 1) if (!skip.includes(i)) sum += whOf(DAY + i * Q, DAY + (i + 1) * Q) * centiMwh(i);
  return money(sum / 1e8);
}

before(async () => {
  fx = await viennaHistory(5 * 60_000);
  dir = mkdtempSync(join(tmpdir(), 'meterwire-prices-'));
  file = join(dir, 'spot.csv');
  writePrices([MISSING], 1_700_000_000);
  const tariffs = parseTariffs({
    currency: 'EUR', timeZone: VIENNA.zone,
    plans: { spot: { import: { type: 'dynamic', series: 'epex', slotMinutes: 15, file } } },
  });
  dash = createDashboard({ host: '127.0.0.1', port: 0, log, history: createSqlHistory(fx.url), tariffs, now: () => DAY + 30 * 3_600_000 });
});
after(async () => {
  await dash?.close();
  fx?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dayCosts = async () => {
  const res = await dash.app.inject({ url: `/api/costs?meter=${fx.dlms}&from=${DAY}&to=${VIENNA.mar[2]}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().range;
};

test('prices: a CSV of 15-minute prices prices each quarter; the quarter the file lacks is flagged, not 0', async () => {
  const range = await dayCosts();
  assert.equal(range.from, new Date(DAY).toISOString());
  assert.equal(range.to, new Date(VIENNA.mar[2]).toISOString());
  const missingWh = whOf(DAY + MISSING * Q, DAY + (MISSING + 1) * Q);
  assert.ok(missingWh > 0, 'the meter drew energy in the quarter without a price');
  assert.equal(range.energyCost, expectedCost([MISSING]));
  assert.notEqual(range.energyCost, expectedCost([]), 'the missing quarter is not priced');
  assert.equal(range.complete, false);
  assert.deepEqual(range.flags.map((f: { reason: string; direction: string; from: string; to: string }) => [f.reason, f.direction, f.from, f.to]),
    [['missing-price', 'import', new Date(DAY + MISSING * Q).toISOString(), new Date(DAY + (MISSING + 1) * Q).toISOString()]]);
  assert.equal(Math.round(range.flags[0].wh * 1e3), Math.round(missingWh * 1e3));
  assert.deepEqual(errors, []);
});

test('prices: the file is re-read when it changes; a file that does not parse is logged with its line and leaves the day unpriced', async () => {
  writePrices([], 1_700_000_100);
  const full = await dayCosts();
  assert.equal(full.energyCost, expectedCost([]));
  assert.equal(full.complete, true);
  assert.deepEqual(full.flags, []);

  writeFileSync(file, 'time;price (EUR/MWh)\n2026-03-28 00:00;50,00\n2026-03-28 00:15;12,x\n');
  utimesSync(file, 1_700_000_200, 1_700_000_200);
  const broken = await dayCosts();
  assert.equal(broken.energyCost, 0);
  assert.equal(broken.complete, false);
  // All the day's import is flagged (in stretches: quarters without import, e.g. while exporting, need no price).
  assert.ok(broken.flags.length >= 1);
  assert.ok(broken.flags.every((f: { reason: string; direction: string }) => f.reason === 'missing-price' && f.direction === 'import'));
  const flaggedWh = broken.flags.reduce((s: number, f: { wh: number }) => s + f.wh, 0);
  assert.equal(Math.round(flaggedWh * 1e3), Math.round(whOf(DAY, VIENNA.mar[2]) * 1e3));
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /spot\.csv line 3: "12,x" is not a number/);
  assert.match(errors[0], /series "epex" is unpriced/);
  // Logged once, not on every request.
  await dayCosts();
  assert.equal(errors.length, 1);

  rmSync(file);
  await dayCosts();
  assert.match(errors[1] ?? '', /cannot read the price file .*spot\.csv of series "epex" \(ENOENT\)/);
});
