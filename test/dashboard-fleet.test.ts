/**
 * The dashboard over a fleet store (issue 10: "the dashboard can browse a fleet store"): real PostgreSQL, rows
 * committed by the fleet store itself, meters imported into the registry beside it. Energy per local day across
 * the 25 October 2026 DST change and power per hour are checked against sums computed here from the rows the
 * test wrote; `meterwire dashboard --store 'postgres://…?schema=…'` is run as a user would. A meter with gas and
 * water volumes (schema version 3 columns) gets its m3 charts; a version 2 store, which has no such columns yet, is
 * still browsed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createPgFleetStore } from '../src/fleet/store/index.js';
import { importMeters } from '../src/fleet/keys/index.js';
import { createDashboard } from '../src/dashboard/server.js';
import { createStoreHistory } from '../src/dashboard/store-history.js';
import { FLEET_METERS_LISTED } from '../src/dashboard/fleet-history.js';
import { bucketStart, nextBucket } from '../src/dashboard/local-time.js';
import { ensureFleetSchema } from '../src/fleet/store/index.js';
import { dropSchema, fleetRow, PG_URL, pgSkip, uniqueSchema, withDb } from './fleet-store-support.js';
import { masterOf, newMasterKeyText } from './fleet-keys-pg-support.js';
import { runCli } from './support/cli.js';
import pg from 'pg';

const skip = await pgSkip();
const schema = uniqueSchema('dashfleet');
const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
const ZONE = 'Europe/Vienna';
const STEP = 300_000;
// From 23:00 local on 23 October (an hour before the first whole day) to the end of 26 October, local.
const FIRST = Date.UTC(2026, 9, 23, 21, 0);
const END = Date.UTC(2026, 9, 26, 23, 0);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Sample { t: number; energy: number; power: number }
// 25 October 00:00 CEST to 26 October 00:00 CET (25 hours) and one more hour: gas and water registers in m3.
const VOLUME_DAY = Date.UTC(2026, 9, 24, 22);
const VOLUMES = Array.from({ length: 27 }, (_, i) => ({ t: VOLUME_DAY + i * 3_600_000, gas: 1000 + 0.25 * i, water: 50 + 0.125 * i }));
const samples: Sample[] = [];

/** A power curve that changes from sample to sample, and the energy register it drives (Wh, 3 decimals). */
function makeSamples(): void {
  let energy = 2_500_000;
  for (let t = FIRST, i = 0; t < END; t += STEP, i++) {
    const power = 300 + ((i * 37) % 1200);
    samples.push({ t, energy: Math.round(energy * 1000) / 1000, power });
    energy += (power * STEP) / 3_600_000;
  }
}

/** Last register value before `t` (the independent rule: a day's energy is the rise between two midnights' last values). */
function lastBefore(t: number): number {
  let v: number | undefined;
  for (const s of samples) if (s.t < t) v = s.energy;
  assert.ok(v !== undefined);
  return v;
}

before(async () => {
  if (skip) return;
  makeSamples();
  const store = createPgFleetStore({ connectionString: PG_URL, schema, now: () => Date.UTC(2026, 9, 26) });
  try {
    for (let i = 0; i < samples.length; i += 400) {
      const rows = samples.slice(i, i + 400).map((s) => fleetRow({ meter: 1, t: s.t, energy: s.energy, power: s.power, zone: ZONE }));
      await store.commit({ rows, deadLetters: [] });
    }
    // One more meter with a single frame, in another zone: the switcher lists both, each in its own zone.
    await store.commit({ rows: [fleetRow({ meter: 2, t: Date.UTC(2026, 9, 25, 12), zone: 'Europe/Amsterdam' })], deadLetters: [] });
    // A meter (not in the registry) with a gas and a water meter behind it, hourly over 25 October in Vienna.
    await store.commit({ rows: VOLUMES.map((v) => {
      const r = fleetRow({ meter: 3, t: v.t, zone: ZONE });
      return { ...r, columns: { ...r.columns, gas_volume: v.gas, water_volume: v.water } };
    }), deadLetters: [] });
    await store.refreshRollups();
  } finally {
    await store.close();
  }
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    await importMeters(pool, schema, masterOf(newMasterKeyText()), [
      { line: 2, meterId: 'meter-1', topicId: 'gw-1', profile: 'at-evn-sagemcom-t210d', timeZone: ZONE },
      { line: 3, meterId: 'meter-2', topicId: 'gw-2', timeZone: 'Europe/Amsterdam' },
    ]);
  } finally {
    await pool.end();
  }
});

after(async () => {
  if (!skip) await dropSchema(schema);
});

