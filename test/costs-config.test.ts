import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { computeMeterCosts, parsePriceCsv, planFor } from '../src/costs/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { HOUR, localToUtc } from './costs-support.js';

const docBlocks = (): string[] => [...readFileSync(new URL('../docs/costs.md', import.meta.url), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);

function badConfig(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: Error & { code?: string }) => {
    assert.equal(e.code, 'BAD_CONFIG');
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('the examples in docs/costs.md are valid tariffs and price what they say', () => {
  const blocks = docBlocks();
  assert.equal(blocks.length, 3);
  const be = parseTariffs((parseYaml(blocks[0]) as { tariffs: unknown }).tariffs);
  assert.equal(planFor(be, '1SAG1100099999'), be.plans.garage);
  assert.equal(planFor(be, 'someone-else'), be.plans.home);
  const from = localToUtc('Europe/Brussels', 2026, 6, 1);
  const report = computeMeterCosts(be, '1SAG1100042387', {
    from, to: from + HOUR,
    intervals: [{ start: from, end: from + HOUR, importWh: 1000, exportWh: 2000, importWhByTariff: { t1: 250, t2: 750 }, exportWhByTariff: { t1: 2000, t2: 0 } }],
    demand: [{ start: from, kw: 3.1 }],
  });
  // 0.25 × 0.3156 + 0.75 × 0.2712 = 0.2823; feed-in 2 × 0.045 = 0.09; 8.25 / 30 / 24 for one hour of June.
  assert.equal(report.total.energyCost, 0.2823);
  assert.equal(report.total.feedInCredit, 0.09);
  assert.equal(report.total.standingCharge, Number((8.25 / 30 / 24).toFixed(6)));
  assert.equal(report.capacity[0].billedKw, 3.1);
  const no = parseTariffs((parseYaml(blocks[1]) as { tariffs: unknown }).tariffs);
  assert.equal(Object.keys(no.plans).join(), 'elvia');
  const nl = parseTariffs((parseYaml(blocks[2]) as { tariffs: unknown }).tariffs).plans.nl.import;
  assert.deepEqual(nl.type === 'dynamic' && [nl.series, nl.mqtt, nl.format, nl.unit],
    ['nl-day-ahead', 'mqtt://user:pass@broker:1883/prices/nl', 'json', 'EUR/MWh']);
});

test('a meter without a plan among several, and an unknown time zone, are BAD_CONFIG errors', () => {
  const cfg = parseTariffs({ currency: 'EUR', timeZone: 'Europe/Brussels', meters: { a: 'x' }, plans: { x: { import: { type: 'fixed', price: 1 } }, y: { import: { type: 'fixed', price: 2 } } } });
  assert.equal(planFor(cfg, 'a'), cfg.plans.x);
  badConfig(() => planFor(cfg, 'b'), /meter "b" has no tariff plan: map it under tariffs.meters or set tariffs.default/);
  badConfig(() => computeMeterCosts({ ...cfg, timeZone: 'Mars/Olympus' }, 'a', { from: 0, to: 1, intervals: [] }), /"Mars\/Olympus" is not an IANA time zone/);
  badConfig(() => parsePriceCsv('time;EUR/MWh\n2026-01-01 00:00;1', { timeZone: 'Nowhere' }), /not an IANA time zone/);
});

test('tariff errors name the field and the fix', () => {
  const base = { currency: 'EUR', timeZone: 'Europe/Brussels', plans: { home: { import: { type: 'fixed', price: 0.3 } } } };
  badConfig(() => parseTariffs({ ...base, timeZone: 'Europe/Bruxelles' }), /field "tariffs.timeZone": not an IANA time zone/);
  badConfig(() => parseTariffs({ ...base, currency: 'euro' }), /field "tariffs.currency": write the ISO 4217 code/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'registers', t1: '0.3', t2: 0.2 } } } }), /field "tariffs.plans.home.import.t1"/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'fixed', price: 0.3 }, standing: { perDay: 1 } } } }), /tariffs.plans.home: unknown field\(s\) "standing"/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'flat', price: 0.3 } } } }), /tariffs.plans.home.import/, /fixed, registers, timeOfUse, dynamic/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'timeOfUse', rules: [{ price: 0.3, hours: ['7-21'] }] } } } }),
    /tariffs.plans.home.import.rules.0.hours.0": write local hours as "HH:MM-HH:MM"/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'timeOfUse', rules: [{ price: 0.3, days: ['monday'] }] } } } }), /tariffs.plans.home.import.rules.0.days.0/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'dynamic', series: 'x', slotMinutes: 30 } } } }), /slotMinutes is 15 or 60/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'fixed', price: 0.3 }, standingCharge: { perDay: 1, perMonth: 2 } } } }), /perDay.*or.*perMonth/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'fixed', price: 0.3 }, capacity: { type: 'norway', steps: [{ fromKw: 0, toKw: 2, pricePerMonth: 1 }, { fromKw: 3, pricePerMonth: 2 }] } } } }),
    /tariffs.plans.home.capacity.steps.0.toKw": must equal the next step's fromKw \(3\)/);
  badConfig(() => parseTariffs({ ...base, meters: { m1: 'office' } }), /tariffs.meters.m1": no plan "office"/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'timeOfUse', rules: [{ price: 1, dates: [{ from: '2026-09-01', to: '2026-08-01' }] }] } } } }),
    /tariffs.plans.home.import.rules.0.dates.0.to": from must not be after to/);
  badConfig(() => parseTariffs({ ...base, plans: { a: base.plans.home, b: base.plans.home } }), /name the default plan/);
  badConfig(() => parseTariffs({ ...base, plans: { home: { import: { type: 'fixed', price: 0.3 }, capacity: { type: 'flanders', pricePerKwYear: -1 } } } }), /pricePerKwYear": must be 0 or more/);
  // Every problem at once, not just the first.
  badConfig(() => parseTariffs({ currency: 'x', timeZone: 'y', plans: { home: { import: { type: 'fixed', price: 0.3 } } } }), /currency.*; .*timeZone/);
});

