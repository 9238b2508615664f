/**
 * The InfluxDB output against a real influxd 1.x (Debian's package) with authentication on: simulated meters of
 * several profiles written through the sink, read back with InfluxQL (values in base units, tags, field types),
 * awkward names through the line protocol, the errors a user can cause, and an outage through the fan-out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFanout } from '../src/app/fanout.js';
import { toBaseUnit } from '../src/core/model/base-units.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { createInfluxSink, phaseOf, tariffOf } from '../src/sinks/influx/index.js';
import { openSink } from '../src/sinks/open-sink.js';
import {
  ADMIN, freePort, influxdSkip, rowsOf, simulatedMessages, startInfluxd, testContext, until, type Influxd, type LogRecord,
} from './sinks-influx-support.js';

const START = Date.UTC(2026, 1, 10, 8, 0, 0);
const PROFILES = ['nl-dsmr5', 'at-evn-sagemcom-t210d', 'at-lg-e450', 'no-aidon', 'at-kaernten-am550'];
const PASSWORD = encodeURIComponent(ADMIN.password);

let server: Influxd;
before(async () => { if (!influxdSkip) server = await startInfluxd({ auth: true }); });
after(async () => { await server?.close(); });

const urlFor = (db: string, extra = ''): string => `influx://${ADMIN.user}:${PASSWORD}@127.0.0.1:${server.port}/${db}${extra}`;

async function createDb(name: string): Promise<void> {
  await server.query(`CREATE DATABASE "${name}"`);
}

test('influx: simulated meters of five profiles are stored one point per reading, in base units, with their tags', { skip: influxdSkip }, async () => {
  await createDb('profiles');
  const records: LogRecord[] = [];
  const sink = openSink(urlFor('profiles'), testContext(records));
  assert.equal(sink.durable, true);
  assert.ok(!sink.name.includes(ADMIN.password) && !sink.name.includes(PASSWORD), sink.name);
  await sink.open();
  const sent: MeterMessage[] = [];
  for (const profile of PROFILES) {
    const msgs = simulatedMessages(profile, START, 4, 10_000);
    await sink.write(msgs);
    sent.push(...msgs);
  }
  await sink.close();
  assert.ok(records.some((r) => r.msg.includes('writing to database "profiles" (InfluxDB 1.')), JSON.stringify(records));

  const expected = new Map<string, { value?: number; text?: string; tags: Record<string, string>; quality?: string }>();
  for (const m of sent) {
    const meter = m.meter.id ?? m.meter.systemTitle!;
    const time = Date.parse(m.timestamp!);
    for (const r of m.readings) {
      const numeric = typeof r.value === 'number';
      const base = numeric ? toBaseUnit(r.value as number, r.unit) : undefined;
      const tags: Record<string, string> = { meter, id: r.id, obis: r.obis, unit: base?.unit ?? '', phase: phaseOf(r.obis), tariff: tariffOf(r.obis) };
      expected.set(`${meter}|${r.id}|${time}`, {
        ...(base ? { value: base.value } : { text: String(r.value) }), tags, ...(r.quality.length ? { quality: r.quality.join(',') } : {}),
      });
    }
  }
  const [result] = await server.query('SELECT * FROM "meterwire" GROUP BY *', 'profiles');
  const rows = rowsOf(result);
  assert.equal(rows.length, expected.size, 'one point per reading of every message');
  for (const { tags, row } of rows) {
    const want = expected.get(`${tags.meter}|${tags.id}|${row.time}`);
    assert.ok(want, `unexpected point ${JSON.stringify({ tags, row })}`);
    assert.deepEqual(tags, want.tags);
    assert.equal(row.value ?? undefined, want.value, `${tags.meter} ${tags.id}`);
    assert.equal(row.text ?? undefined, want.text, `${tags.meter} ${tags.id}`);
    assert.equal(row.quality ?? undefined, want.quality, `${tags.meter} ${tags.id}`);
  }

  // Spot checks of the conversion and the tags, independent of the expectation built above.
  const dsmr = sent.find((m) => m.meter.id === 'E0044007382246019')!;
  const t = Date.parse(dsmr.timestamp!);
  const point = async (id: string): Promise<Record<string, unknown>> => {
    const [r] = await server.query(`SELECT * FROM "meterwire" WHERE "meter" = 'E0044007382246019' AND "id" = '${id}' AND time = ${t}ms GROUP BY *`, 'profiles');
    const [one] = rowsOf(r);
    assert.ok(one, id);
    return { ...one.tags, ...one.row };
  };
  const kwh = dsmr.readings.find((r) => r.id === 'energy_import_t1')!;
  assert.equal(kwh.unit, 'kWh');
  assert.deepEqual(await point('energy_import_t1'), {
    meter: 'E0044007382246019', id: 'energy_import_t1', obis: '1-0:1.8.1', unit: 'Wh', phase: '', tariff: '1',
    time: t, value: Math.round((kwh.value as number) * 1000), text: null, quality: null,
  });
  const v2 = await point('voltage_l2');
  assert.equal(v2.phase, 'L2');
  assert.equal(v2.unit, 'V');
  assert.equal((await point('power_import_l3')).phase, 'L3');
  assert.equal((await point('equipment_id')).text, 'E0044007382246019');

  const [fields] = await server.query('SHOW FIELD KEYS FROM "meterwire"', 'profiles');
  assert.deepEqual(Object.fromEntries(fields.series![0].values as Array<[string, string]>), { quality: 'string', text: 'string', value: 'float' });
  const [series] = await server.query('SHOW SERIES FROM "meterwire"', 'profiles');
  const perMeter = new Set(sent.map((m) => m.meter.id)).size;
  const readingsPerMeter = new Set(sent.flatMap((m) => m.readings.map((r) => `${m.meter.id}|${r.id}`))).size;
  assert.equal(series.series![0].values.length, readingsPerMeter, `one series per reading of each of ${perMeter} meters`);
});

test('influx: names and texts with commas, spaces, equals signs, quotes, backslashes and newlines survive', { skip: influxdSkip }, async () => {
  await createDb('escapes');
  const sink = createInfluxSink(urlFor('escapes', '?measurement=odd.name-1'), testContext());
  const msg: MeterMessage = {
    meter: { id: 'a,b c=d"e\\f\ng' },
    timestamp: new Date(START).toISOString(),
    format: 'dsmr',
    readings: [
      { obis: '0-0:96.13.0', id: 'text_message', name: 'Text', value: 'say "hi", pay=now\\C:\\x\\\nnext line\\', quality: [] },
      { obis: '1-0:32.7.0', id: 'voltage_l1', name: 'Voltage L1', value: 230.25, unit: 'V', quality: ['implausible', 'crc_mismatch'] },
      { obis: '1-0:1.8.0', id: 'energy_import', name: 'Energy', value: 1.5e21, unit: 'kWh', quality: [] },
      { obis: '1-0:1.7.0', id: 'power_import', name: 'Power', value: Number.NaN, unit: 'kW', quality: [] },
    ],
    issues: [],
  };
  await sink.open();
  await sink.write([msg]);
  const [r] = await server.query('SELECT * FROM "odd.name-1" GROUP BY *', 'escapes');
  const rows = new Map(rowsOf(r).map(({ tags, row }) => [tags.id, { tags, row }]));
  assert.equal(rows.size, 4);
  for (const { tags } of rows.values()) assert.equal(tags.meter, 'a,b c=d"e/f g', 'backslash → "/", newline → space, the rest kept');
  assert.equal(rows.get('text_message')!.row.text, 'say "hi", pay=now\\C:\\x\\ next line\\');
  assert.equal(rows.get('voltage_l1')!.row.value, 230.25);
  assert.equal(rows.get('voltage_l1')!.row.quality, 'implausible,crc_mismatch');
  assert.equal(rows.get('energy_import')!.row.value, 1.5e24);
  assert.equal(rows.get('power_import')!.row.text, 'NaN', 'a non-finite number is kept as text, not dropped');
});

test('influx: a wrong password, a missing database and no server are clear errors without the password', { skip: influxdSkip }, async () => {
  await createDb('errors');
  const wrongPassword = 'Wr0ng-Passw0rd';
  const bad = createInfluxSink(`influx://${ADMIN.user}:${wrongPassword}@127.0.0.1:${server.port}/errors`, testContext());
  await bad.open();
  const msgs = simulatedMessages('nl-dsmr5', START, 1, 1000);
  const authError = await bad.write(msgs).then(() => undefined, (e: Error) => e);
  assert.ok(authError, 'a refused password throws (the batch is kept and retried)');
  assert.match(authError.message, /refused the credentials \(HTTP 401[^)]*\); check the user and password/);
  for (const secret of [wrongPassword, Buffer.from(`${ADMIN.user}:${wrongPassword}`).toString('base64')]) {
    assert.ok(!authError.message.includes(secret) && !bad.name.includes(secret), authError.message);
  }

  const missing = createInfluxSink(urlFor('no_such_db'), testContext());
  await missing.open();
  await assert.rejects(missing.write(msgs), /has no database "no_such_db" \(HTTP 404: database not found: "no_such_db"\); create it/);

  const port = await freePort();
  const nobody = createInfluxSink(`influx://${ADMIN.user}:${PASSWORD}@127.0.0.1:${port}/errors`, testContext());
  const down = await nobody.open().then(() => undefined, (e: Error) => e);
  assert.ok(down);
  assert.match(down.message, /cannot reach InfluxDB \(.*ECONNREFUSED/);
  assert.ok(!down.message.includes(ADMIN.password) && !down.message.includes(PASSWORD), down.message);
  await assert.rejects(nobody.write(msgs), /ECONNREFUSED/);
});

test('influx: points the server refuses for good (field type conflict) are logged, not retried forever', { skip: influxdSkip }, async () => {
  await createDb('conflict');
  const auth = { Authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` };
  // Another tool wrote "value" as an integer into the same measurement before.
  const res = await fetch(`${server.base}/write?db=conflict&precision=ms`, { method: 'POST', headers: auth, body: `meterwire,id=other value=1i ${START - 1000}` });
  assert.equal(res.status, 204);
  const records: LogRecord[] = [];
  const sink = createInfluxSink(urlFor('conflict'), testContext(records));
  await sink.open();
  await sink.write(simulatedMessages('nl-dsmr5', START, 1, 1000));
  const errors = records.filter((r) => r.level === 'error');
  assert.equal(errors.length, 1, JSON.stringify(records));
  assert.match(errors[0].msg, /refused points of this batch, they are not retried \(HTTP 400: partial write: field type conflict/);
  const [texts] = await server.query('SELECT count("text") FROM "meterwire"', 'conflict');
  assert.equal(texts.series![0].values[0][1], 4, 'the points without the conflict were written');
});

test('influx: server stopped mid-stream → writes fail and the fan-out spools; started again → every message arrives', { skip: influxdSkip }, async () => {
  await createDb('outage');
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-influx-outage-'));
  const records: LogRecord[] = [];
  const ctx = testContext(records);
  const sink = createInfluxSink(urlFor('outage'), ctx, { timeoutMs: 2000 });
  const fanout = createFanout([sink], { outboxPath: join(dir, 'outbox.db'), log: ctx.log, backoff: { initialMs: 50, maxMs: 300 }, batchSize: 10 });
  const msgs = simulatedMessages('at-evn-sagemcom-t210d', START, 60, 1000);
  const stats = () => fanout.stats()[0];
  let maxSpooled = 0;
  try {
    for (const m of msgs.slice(0, 20)) fanout.publish(m);
    await until('the first deliveries', () => stats().delivered === 20);
    await server.stop();
    for (const m of msgs.slice(20, 40)) fanout.publish(m);
    await until('failed writes while the server is away', () => {
      maxSpooled = Math.max(maxSpooled, stats().spooled);
      return stats().state === 'down' && stats().failures >= 2;
    });
    for (const m of msgs.slice(40)) fanout.publish(m);
    maxSpooled = Math.max(maxSpooled, stats().spooled);
    const failuresDuringOutage = stats().failures;
    await server.start();
    await until('every message delivered', () => stats().delivered === msgs.length);
    await fanout.close();
    assert.ok(maxSpooled > 0, 'spooled to disk while the server was away');
    assert.ok(failuresDuringOutage >= 2);
    assert.equal(stats().dropped, 0);
    assert.ok(records.some((r) => r.level === 'warn' && /down \((open|write) failed: .*cannot reach InfluxDB/.test(r.msg)), JSON.stringify(records));
    const [count] = await server.query(`SELECT count("value") FROM "meterwire" WHERE "id" = 'power_import'`, 'outage');
    assert.equal(count.series![0].values[0][1], msgs.length, 'one point per message, none lost');
    const [first] = await server.query(`SELECT first("value"), last("value") FROM "meterwire" WHERE "id" = 'energy_import'`, 'outage');
    assert.equal(first.series![0].values[0][1], msgs[0].readings.find((r) => r.id === 'energy_import')!.value);
    assert.equal(first.series![0].values[0][2], msgs.at(-1)!.readings.find((r) => r.id === 'energy_import')!.value);
  } finally {
    await fanout.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('influx: ?rp= writes into that retention policy; an unknown one is an error naming it', { skip: influxdSkip }, async () => {
  await createDb('rp');
  await server.query('CREATE RETENTION POLICY "two_years" ON "rp" DURATION 104w REPLICATION 1');
  const msgs = simulatedMessages('no-aidon', START, 2, 10_000);
  const sink = createInfluxSink(urlFor('rp', '?rp=two_years'), testContext());
  await sink.open();
  await sink.write(msgs);
  const [inRp] = await server.query(`SELECT count("value") FROM "two_years"."meterwire" WHERE "id" = 'power_import'`, 'rp');
  assert.equal(inRp.series![0].values[0][1], 2);
  const [inDefault] = await server.query('SELECT count("value") FROM "autogen"."meterwire"', 'rp');
  assert.equal(inDefault.series, undefined, 'nothing in the default policy');
  const wrong = createInfluxSink(urlFor('rp', '?rp=nope'), testContext());
  await assert.rejects(wrong.write(msgs), /InfluxDB write failed \(HTTP 500: retention policy not found: nope\)/);
});