test('gas and water volumes: listed in m3, and the day\'s m3 per medium is the registers\' rise', { skip }, async () => {
  const d = dashboard();
  try {
    const { readings } = await getJson<{ readings: unknown }>(d, '/api/readings?meter=meter-3');
    assert.deepEqual(readings, [{ id: 'energy_import', unit: 'Wh' }, { id: 'gas_volume', unit: 'm3' }, { id: 'power_import', unit: 'W' },
      { id: 'voltage_l1', unit: 'V' }, { id: 'water_volume', unit: 'm3' }]);
    const body = await getJson<{ timeZone: string; volumes: { id: string; kind: string }[]; buckets: { volumesM3?: Record<string, number> }[] }>(d,
      `/api/energy?meter=meter-3&bucket=day&from=${VOLUME_DAY}&to=${Date.UTC(2026, 9, 25, 23)}`);
    assert.equal(body.timeZone, ZONE);
    assert.deepEqual(body.volumes.map((v) => [v.id, v.kind]), [['gas_volume', 'gas'], ['water_volume', 'water']]);
    assert.equal(body.buckets.length, 1);
    // The 25 rows of the 25-hour day: first 00:00, last 24 hours later.
    assert.deepEqual(body.buckets[0].volumesM3, { gas_volume: 24 * 0.25, water_volume: 24 * 0.125 });
  } finally {
    await d.close();
  }
});

test('a version 2 fleet store (no volume columns yet) is browsed: its readings and an empty gas series', { skip }, async () => {
  const old = uniqueSchema('dashfleet2');
  try {
    await withDb(async (c) => {
      await ensureFleetSchema(c, old, 2);
      await c.query(`INSERT INTO "${old}".readings (meter_id, meter_time, clock_from_meter, received_at, energy_import, mbus1_reading)
        VALUES ('meter-old', '2026-10-25T10:00Z', true, '2026-10-25T10:00Z', 1000, 1500.25)`);
    });
    const history = createStoreHistory(`${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${old}`, { defaultTimeZone: 'UTC' });
    try {
      assert.deepEqual(await history.readings('meter-old'), [{ id: 'energy_import', unit: 'Wh' }, { id: 'mbus1_reading', unit: 'm3' }]);
      const s = await history.series({ meter: 'meter-old', reading: 'gas_volume', fromMs: Date.UTC(2026, 9, 25), toMs: Date.UTC(2026, 9, 26), resolution: 'hour' });
      assert.deepEqual([s.unit, s.points], ['m3', []]);
      const m = await history.series({ meter: 'meter-old', reading: 'mbus1_reading', fromMs: Date.UTC(2026, 9, 25), toMs: Date.UTC(2026, 9, 26), resolution: 'raw' });
      assert.deepEqual(m.points.map((p) => p.value), [1500.25]);
    } finally {
      await history.close?.();
    }
  } finally {
    await dropSchema(old);
  }
});

function dashboard() {
  return createDashboard({ host: '127.0.0.1', port: 0, log: quiet, history: createStoreHistory(url, { defaultTimeZone: 'UTC' }), timeZone: 'UTC' });
}

interface MetersBody { meters: { meter: string; timeZone: string; profile?: string }[] }
interface EnergyBody { timeZone: string; buckets: { start: string; end: string; importKwh: number }[] }

async function getJson<T>(d: ReturnType<typeof dashboard>, path: string): Promise<T> {
  const r = await d.app.inject({ method: 'GET', url: path });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as T;
}

test('meters from the registry, each with its zone; readings are the columns the meter fills', { skip }, async () => {
  const d = dashboard();
  try {
    const { meters } = await getJson<MetersBody>(d, '/api/meters');
    assert.deepEqual(meters.map((m) => [m.meter, m.timeZone, m.profile]), [['meter-1', ZONE, 'at-evn-sagemcom-t210d'], ['meter-2', 'Europe/Amsterdam', undefined]]);
    assert.ok(FLEET_METERS_LISTED >= 2);
    const { readings } = await getJson<{ readings: unknown }>(d, '/api/readings?meter=meter-1');
    assert.deepEqual(readings, [{ id: 'energy_import', unit: 'Wh' }, { id: 'power_import', unit: 'W' }, { id: 'voltage_l1', unit: 'V' }]);
  } finally {
    await d.close();
  }
});

