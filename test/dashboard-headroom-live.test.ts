/**
 * The capacity headroom on the live stream (real loopback sockets, an in-memory history, a fixed clock): a new
 * message of a meter with a capacity tariff brings a `headroom` event holding what /api/headroom answers, computed
 * once for every client, at most once per interval (messages in between: one more run after it), never for a meter
 * nobody watches or whose plan has no capacity charge; a stream of all meters starts with every meter's latest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDashboard } from '../src/dashboard/server.js';
import { createMemoryHistory } from '../src/dashboard/memory-history.js';
import type { HistoryStore } from '../src/dashboard/history.js';
import { parseTariffs } from '../src/costs/tariff-schema.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { quietLog, sse, type SseClient } from './dashboard-support.js';

const ZONE = 'Europe/Vienna';
// 10 March 2026, 10:07:30 in Vienna (CET): the quarter 10:00–10:15 is running.
const NOW = Date.UTC(2026, 2, 10, 9, 7, 30);

/** A meter's message at `ms` with its import register (Wh) and power (W). */
function message(id: string, ms: number, importWh: number, watts: number): MeterMessage {
  const r = (obis: string, rid: string, name: string, value: number, unit: string) => ({ obis, id: rid, name, value, unit, quality: [] });
  return { meter: { id }, timestamp: new Date(ms).toISOString(), format: 'dsmr', issues: [],
    readings: [r('1-0:1.8.0', 'energy_import', 'Active energy import (+A)', importWh, 'Wh'), r('1-0:1.7.0', 'power_import', 'Active power import (+P)', watts, 'W')] };
}

test('live headroom: one computation per interval fanned out to all clients, the value /api/headroom answers', async (t) => {
  const memory = createMemoryHistory({ timeZone: ZONE });
  let computations = 0;
  // Each headroom computation asks the store once for the meter's readings: counted here.
  const history: HistoryStore = { ...memory, readings: (m) => { computations++; return memory.readings(m); } };
  const tariffs = parseTariffs({ currency: 'EUR', timeZone: ZONE, plans: {
    cap: { import: { type: 'fixed', price: 0.3 }, capacity: { type: 'flanders', pricePerKwYear: 50, minimumKw: 2.5 } },
    plain: { import: { type: 'fixed', price: 0.3 } } }, meters: { 'CAP-1': 'cap', 'PLAIN-1': 'plain' } });
  const dash = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, history, tariffs, now: () => NOW, headroomIntervalMs: 400 });
  await dash.listen();
  t.after(() => dash.close());
  const record = (msgs: MeterMessage[]) => { memory.record(msgs, NOW); dash.record(msgs, NOW); };
  // Every 20 s from 10:03 to 10:06:40 local, 2 Wh more each time.
  const start = NOW - 270_000;
  let wh = 1_000_000;
  const series = Array.from({ length: 12 }, (_, i) => message('CAP-1', start + i * 20_000, (wh += 2), 600));
  record(series.slice(0, 11));
  record([message('PLAIN-1', NOW - 60_000, 5000, 100)]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(computations, 0, 'nobody watches: nothing computed');

  let wake: () => void = () => undefined;
  const until = async (ok: () => boolean) => { while (!ok()) await new Promise<void>((r) => { wake = r; }); };
  const url = dash.url() as string;
  const clients = await Promise.all([`${url}api/live?meter=CAP-1`, `${url}api/live?meter=CAP-1`, `${url}api/live`].map((u) => sse(u, () => wake())));
  t.after(() => { for (const c of clients) c.close(); });
  const headrooms = (c: SseClient) => c.events.filter((e) => e.event === 'headroom');
  const all = clients[2];
  // The stream of all meters starts with both meters' latest messages.
  await until(() => all.events.filter((e) => e.event === 'message').length >= 2);
  assert.deepEqual(all.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).meter).sort(), ['CAP-1', 'PLAIN-1']);

  record(series.slice(11));
  await until(() => clients.every((c) => headrooms(c).length >= 1));
  assert.equal(computations, 1, 'one computation for three clients');
  assert.equal(new Set(clients.map((c) => headrooms(c)[0].data)).size, 1, 'the same bytes for every client');
  const pushed = JSON.parse(headrooms(clients[0])[0].data);
  const api = await dash.app.inject({ url: '/api/headroom?meter=CAP-1' });
  assert.equal(api.statusCode, 200, api.body);
  assert.deepEqual(pushed, api.json());
  // The quarter from 10:00 local (09:00 UTC) holds all twelve messages: at most their rise, 22 Wh.
  assert.equal(pushed.type, 'flanders');
  assert.equal(pushed.quarterStart, Date.UTC(2026, 2, 10, 9));
  assert.ok(pushed.drawnWh > 0 && pushed.drawnWh <= 22, `drawn ${pushed.drawnWh} Wh`);
  assert.equal(pushed.remainingWh, pushed.allowedWh - pushed.drawnWh);
  computations = 0;

  // Five messages at once, within the interval: one more computation after it, not five.
  for (let i = 0; i < 5; i++) record([message('CAP-1', NOW - 10_000 + i * 1000, (wh += 50), 3000)]);
  await until(() => clients.every((c) => headrooms(c).length >= 2));
  const second = JSON.parse(headrooms(clients[0])[1].data);
  assert.equal(second.drawnWh, pushed.drawnWh + 250);
  assert.deepEqual(second, (await dash.app.inject({ url: '/api/headroom?meter=CAP-1' })).json());
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(computations, 2, 'one run for the five messages (the other count: the route above)');
  assert.deepEqual(clients.map((c) => headrooms(c).length), [2, 2, 2]);

  // The meter whose plan has no capacity charge: no event, no computation.
  record([message('PLAIN-1', NOW - 5000, 5010, 100)]);
  await until(() => all.events.filter((e) => e.event === 'message').length >= 9);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(computations, 2);
  assert.ok(headrooms(all).every((e) => JSON.parse(e.data).meter === 'CAP-1'));

  // A client that connects now gets the latest headroom with the latest message.
  const late = await sse(`${url}api/live?meter=CAP-1`, () => wake());
  t.after(() => late.close());
  await until(() => headrooms(late).length >= 1);
  assert.deepEqual(late.events.map((e) => e.event), ['status', 'message', 'headroom']);
  assert.equal(headrooms(late)[0].data, headrooms(clients[0])[1].data);
});
