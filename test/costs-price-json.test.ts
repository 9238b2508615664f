/**
 * The JSON price payload (an MQTT price publisher's array of { start, price } slots), merging slots by start time,
 * and the tariff fields of an MQTT price source. The DST days are written out with their offsets here, not
 * computed by the code under test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSlotSpacing, computeCosts, mergePriceSlots, parsePriceJson, parsePricePayload } from '../src/costs/index.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import type { EnergyInterval } from '../src/costs/index.js';

const Q = 15 * 60_000;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The quarters of a local day in Europe/Amsterdam as ISO strings with their offsets. `switchUtc` is the instant
 * the clock changes, `before`/`after` the offsets in hours on either side.
 */
function amsterdamQuarters(startUtc: number, count: number, switchUtc: number, before: number, after: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const t = startUtc + i * Q;
    const off = t < switchUtc ? before : after;
    const wall = new Date(t + off * 3_600_000);
    return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:00+${pad(off)}:00`;
  });
}

// 25 October 2026 in Amsterdam: 00:00 CEST = 24 Oct 22:00 UTC; at 01:00 UTC the clock goes from 03:00 back to 02:00.
const OCT_START = Date.UTC(2026, 9, 24, 22);
const OCT_END = Date.UTC(2026, 9, 25, 23);
const octStarts = amsterdamQuarters(OCT_START, 100, Date.UTC(2026, 9, 25, 1), 2, 1);
// 29 March 2026: 00:00 CET = 28 Mar 23:00 UTC; at 01:00 UTC the clock jumps from 02:00 to 03:00.
const MAR_START = Date.UTC(2026, 2, 28, 23);
const marStarts = amsterdamQuarters(MAR_START, 92, Date.UTC(2026, 2, 29, 1), 1, 2);

/** Price of quarter i in hundred-thousandths of EUR/kWh: an integer, so sums in the test are exact. */
const priceE5 = (i: number) => 21000 + i * 37 - (i % 5) * 11;
const decimal = (e5: number) => `${Math.floor(e5 / 100000)}.${String(e5 % 100000).padStart(5, '0')}`;

test('price JSON: 25 October 2026 in Amsterdam has 100 quarters; both 02:00 hours are distinct slots and the day prices completely', () => {
  assert.equal(octStarts.filter((s) => s.startsWith('2026-10-25T02:00')).length, 2);
  // Numbers and decimal strings mixed, as publishers do either; an extra field is ignored.
  const payload = JSON.stringify(octStarts.map((start, i) => (i % 2 === 0
    ? { start, price: decimal(priceE5(i)) }
    : { start, price: Number(decimal(priceE5(i))), currency: 'EUR' })));
  const { slots, unit } = parsePriceJson(payload, { currency: 'EUR' });
  assert.equal(unit, 'EUR/kWh');
  assert.equal(slots.length, 100);
  slots.forEach((s, i) => {
    assert.equal(s.start, OCT_START + i * Q, `slot ${i} starts at ${octStarts[i]}`);
    assert.equal(s.price, priceE5(i) / 100000);
  });
  assert.equal(slots.at(-1)!.start + Q, OCT_END);
  assert.equal(slots.find((s) => s.start === Date.UTC(2026, 9, 25, 0))!.price, priceE5(8) / 100000); // 02:00+02:00
  assert.equal(new Date(slots[12].start).toISOString(), '2026-10-25T01:00:00.000Z'); // 02:00+01:00

  // 250 Wh in every quarter: the day costs Σ price / 4 exactly, and nothing is unpriced.
  const intervals: EnergyInterval[] = slots.map((s) => ({ start: s.start, end: s.start + Q, importWh: 250, exportWh: 0 }));
  const plan = parseTariffs({ currency: 'EUR', timeZone: 'Europe/Amsterdam',
    plans: { nl: { import: { type: 'dynamic', series: 'nl', slotMinutes: 15 } } } }).plans.nl;
  const report = computeCosts(plan, 'EUR', 'Europe/Amsterdam', { from: OCT_START, to: OCT_END, intervals, prices: { nl: slots } });
  // Σ price × 0.25 kWh = S / 400 000 EUR with S = Σ price_e5, rounded once to micro-euros: round(S × 2.5) / 1e6.
  const S = octStarts.reduce((sum, _s, i) => sum + priceE5(i), 0);
  assert.equal(report.days.length, 1);
  assert.equal(report.days[0].label, '2026-10-25');
  assert.equal(report.days[0].importWh, 25_000);
  assert.equal(report.total.energyCost, Math.round(S * 2.5) / 1e6);
  assert.equal(report.total.complete, true);
  assert.deepEqual(report.flags, []);
});

test('price JSON: 29 March 2026 in Amsterdam has 92 quarters across the spring jump; EUR/MWh and ct/kWh convert exactly', () => {
  assert.equal(marStarts.some((s) => s.startsWith('2026-03-29T02:')), false);
  const mwh = parsePriceJson(JSON.stringify(marStarts.map((start, i) => ({ start, price: `${80 + i}.45` }))), { currency: 'EUR', unit: 'EUR/MWh' });
  assert.equal(mwh.slots.length, 92);
  mwh.slots.forEach((s, i) => assert.equal(s.start, MAR_START + i * Q));
  assert.equal(mwh.slots.at(-1)!.start + Q, Date.UTC(2026, 2, 29, 22));
  assert.equal(mwh.slots[8].start, Date.UTC(2026, 2, 29, 1)); // 03:00+02:00, right after 01:45+01:00
  assert.equal(marStarts[8], '2026-03-29T03:00:00+02:00');
  assert.equal(mwh.slots[0].price, 0.08045);
  assert.equal(mwh.slots[91].price, 0.17145);
  const ct = parsePriceJson('[{"start":"2026-03-29T00:00:00Z","price":25.5},{"start":"2026-03-29T00:15:00Z","price":"-1.25"}]', { currency: 'EUR', unit: 'ct/kWh' });
  assert.deepEqual(ct.slots.map((s) => s.price), [0.255, -0.0125]);
});

test('price JSON: wrong payloads are BAD_CONFIG errors naming the slot and the fix', () => {
  const bad = (text: string, pattern: RegExp, o: Partial<Parameters<typeof parsePriceJson>[1]> = {}) =>
    assert.throws(() => parsePriceJson(text, { currency: 'EUR', source: 'prices/nl', ...o }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'BAD_CONFIG');
      assert.match(err.message, pattern);
      return true;
    });
  bad('2026-10-25T00:00:00+02:00;0.2', /^prices\/nl: not JSON/);
  bad('{"start":"2026-10-25T00:00:00+02:00","price":0.2}', /prices\/nl: expected a JSON array of slots/);
  bad('[]', /prices\/nl: no price slots/);
  bad('[1]', /prices\/nl slot 1: expected an object/);
  bad('[{"price":0.2}]', /slot 1: "start" is missing/);
  bad('[{"start":"2026-10-25T02:00:00","price":0.2}]', /slot 1: "start" "2026-10-25T02:00:00" is not an ISO 8601 time with an offset/);
  bad('[{"start":"2026-02-30T00:00:00Z","price":0.2}]', /slot 1: "start" "2026-02-30T00:00:00Z" is not an ISO 8601 time/);
  bad('[{"start":"2026-10-25T00:00:00Z"}]', /slot 1: "price" is missing/);
  bad('[{"start":"2026-10-25T00:00:00Z","price":"0,21"}]', /slot 1: "price" "0,21" is not a number or a decimal string/);
  bad('[{"start":"2026-10-25T00:00:00Z","price":true}]', /slot 1: "price" true is not a number/);
  bad('[{"start":"2026-10-25T00:00:00Z","price":null}]', /slot 1: "price" null is not a number/);
  // The same instant written two ways.
  bad('[{"start":"2026-10-25T02:00:00+02:00","price":0.2},{"start":"2026-10-25T00:00:00Z","price":0.3}]',
    /slot 2: the slot at 2026-10-25T00:00:00.000Z was already given as slot 1/);
  bad('[{"start":"2026-10-25T00:00:00Z","end":"2026-10-25T01:00:00Z","price":0.2}]',
    /slot 1: the slot from .* lasts 60 minutes, the tariff's slotMinutes is 15/, { slotMinutes: 15 });
  bad('[{"start":"2026-10-25T00:00:00Z","price":0.2}]', /prices are in NOK \(NOK\/MWh\) but the tariffs are in EUR/, { unit: 'NOK/MWh' });
  // A matching end is fine.
  assert.equal(parsePriceJson('[{"start":"2026-10-25T00:00:00Z","end":"2026-10-25T02:00:00+01:00","price":0.2}]',
    { currency: 'EUR', slotMinutes: 60 }).slots.length, 1);
});

test('price slots: a new message replaces slots by start time and adds the rest; spacing below slotMinutes is refused', () => {
  const known = [{ start: 0, price: 0.1 }, { start: Q, price: 0.2 }, { start: 2 * Q, price: 0.3 }];
  const merged = mergePriceSlots(known, [{ start: 3 * Q, price: 0.4 }, { start: Q, price: 0.25 }]);
  assert.deepEqual(merged, [{ start: 0, price: 0.1 }, { start: Q, price: 0.25 }, { start: 2 * Q, price: 0.3 }, { start: 3 * Q, price: 0.4 }]);
  assert.deepEqual(known[1], { start: Q, price: 0.2 }, 'the known slots are not changed in place');
  checkSlotSpacing(merged, 15, 'x');
  assert.throws(() => checkSlotSpacing(merged, 60, 'prices/nl'), /prices\/nl: the slots at 1970-01-01T00:00:00.000Z and 1970-01-01T00:15:00.000Z are closer than the tariff's slotMinutes \(60\)/);
  assert.throws(() => checkSlotSpacing(mergePriceSlots(merged, [{ start: 5 * 60_000, price: 1 }]), 15, 'x'), /closer than/);
});

test('price payload: the CSV format reads what a price file holds, local autumn hours in order', () => {
  const csv = 'time;price (EUR/MWh)\n2026-10-25 01:00;80,00\n2026-10-25 02:00;70,00\n2026-10-25 02:00;60,00\n2026-10-25 03:00;50,00\n';
  const slots = parsePricePayload(csv, { format: 'csv', source: 'prices/nl', timeZone: 'Europe/Amsterdam', currency: 'EUR', slotMinutes: 60 });
  assert.deepEqual(slots.map((s) => [new Date(s.start).toISOString(), s.price]), [
    ['2026-10-24T23:00:00.000Z', 0.08], ['2026-10-25T00:00:00.000Z', 0.07], ['2026-10-25T01:00:00.000Z', 0.06], ['2026-10-25T02:00:00.000Z', 0.05]]);
  assert.throws(() => parsePricePayload(csv, { format: 'json', source: 'prices/nl', timeZone: 'Europe/Amsterdam', currency: 'EUR', slotMinutes: 60 }), /prices\/nl: not JSON/);
});

test('tariffs: an MQTT price source names one topic; file and mqtt exclude each other; format and unit are checked', () => {
  const dyn = (extra: object) => ({ currency: 'EUR', timeZone: 'Europe/Amsterdam',
    plans: { nl: { import: { type: 'dynamic', series: 'nl', slotMinutes: 15, ...extra } } } });
  const ok = parseTariffs(dyn({ mqtt: 'mqtt://user:pw@broker:1883/prices/nl', format: 'csv', unit: 'EUR/MWh' })).plans.nl.import;
  assert.equal(ok.type === 'dynamic' && ok.mqtt, 'mqtt://user:pw@broker:1883/prices/nl');
  const fails = (extra: object, pattern: RegExp) => assert.throws(() => parseTariffs(dyn(extra)), (err: Error) => {
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /pw@|secret/, 'a URL in the config is not echoed');
    return true;
  });
  fails({ mqtt: 'mqtt://user:secret@broker:1883/prices/#' }, /field "tariffs\.plans\.nl\.import\.mqtt": name one topic: the wildcards/);
  fails({ mqtt: 'mqtt://broker:1883/prices/+/day' }, /import\.mqtt": name one topic/);
  fails({ mqtt: 'mqtt://user:secret@broker:1883' }, /import\.mqtt": give the broker and the topic, e\.g\. "mqtt:\/\/broker:1883\/prices\/nl"/);
  fails({ mqtt: 'http://broker/prices' }, /import\.mqtt": give the broker and the topic/);
  fails({ mqtt: 'mqtt://broker/prices', file: 'prices.csv' }, /import\.mqtt": give either "file" or "mqtt", not both/);
  fails({ file: 'prices.csv', format: 'csv' }, /import\.format": format applies to MQTT prices/);
  fails({ mqtt: 'mqtt://broker/prices', format: 'xml' }, /import\.format": format is json or csv/);
  fails({ mqtt: 'mqtt://broker/prices', unit: 'EUR' }, /import\.unit": write a price unit such as "EUR\/MWh"/);
});
