/**
 * Dynamic prices from MQTT topics named in the tariffs (`mqtt:`), against the real Mosquitto on 127.0.0.1:1883:
 * retained day-ahead prices (JSON, 15-minute import prices; CSV, hourly feed-in prices) price /api/costs on
 * 25 October 2026 in Vienna (25 hours); later messages merge by slot start; bad payloads are logged and change
 * nothing; credentials in the URL never reach the log. Expectations are Σ price × kWh computed here from the
 * messages written to the store, with the slot times and offsets written out here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { createDashboard, type Dashboard } from '../src/dashboard/server.js';
import { createSqlHistory } from '../src/dashboard/sql-history.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import { energyFromMessages, VIENNA, viennaHistory, type HistoryFixture } from './dashboard-support.js';
import { memoryLog, waitFor, type MemoryLog } from './fanout-support.js';
import { unique } from './sinks-mqtt-support.js';
import { canConnectTcp, requireService } from './support/services.js';

const skip = await requireService('Mosquitto on 127.0.0.1:1883', () => canConnectTcp('127.0.0.1', 1883),
  'start it (apt-get install mosquitto; service mosquitto start) for the MQTT price tests');

const BROKER = 'mqtt://127.0.0.1:1883';
const PASSWORD = 'Pr1ce-s3cret';
const Q = 15 * 60_000;
const H = 3_600_000;
// 25 October 2026 in Vienna: 00:00 CEST = 24 Oct 22:00 UTC; at 01:00 UTC the clock goes back from 03:00 to 02:00.
const DAY = VIENNA.oct[1];
const END = VIENNA.oct[2];
const SWITCH = Date.UTC(2026, 9, 25, 1);
const QUARTERS = (END - DAY) / Q; // 100
const HOURS = (END - DAY) / H; // 25
const MISSING = 78;
const pad = (n: number) => String(n).padStart(2, '0');
/** Local wall time of an instant on that day, and its offset in hours. */
function wall(t: number): { text: string; offset: number } {
  const offset = t < SWITCH ? 2 : 1;
  const w = new Date(t + offset * H);
  return { text: `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`, offset };
}
const isoAt = (t: number) => `${wall(t).text}:00+${pad(wall(t).offset)}:00`;

/** Import price of quarter i in hundredths of EUR/MWh (an integer, so the test's sums are exact). */
const centiMwh = (i: number) => 5000 + i * 125 + (i % 7) * 3;
/** Feed-in price of hour h in hundredths of ct/kWh. */
const centiCt = (h: number) => 400 + h * 13;
const dec = (c: number) => `${Math.floor(c / 100)}.${pad(c % 100)}`;

let fx: HistoryFixture;
let dash: Dashboard | undefined;
let publisher: MqttClient | undefined;
let log: MemoryLog;
const importTopic = `meterwire-test/${unique()}/prices/import`;
const exportTopic = `meterwire-test/${unique()}/prices/feed-in`;

/** JSON slots of the given quarters; odd quarters as numbers, even ones as decimal strings. */
const jsonSlots = (quarters: readonly number[], price: (i: number) => number = centiMwh) => JSON.stringify(quarters.map((i) => (i % 2
  ? { start: isoAt(DAY + i * Q), price: Number(dec(price(i))) }
  : { start: isoAt(DAY + i * Q), end: isoAt(DAY + (i + 1) * Q), price: dec(price(i)) })));
/** The hourly feed-in CSV with local times: the autumn 02:00 twice, in order, decimal commas. */
const feedInCsv = () => `time;price (ct/kWh)\n${Array.from({ length: HOURS }, (_, h) =>
  `${wall(DAY + h * H).text.replace('T', ' ')};${dec(centiCt(h)).replace('.', ',')}`).join('\n')}\n`;

const wh = (direction: 'import' | 'export', from: number, to: number) => energyFromMessages(fx.messages, fx.dlms, direction, from, to);
const money = (x: number) => Math.round(x * 1e6) / 1e6;
/** Σ Wh × centi-EUR/MWh / 1e8 over the quarters priced. */
function importCost(priced: readonly number[], price: (i: number) => number = centiMwh): number {
  return money(priced.reduce((s, i) => s + wh('import', DAY + i * Q, DAY + (i + 1) * Q) * price(i), 0) / 1e8);
}
/** Σ Wh × centi-ct/kWh / 1e7 over the day's hours. */
const feedInCredit = () => money(Array.from({ length: HOURS }, (_, h) => wh('export', DAY + h * H, DAY + (h + 1) * H) * centiCt(h))
  .reduce((a, b) => a + b, 0) / 1e7);
const allQuarters = Array.from({ length: QUARTERS }, (_, i) => i);

const lines = (prefix: string, pattern: RegExp) => log.lines.filter((l) => l.startsWith(prefix) && pattern.test(l));
const publish = (topic: string, payload: string, retain = false) => publisher!.publishAsync(topic, payload, { qos: 1, retain });