test('price CSV: ISO times, EUR/MWh converted per kWh exactly, decimal comma with ";"', () => {
  const csv = parsePriceCsv('time;price (EUR/MWh)\n2026-03-29T00:00:00+01:00;83,45\n\n# comment\n2026-03-29T01:00:00Z;-5,2\n', { currency: 'EUR' });
  assert.equal(csv.unit, 'EUR/MWh');
  assert.deepEqual(csv.slots, [{ start: Date.UTC(2026, 2, 28, 23), price: 0.08345 }, { start: Date.UTC(2026, 2, 29, 1), price: -0.0052 }]);
  const ct = parsePriceCsv('2026-01-01T00:00:00Z,12.5\n2026-01-01T00:15:00Z,13\n', { unit: 'ct/kWh' });
  assert.deepEqual(ct.slots.map((s) => s.price), [0.125, 0.13]);
  const nok = parsePriceCsv('start\tNOK/kWh\n2026-01-01T00:00:00Z\t1,0734\n');
  assert.equal(nok.slots[0].price, 1.0734);
});

test('price CSV: local times through the autumn repeat (file order) and a skipped spring time is an error', () => {
  const tz = 'Europe/Brussels';
  const rows = ['00:00', '01:00', '02:00', '02:00', '03:00'].map((h, i) => `2026-10-25 ${h};${i + 1}`);
  const csv = parsePriceCsv(`time;EUR/MWh\n${rows.join('\n')}`, { timeZone: tz });
  assert.deepEqual(csv.slots.map((s) => (s.start - Date.UTC(2026, 9, 24, 22)) / HOUR), [0, 1, 2, 3, 4]);
  badConfig(() => parsePriceCsv('time;EUR/MWh\n2026-03-29 02:30;4', { timeZone: tz, source: 'prices.csv' }), /prices.csv line 2: 2026-03-29 02:30 does not exist in Europe\/Brussels/);
  badConfig(() => parsePriceCsv('time;EUR/MWh\n2026-03-29 01:30;4'), /line 2: .* is a local time: give the time zone/);
});

test('price CSV errors name the line', () => {
  const src = { source: 'prices.csv', unit: 'EUR/MWh' };
  badConfig(() => parsePriceCsv('2026-01-01T00:00:00Z;1\n2026-01-01T01:00:00Z;12,x', src), /prices.csv line 2: "12,x" is not a number/);
  badConfig(() => parsePriceCsv('2026-01-01T00:00:00Z;1\nyesterday;2', src), /line 2: "yesterday" is not a time/);
  badConfig(() => parsePriceCsv('2026-02-30T00:00:00Z;1', src), /line 1: .* not a valid date/);
  badConfig(() => parsePriceCsv('2026-01-01T00:00:00Z;1\n\n2026-01-01T01:00:00+01:00;2', src), /line 3: the slot at 2026-01-01T00:00:00.000Z was already given on line 1/);
  badConfig(() => parsePriceCsv('2026-01-01T00:00:00Z;', src), /line 1: the price is empty/);
  badConfig(() => parsePriceCsv('2026-01-01T00:00:00Z', src), /line 1: expected a time and a price/);
  badConfig(() => parsePriceCsv('2026-01-01T00:00:00Z,1,5', src), /line 1: expected 2 fields separated by ",", found 3 \(a decimal comma\?/);
  // Extra columns are fine when the header has them.
  assert.equal(parsePriceCsv('start,price EUR/MWh,area\n2026-01-01T00:00:00Z,1.5,BE', src).slots[0].price, 0.0015);
  badConfig(() => parsePriceCsv('time;price\n2026-01-01T00:00:00Z;1'), /say the price unit/);
  badConfig(() => parsePriceCsv('time;NOK/MWh\n2026-01-01T00:00:00Z;1', { currency: 'EUR' }), /prices are in NOK .* tariffs are in EUR/);
  badConfig(() => parsePriceCsv('# nothing\n\n', src), /no price rows/);
});
