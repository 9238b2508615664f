/**
 * Dead letters end to end, every command a child process against a private Mosquitto and a real PostgreSQL schema:
 * a meter rotated to a wrong GUEK and a meter not yet imported go to dead letters (wrong-key, unknown-meter) while
 * the others are stored; the worker logs one line per meter and code, not one per frame; `fleet redecode` after the
 * import and after the key fix stores exactly the simulator's readings, and a second run changes nothing. Then
 * neither the schema's pg_dump nor any output line holds a key or the master key.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { toBaseUnit } from '../src/core/model/base-units.js';
import { FLEET_COLUMNS as STORE_COLUMNS } from '../src/fleet/store/columns.js';
import { FLEET_COLUMNS } from '../src/fleet/worker/row-columns.js';
import { createFleetSimulator } from '../src/sim/fleet/fleet-simulator.js';
import { generateFleetMeters } from '../src/sim/fleet/fleet-meters.js';
import { withMbusMeters } from './support/dsmr-mbus.js';
import { createFleetEnv, secretSpellings, servicesSkip, storedReadings, type Expected, type FleetEnv } from './fleet-deadletters-support.js';

const skip = await servicesSkip();
let e: FleetEnv;
before(async () => { if (!skip) e = await createFleetEnv('dead', ['at-kaernten-am550', 'lu-smarty'], 5); });
after(async () => { if (!skip) await e.cleanup(); });

// meters: 0 and 3 good, 1 rotated to a wrong GUEK, 2 not imported until after the worker ran, 4 for the live test
const GOOD = [0, 3], WRONG = 1, UNKNOWN = 2, LIVE = 4;
const FRAMES = { 0: 5, 1: 12, 2: 6, 3: 5 } as Record<number, number>;
const wrongGuek = randomBytes(16).toString('hex').toUpperCase();
const expected = new Map<number, Expected[]>();
const byMeterTime = (a: Expected, b: Expected) => a.meterTimeMs - b.meterTimeMs;

async function deadLetters(): Promise<{ reason: string; topic_id: string; n: number }[]> {
  return (await e.query<{ reason: string; topic_id: string; n: string }>(
    `SELECT reason, topic_id, count(*) AS n FROM ${e.schema}.dead_letters GROUP BY 1, 2 ORDER BY 1, 2`)).map((r) => ({ ...r, n: Number(r.n) }));
}

const ok = (r: { code: number | null; stderr: string }, what: string) => assert.equal(r.code, 0, `${what} failed: ${r.stderr.slice(-1500)}`);

test('wrong key and unknown meter become dead letters, the others are stored, one log line per meter and code', { skip }, async () => {
  const m = e.meters;
  ok(await e.fleet(['meters', 'import', e.csvFile('initial.csv', m.filter((_, i) => i !== UNKNOWN && i !== LIVE))]), 'import');
  ok(await e.fleet(['meters', 'rotate-key', m[WRONG].meterId], { METERWIRE_KEY: wrongGuek }), 'rotate-key to a wrong GUEK');

  const worker = await e.startWorker('w1');
  const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  for (const i of [0, 1, 2, 3]) expected.set(i, await e.publish(i, FRAMES[i], start, 10_000));
  for (const i of [0, 1, 2, 3]) assert.ok('energy_import' in expected.get(i)![0].columns, `meter ${i}: the simulator's frames fill columns`);
  const good = FRAMES[0] + FRAMES[3], dead = FRAMES[WRONG] + FRAMES[UNKNOWN];
  await e.untilCount(`SELECT count(*) FROM ${e.schema}.readings`, good, 'rows of the good meters');
  await e.untilCount(`SELECT count(*) FROM ${e.schema}.dead_letters`, dead, 'dead letters');
  const out = await e.stopWorker(worker);

  assert.deepEqual(await deadLetters(), [
    { reason: 'unknown-meter', topic_id: m[UNKNOWN].topicId, n: FRAMES[UNKNOWN] },
    { reason: 'wrong-key', topic_id: m[WRONG].topicId, n: FRAMES[WRONG] },
  ]);
  const meterIds = await e.query<{ reason: string; meter_id: string | null }>(`SELECT DISTINCT reason, meter_id FROM ${e.schema}.dead_letters ORDER BY 1`);
  assert.deepEqual(meterIds, [{ reason: 'unknown-meter', meter_id: null }, { reason: 'wrong-key', meter_id: m[WRONG].meterId }]);
  for (const i of GOOD) assert.deepEqual(await storedReadings(e, m[i].meterId), expected.get(i)!.sort(byMeterTime), `meter ${i} stored as simulated`);
  assert.deepEqual(await storedReadings(e, m[WRONG].meterId), [], 'nothing stored for the wrong key');

  // Frame errors: at most one line per meter per code in this (sub-minute) run, and at least one for the wrong key.
  const lines = out.stderr.split('\n').filter((l) => l.includes(m[WRONG].meterId) || l.includes(m[WRONG].topicId));
  assert.ok(lines.length >= 1, `no log line names the wrong-key meter: ${out.stderr.slice(-1500)}`);
  const perCode = new Map<string, number>();
  for (const l of lines) {
    const code = /"code":"([A-Z_]+)"/.exec(l)?.[1] ?? /: ([A-Z_]{3,}):/.exec(l)?.[1] ?? l;
    perCode.set(code, (perCode.get(code) ?? 0) + 1);
  }
  for (const [code, n] of perCode) assert.equal(n, 1, `${n} lines for ${m[WRONG].meterId} code ${code}:\n${lines.join('\n')}`);
  const unknownLines = out.stderr.split('\n').filter((l) => l.includes(m[UNKNOWN].topicId));
  assert.ok(unknownLines.length <= 1, `unknown meter logged ${unknownLines.length} times:\n${unknownLines.join('\n')}`);
});

test('redecode after the import stores the unknown meter\'s frames; a second run changes nothing; after the key fix the wrong-key meter\'s too', { skip }, async () => {
  const m = e.meters;
  ok(await e.fleet(['meters', 'import', e.csvFile('late.csv', [m[UNKNOWN]])]), 'import of the late meter');
  const r1 = await e.fleet(['redecode', '--json']);
  ok(r1, 'redecode');
  const res1 = JSON.parse(r1.stdout.trim().split('\n').pop()!) as Record<string, number>;
  assert.deepEqual({ resolved: res1.resolved, rows: res1.rows, unchanged: res1.unchanged },
    { resolved: FRAMES[UNKNOWN], rows: FRAMES[UNKNOWN], unchanged: FRAMES[WRONG] });
  assert.deepEqual(await storedReadings(e, m[UNKNOWN].meterId), expected.get(UNKNOWN)!.sort(byMeterTime));
  assert.deepEqual(await deadLetters(), [{ reason: 'wrong-key', topic_id: m[WRONG].topicId, n: FRAMES[WRONG] }]);

  const before2 = await e.query(`SELECT count(*)::int AS n, sum(energy_import) AS s FROM ${e.schema}.readings`);
  const r2 = await e.fleet(['redecode', '--json']);
  ok(r2, 'second redecode');
  const res2 = JSON.parse(r2.stdout.trim().split('\n').pop()!) as Record<string, number>;
  assert.deepEqual({ resolved: res2.resolved, rows: res2.rows }, { resolved: 0, rows: 0 });
  assert.deepEqual(await e.query(`SELECT count(*)::int AS n, sum(energy_import) AS s FROM ${e.schema}.readings`), before2);
  assert.deepEqual(await deadLetters(), [{ reason: 'wrong-key', topic_id: m[WRONG].topicId, n: FRAMES[WRONG] }]);

  const right = Buffer.from(m[WRONG].guek!).toString('hex').toUpperCase();
  ok(await e.fleet(['meters', 'rotate-key', m[WRONG].meterId], { METERWIRE_KEY: right }), 'rotate-key back');
  const r3 = await e.fleet(['redecode']);
  ok(r3, 'redecode after the key fix');
  assert.deepEqual(await storedReadings(e, m[WRONG].meterId), expected.get(WRONG)!.sort(byMeterTime));
  assert.deepEqual(await deadLetters(), []);
  for (const i of GOOD) assert.deepEqual(await storedReadings(e, m[i].meterId), expected.get(i)!.sort(byMeterTime), `meter ${i} unchanged`);
});

test('a running worker picks up an import and a key rotation; redecode stores what went to dead letters meanwhile', { skip }, async () => {
  const m = e.meters, ROTATED = GOOD[1];
  const start = Math.floor(Date.now() / 1000) * 1000 - 1_800_000;
  const sent = new Map<number, Expected[]>([[LIVE, []], [ROTATED, []]]);
  let step = 0;
  const outcomes = async () => Number((await e.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM ${e.schema}.readings) + (SELECT count(*) FROM ${e.schema}.dead_letters) AS n`))[0].n);
  const rowsOf = async (i: number) => (await storedReadings(e, m[i].meterId)).length;
  const wrongKeyOf = async (i: number) => Number((await e.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${e.schema}.dead_letters WHERE topic_id = $1 AND reason = 'wrong-key'`, [m[i].topicId]))[0].n);
  /** One frame of meter i, waited for until it is a row or a dead letter. */
  const sendOne = async (i: number) => {
    const before = await outcomes();
    sent.get(i)!.push(...await e.publish(i, 1, start + 10_000 * step++, 0));
    await e.untilCount(`SELECT (SELECT count(*) FROM ${e.schema}.readings) + (SELECT count(*) FROM ${e.schema}.dead_letters)`, before + 1, 'the frame\'s outcome');
  };
  /** Notifications reach the worker asynchronously: frames until `cond` holds (bounded), each one accounted for. */
  const sendUntil = async (i: number, what: string, cond: () => Promise<boolean>) => {
    for (let k = 0; k < 40; k++) {
      await sendOne(i);
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the worker never ${what}`);
  };

  const worker = await e.startWorker('w1');
  try {
    await sendOne(LIVE);
    assert.deepEqual((await deadLetters()).map((d) => d.topic_id), [m[LIVE].topicId], 'unknown at first');
    await sendOne(ROTATED);
    assert.equal(await rowsOf(ROTATED), FRAMES[ROTATED] + 1, 'the cached meter is stored');
    ok(await e.fleet(['meters', 'import', e.csvFile('live.csv', [m[LIVE]])]), 'import while the worker runs');
    await sendUntil(LIVE, 'stored the imported meter', async () => (await rowsOf(LIVE)) > 0);
    ok(await e.fleet(['meters', 'rotate-key', m[ROTATED].meterId], { METERWIRE_KEY: wrongGuek }), 'rotate-key to a wrong GUEK');
    await sendUntil(ROTATED, 'used the rotated key', async () => (await wrongKeyOf(ROTATED)) > 0);
    const right = Buffer.from(m[ROTATED].guek!).toString('hex');
    ok(await e.fleet(['meters', 'rotate-key', m[ROTATED].meterId], { METERWIRE_KEY: right }), 'rotate-key back');
    // Once the wrong key was in use every frame failed, so a new row means the restored key is.
    const rowsBeforeRestore = await rowsOf(ROTATED);
    await sendUntil(ROTATED, 'used the restored key', async () => (await rowsOf(ROTATED)) > rowsBeforeRestore);
    // Redecode while the worker keeps running: the dead letters of the meanwhile become rows.
    ok(await e.fleet(['redecode']), 'redecode');
  } finally {
    await e.stopWorker(worker);
  }
  assert.deepEqual(await deadLetters(), []);
  assert.deepEqual(await storedReadings(e, m[LIVE].meterId), sent.get(LIVE)!.sort(byMeterTime));
  assert.deepEqual(await storedReadings(e, m[ROTATED].meterId), [...expected.get(ROTATED)!, ...sent.get(ROTATED)!].sort(byMeterTime));
});

test('a DSMR meter with a gas and a water meter, unknown at first: redecode puts per-phase power and the volumes in their columns', { skip }, async () => {
  for (const c of FLEET_COLUMNS) assert.ok(STORE_COLUMNS.includes(c.column), `the worker fills ${c.column}, a column the store does not have`);
  const [spec] = generateFleetMeters(1, { profiles: ['nl-dsmr5'] });
  const meter = { ...spec, topicId: 'dsmr-gas-1' };
  const sim = createFleetSimulator({ meters: [meter] });
  const start = Math.floor(Date.now() / 1000) * 1000 - 900_000;
  const frames = [0, 1, 2].map((k) => sim.frame(0, start + k * 10_000));
  const gas = [1234.567, 1234.601, 1234.65];
  const water = [87.5, 87.512, 87.6];
  const worker = await e.startWorker('w1');
  try {
    for (const [k, f] of frames.entries()) await e.publishRaw(meter.topicId, withMbusMeters(f.bytes, [{ channel: 1, deviceType: 3, m3: gas[k] }, { channel: 2, deviceType: 7, m3: water[k] }], f.meterTimeMs));
    await e.untilCount(`SELECT count(*) FROM ${e.schema}.dead_letters WHERE topic_id = '${meter.topicId}'`, 3, 'the DSMR meter\'s dead letters');
  } finally {
    await e.stopWorker(worker);
  }
  ok(await e.fleet(['meters', 'import', e.csvFile('dsmr.csv', [meter])]), 'import of the DSMR meter');
  ok(await e.fleet(['redecode']), 'redecode');
  const rows = await e.query<Record<string, number | null>>(`SELECT power_import_l1, power_import_l2, power_import_l3, power_export_l1,
    gas_volume, water_volume, mbus1_reading, energy_import_t1 FROM ${e.schema}.readings WHERE meter_id = $1 ORDER BY meter_time`, [meter.meterId]);
  const kw = (f: (typeof frames)[number], obis: string) => {
    const r = f.readings.find((x) => x.obis === obis);
    assert.ok(r, `the simulator sends ${obis}`);
    return toBaseUnit(r.value, r.unit).value;
  };
  assert.deepEqual(rows, frames.map((f, k) => ({
    power_import_l1: kw(f, '1-0:21.7.0'), power_import_l2: kw(f, '1-0:41.7.0'), power_import_l3: kw(f, '1-0:61.7.0'),
    power_export_l1: kw(f, '1-0:22.7.0'), gas_volume: gas[k], water_volume: water[k], mbus1_reading: null, energy_import_t1: kw(f, '1-0:1.8.1'),
  })));
  // The volumes are in their columns only, not in extra as well (extra is keyed by OBIS code).
  const inExtra = await e.query<{ n: string }>(`SELECT count(*) AS n FROM ${e.schema}.readings WHERE meter_id = $1
    AND (extra ? '0-1:24.2.1' OR extra ? '0-2:24.2.1')`, [meter.meterId]);
  assert.equal(Number(inExtra[0].n), 0);
  assert.deepEqual(await deadLetters(), []);
});

test('no key and no master key in the schema dump or in any output of any command', { skip }, async () => {
  // A wrong master key stops redecode before it reads a dead letter; its message must not echo either master key.
  const otherMaster = randomBytes(32).toString('hex');
  const refused = await e.fleet(['redecode'], { METERWIRE_MASTER_KEY: otherMaster });
  assert.notEqual(refused.code, 0, 'redecode with a wrong master key must fail');
  assert.match(`${refused.stdout}${refused.stderr}`, /master key/i);
  const secrets = secretSpellings([...e.meters.flatMap((m) => [m.guek, m.gak]), wrongGuek, e.masterKey, otherMaster]);
  assert.ok(secrets.length >= 2 * (5 + 2 + 2), 'every meter\'s keys are in the list');
  const dump = e.pgDump();
  assert.match(dump, /CREATE TABLE/, 'the dump holds the schema');
  assert.match(dump, /dead_letters/);
  for (const s of secrets) assert.ok(!dump.includes(s), 'a key or the master key is in the pg_dump of the schema');
  assert.ok(e.outputs.length >= 8, `every command recorded (${e.outputs.length})`);
  for (const o of e.outputs) {
    for (const s of secrets) {
      assert.ok(!o.stdout.includes(s) && !o.stderr.includes(s), `a key or the master key in the output of ${o.args.slice(0, 3).join(' ')}`);
    }
  }
});