test('energy per local day across the DST change equals the rise of the register between local midnights', { skip }, async () => {
  const d = dashboard();
  try {
    const from = Date.UTC(2026, 9, 23, 22); // 24 October 00:00 in Vienna (CEST)
    const to = Date.UTC(2026, 9, 26, 23); // 27 October 00:00 (CET)
    const body = await getJson<EnergyBody>(d, `/api/energy?meter=meter-1&bucket=day&from=${from}&to=${to}`);
    assert.equal(body.timeZone, ZONE);
    const days = body.buckets.map((b) => [Date.parse(b.start), Date.parse(b.end), b.importKwh * 1000]);
    const expected = [];
    for (let t = from; t < to; t = nextBucket(t, 'day', ZONE)) {
      const end = nextBucket(t, 'day', ZONE);
      expected.push([t, end, Number((lastBefore(end) - lastBefore(t)).toPrecision(12))]);
    }
    assert.equal(expected.length, 3);
    assert.equal(expected[1][1] - expected[1][0], 25 * 3_600_000, '25 October has 25 hours in Vienna');
    assert.equal(days.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(days[i][0], expected[i][0]);
      assert.equal(days[i][1], expected[i][1]);
      assert.ok(Math.abs(days[i][2] - expected[i][2]) < 1e-3, `day ${i}: ${days[i][2]} Wh, expected ${expected[i][2]}`);
    }
  } finally {
    await d.close();
  }
});

test('power per local hour on the 25-hour day: mean, min and max of that hour\'s rows', { skip }, async () => {
  const history = createStoreHistory(url, { defaultTimeZone: 'UTC' });
  try {
    const from = Date.UTC(2026, 9, 24, 22); // 25 October 00:00 CEST
    const to = Date.UTC(2026, 9, 25, 23); // 26 October 00:00 CET
    const s = await history.series({ meter: 'meter-1', reading: 'power_import', fromMs: from, toMs: to, resolution: 'hour' });
    assert.equal(s.unit, 'W');
    assert.equal(s.points.length, 25);
    for (const p of s.points) {
      assert.equal(bucketStart(p.t, 'hour', ZONE), p.t);
      const inHour = samples.filter((x) => x.t >= p.t && x.t < p.t + 3_600_000).map((x) => x.power);
      assert.equal(inHour.length, 12);
      assert.ok(Math.abs(p.value - inHour.reduce((a, b) => a + b, 0) / 12) < 1e-9);
      assert.equal(p.min, Math.min(...inHour));
      assert.equal(p.max, Math.max(...inHour));
    }
    // A counter at 15 minutes: deltas add up to the register's rise over the range.
    const e = await history.series({ meter: 'meter-1', reading: 'energy_import', fromMs: from, toMs: to, resolution: '15min' });
    assert.equal(e.points.length, 100);
    const sum = e.points.reduce((a, p) => a + (p.delta ?? Number.NaN), 0);
    assert.ok(Math.abs(sum - (lastBefore(to) - lastBefore(from))) < 1e-6);
    // A column name that is not a fleet column never reaches SQL.
    const bad = await history.series({ meter: 'meter-1', reading: 'energy_import; DROP TABLE x', fromMs: from, toMs: to, resolution: 'hour' });
    assert.deepEqual(bad.points, []);
  } finally {
    await history.close?.();
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

test('meterwire dashboard --store postgres://…?schema=<fleet>: the user\'s command serves the fleet', { skip, timeout: 60_000 }, async () => {
  const port = await freePort();
  const run = runCli(['dashboard', '--store', url, '--listen', `web://127.0.0.1:${port}`]);
  try {
    await run.waitForLog('dashboard of');
    const meters = (await (await fetch(`http://127.0.0.1:${port}/api/meters`)).json()) as { meters: { meter: string }[] };
    assert.deepEqual(meters.meters.map((m) => m.meter), ['meter-1', 'meter-2']);
    const from = Date.UTC(2026, 9, 23, 22);
    const r = await fetch(`http://127.0.0.1:${port}/api/energy?meter=meter-1&bucket=month&from=${from}&to=${Date.UTC(2026, 9, 26, 23)}`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { buckets: { importKwh: number }[] };
    assert.equal(body.buckets.length, 1);
    // The month is all of October: the register's rise from its first row to its last.
    assert.ok(Math.abs(body.buckets[0].importKwh * 1000 - (samples[samples.length - 1].energy - samples[0].energy)) < 1e-6);
    assert.doesNotMatch(run.stderr(), /password|"stack"/);
  } finally {
    await run.stop();
  }
});

test('the same URL serves fleet meters list and fleet status (?schema= in the URL)', { skip, timeout: 60_000 }, async () => {
  const list = runCli(['fleet', 'meters', 'list', '--store', url, '--json']);
  assert.equal(await list.exited, 0, list.stderr());
  const listed = list.lines[0] as { schema: string; meters: { meterId: string }[] };
  assert.equal(listed.schema, schema);
  assert.deepEqual(listed.meters.map((m) => m.meterId), ['meter-1', 'meter-2']);
  const status = runCli(['fleet', 'status', '--store', url, '--json']);
  assert.equal(await status.exited, 0, status.stderr());
  assert.ok(Array.isArray((status.lines[0] as { silentMeters: unknown[] }).silentMeters));
});