async function dayCosts() {
  const res = await dash!.app.inject({ url: `/api/costs?meter=${fx.dlms}&from=${DAY}&to=${END}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().range;
}

before(async () => {
  if (skip) return;
  fx = await viennaHistory(5 * 60_000);
  log = memoryLog();
  publisher = await mqtt.connectAsync(BROKER, { reconnectPeriod: 0 });
  // The publisher was there first: the prices wait retained on the broker.
  await publish(importTopic, jsonSlots(allQuarters.filter((i) => i !== MISSING)), true);
  await publish(exportTopic, feedInCsv(), true);
  const url = (topic: string) => `mqtt://prices:${PASSWORD}@127.0.0.1:1883/${topic}`;
  const tariffs = parseTariffs({
    currency: 'EUR', timeZone: VIENNA.zone,
    plans: { spot: {
      import: { type: 'dynamic', series: 'epex', slotMinutes: 15, mqtt: url(importTopic), format: 'json', unit: 'EUR/MWh' },
      export: { type: 'dynamic', series: 'feedin', slotMinutes: 60, mqtt: url(exportTopic), format: 'csv' },
    } },
  });
  dash = createDashboard({ host: '127.0.0.1', port: 0, log, history: createSqlHistory(fx.url), tariffs, now: () => END + 6 * H });
});

after(async () => {
  if (publisher?.connected) {
    for (const t of [importTopic, exportTopic]) await publisher.publishAsync(t, '', { qos: 1, retain: true });
  }
  await publisher?.endAsync();
  await dash?.close();
  fx?.drop();
});

test('mqtt prices: retained JSON quarters and CSV hours price the 25-hour day; the quarter without a price is flagged; no password in the log', { skip }, async () => {
  await waitFor('the retained prices', () => lines('info', /"epex": 99 slots .*\(retained\), 99 known/).length === 1
    && lines('info', /"feedin": 25 slots .*\(retained\), 25 known/).length === 1, 15_000);
  const range = await dayCosts();
  assert.equal(range.energyCost, importCost(allQuarters.filter((i) => i !== MISSING)));
  const exported = wh('export', DAY, END);
  assert.ok(exported > 0, 'the simulated household feeds in on that day');
  assert.equal(range.feedInCredit, feedInCredit());
  assert.equal(range.complete, false);
  assert.deepEqual(range.flags.map((f: { reason: string; direction: string; from: string; to: string }) => [f.reason, f.direction, f.from, f.to]),
    [['missing-price', 'import', new Date(DAY + MISSING * Q).toISOString(), new Date(DAY + (MISSING + 1) * Q).toISOString()]]);
  assert.ok(wh('import', DAY + MISSING * Q, DAY + (MISSING + 1) * Q) > 0, 'the unpriced quarter has import');
  assert.deepEqual(lines('error', /./), []);
  assert.ok(lines('info', /subscribed to mqtt:\/\/prices:\*\*\*@127\.0\.0\.1:1883\//).length === 2, log.lines.join('\n'));
  assert.equal(log.lines.filter((l) => l.includes(PASSWORD)).length, 0);
});

test('mqtt prices: a later message merges by slot start (adds the missing quarter, corrects one); bad payloads are logged and change nothing', { skip }, async () => {
  const corrected = (i: number) => (i === 10 ? 31_337 : centiMwh(i));
  await publish(importTopic, jsonSlots([MISSING, 10], corrected));
  await waitFor('the update', () => lines('info', /"epex": 2 slots from .*, 100 known/).length === 1, 15_000);
  const merged = await dayCosts();
  assert.equal(merged.energyCost, importCost(allQuarters, corrected));
  assert.notEqual(merged.energyCost, importCost(allQuarters), 'quarter 10 has its corrected price');
  assert.equal(merged.feedInCredit, feedInCredit());
  assert.equal(merged.complete, true);
  assert.deepEqual(merged.flags, []);

  const bad: Array<[string, string, RegExp]> = [
    [importTopic, jsonSlots([4]).replace(/"price":"[^"]+"/, '"price":"12,x"'), /price message on mqtt:\/\/prices:\*\*\*@127\.0\.0\.1:1883\/.*\/import slot 1: "price" "12,x" is not a number/],
    // On a 5-minute offset: it would overlap two known quarters.
    [importTopic, JSON.stringify([{ start: isoAt(DAY + 20 * Q + 5 * 60_000), price: 1 }]), /with the known slots: the slots at .* are closer than the tariff's slotMinutes \(15\)/],
    [importTopic, 'prices are late today', /import: not JSON/],
    [importTopic, jsonSlots([3]).replace(/\+02:00"/, '"'), /slot 1: "start" ".*" is not an ISO 8601 time with an offset/],
    [exportTopic, 'time;price (ct/kWh)\n2026-10-25 00:00;4,00\n2026-10-25 01:00\n', /feed-in line 3: expected a time and a price separated by ";"/],
    [exportTopic, 'time;price (ct/kWh)\n2026-10-25T00:00:00+02:00;4,00\n2026-10-25T00:15:00+02:00;4,00\n', /closer than the tariff's slotMinutes \(60\)/],
  ];
  for (const [n, [topic, payload, pattern]] of bad.entries()) {
    await publish(topic, payload);
    await waitFor(`error ${n + 1}`, () => lines('error', /./).length === n + 1, 15_000);
    const error = lines('error', /./)[n];
    assert.match(error, pattern);
    assert.match(error, topic === importTopic ? /ignored, series "epex" keeps its 100 known slots/ : /ignored, series "feedin" keeps its 25 known slots/);
    const after = await dayCosts();
    assert.equal(after.energyCost, merged.energyCost, `payload ${n + 1} changed no import price`);
    assert.equal(after.feedInCredit, merged.feedInCredit, `payload ${n + 1} changed no feed-in price`);
    assert.equal(after.complete, true);
  }

  // Clearing the retained topic is no error and forgets nothing.
  await publish(importTopic, '', true);
  await waitFor('the clear', () => lines('info', /"epex": empty message .* \(topic cleared\); series "epex" keeps its 100 known slots/).length === 1, 15_000);
  assert.equal((await dayCosts()).energyCost, merged.energyCost);
  assert.equal(lines('error', /./).length, bad.length);
  assert.equal(log.lines.filter((l) => l.includes(PASSWORD)).length, 0);
});
