/**
 * grafana/dashboards/influxdb.json against a real influxd filled by the sink: three days of simulated meters
 * written through influx://, then every panel's InfluxQL run with Grafana's macros substituted the way Grafana
 * does ($timeFilter → `time >= <from>ms and time <= <to>ms`, $__interval → a duration, template variables as
 * Grafana formats them). Each query must succeed and return series with values; the key ones are checked
 * against the messages written. (Grafana itself is not installed here: the JSON's rendering is not checked.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toBaseUnit } from '../src/core/model/base-units.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { createInfluxSink } from '../src/sinks/influx/index.js';
import { influxdSkip, simulatedMessages, startInfluxd, testContext, type Influxd, type InfluxResult } from './sinks-influx-support.js';

interface Target { refId: string; query: string; rawQuery: boolean; datasource: { type: string; uid: string } }
interface Panel { id: number; type: string; title: string; datasource: { type: string; uid: string }; targets: Target[] }
interface Variable { name: string; type: string; query: string; current: { value: string | string[] } }
const dashboard = JSON.parse(readFileSync(new URL('../grafana/dashboards/influxdb.json', import.meta.url), 'utf8')) as {
  uid: string; panels: Panel[]; templating: { list: Variable[] };
};

const STEP_MS = 30 * 60_000;
const COUNT = 3 * 48;
const TZ = 'Europe/Amsterdam';
const NOW = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const PROFILES = ['nl-dsmr5', 'at-evn-sagemcom-t210d', 'no-aidon'];

let server: Influxd;
const written = new Map<string, MeterMessage[]>();

before(async () => {
  if (influxdSkip) return;
  server = await startInfluxd();
  await server.query('CREATE DATABASE "meterwire"');
  const sink = createInfluxSink(`influx://127.0.0.1:${server.port}/meterwire`, testContext());
  await sink.open();
  for (const profile of PROFILES) {
    const msgs = simulatedMessages(profile, NOW - (COUNT - 1) * STEP_MS, COUNT, STEP_MS);
    for (let i = 0; i < msgs.length; i += 48) await sink.write(msgs.slice(i, i + 48));
    written.set(profile, msgs);
  }
  await sink.close();
});
after(async () => { await server?.close(); });

/** Grafana's InfluxQL macro and variable expansion for one query. */
function expand(query: string, meterRegex: string): string {
  const out = query
    .replaceAll('$timeFilter', `time >= ${NOW - 7 * 86_400_000}ms and time <= ${NOW + 60_000}ms`)
    .replaceAll('$__interval', '30m')
    .replaceAll('$meter', meterRegex)
    .replaceAll('$tz', TZ);
  assert.ok(!/\$[\w{]/.test(out), `unexpanded variable in ${out}`);
  return out;
}

const meterId = (profile: string): string => written.get(profile)![0].meter.id!;

async function run(query: string): Promise<InfluxResult> {
  const [r] = await server.query(query, 'meterwire');
  return r;
}

test('grafana dashboard: provisioning-ready JSON, every panel on the ${datasource} variable with raw InfluxQL', () => {
  assert.equal(dashboard.uid, 'meterwire-influxdb');
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
  assert.ok(dashboard.panels.length >= 6);
  for (const p of dashboard.panels) {
    assert.deepEqual(p.datasource, { type: 'influxdb', uid: '${datasource}' }, p.title);
    assert.ok(p.targets.length > 0, p.title);
    for (const t of p.targets) {
      assert.deepEqual(t.datasource, { type: 'influxdb', uid: '${datasource}' }, p.title);
      assert.equal(t.rawQuery, true, p.title);
      assert.match(t.query, /\$timeFilter/, `${p.title}: limited to the dashboard's time range`);
    }
  }
  const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
  assert.equal(vars.datasource.type, 'datasource');
  assert.equal(vars.datasource.query, 'influxdb');
  assert.ok(vars.tz.query.split(',').includes(vars.tz.current.value as string));
  const provisioned = readFileSync(new URL('../grafana/provisioning/datasources/influxdb.yaml', import.meta.url), 'utf8');
  assert.match(provisioned, /uid: meterwire-influxdb/);
  assert.match(provisioned, /type: influxdb/);
});

test('grafana dashboard: the meter variable lists every meter written', { skip: influxdSkip }, async () => {
  const v = dashboard.templating.list.find((x) => x.name === 'meter')!;
  const r = await run(v.query);
  const values = r.series![0].values.map((row) => row[1]);
  assert.deepEqual(values.sort(), PROFILES.map(meterId).sort());
});

for (const p of dashboard.panels) {
  for (const t of p.targets) {
    test(`grafana panel "${p.title}" ${t.refId}: the query runs and returns series, for all meters and for a selection`, { skip: influxdSkip }, async () => {
      for (const meters of ['.*', `(${meterId('nl-dsmr5')}|${meterId('at-evn-sagemcom-t210d')})`]) {
        const r = await run(expand(t.query, meters));
        assert.ok(r.series && r.series.length > 0, `${p.title} ${t.refId} (${meters}): no series`);
        for (const s of r.series) assert.ok(s.values.some((row) => typeof row[1] === 'number'), `${p.title}: ${JSON.stringify(s.tags)} has no values`);
      }
    });
  }
}

const queryOf = (title: string, refId = 'A'): string => dashboard.panels.find((p) => p.title === title)!.targets.find((t) => t.refId === refId)!.query;

test('grafana panels: power now, voltage per phase and energy per day say what the messages said', { skip: influxdSkip }, async () => {
  const evn = written.get('at-evn-sagemcom-t210d')!;
  const reading = (m: MeterMessage, id: string): number => m.readings.find((r) => r.id === id)!.value as number;

  const now = await run(expand(queryOf('Power now'), meterId('at-evn-sagemcom-t210d')));
  assert.equal(now.series!.length, 1);
  assert.equal(now.series![0].values[0][1], reading(evn.at(-1)!, 'power_import'));

  const volts = await run(expand(queryOf('Voltage per phase'), meterId('nl-dsmr5')));
  assert.deepEqual(volts.series!.map((s) => s.tags!.phase).sort(), ['L1', 'L2', 'L3']);

  // Energy per day: the register's last value of each local day minus that of the day before.
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
  const lastPerDay = new Map<string, number>();
  for (const m of evn) lastPerDay.set(day.format(Date.parse(m.timestamp!)), reading(m, 'energy_import'));
  const lasts = [...lastPerDay.values()];
  const expected = lasts.slice(1).map((v, i) => Math.max(0, v - lasts[i]));
  const energy = await run(expand(queryOf('Energy per day'), meterId('at-evn-sagemcom-t210d')));
  const series = energy.series!.find((s) => s.tags!.id === 'energy_import')!;
  assert.deepEqual(series.values.map((row) => row[1]), expected);
  assert.ok(expected.some((v) => v > 0), 'the simulated meter used energy');

  const dsmr = written.get('nl-dsmr5')!;
  const dsmrEnergy = await run(expand(queryOf('Energy per day'), meterId('nl-dsmr5')));
  assert.deepEqual(dsmrEnergy.series!.map((s) => s.tags!.id).sort(), ['energy_export_t1', 'energy_export_t2', 'energy_import_t1', 'energy_import_t2']);
  assert.equal(toBaseUnit(dsmr[0].readings.find((r) => r.id === 'energy_import_t1')!.value as number, 'kWh').unit, 'Wh');
});
