/**
 * Prometheus output in base units, over real HTTP: DSMR meters (kW, kWh, per phase, per tariff) and DLMS meters
 * (W, Wh, varh) on one page, which `promtool check metrics` (Debian's prometheus package) must pass without a
 * word; every reading under the name its base unit gives it, with labels for phase and tariff; the sum of a DSMR
 * and a DLMS meter's power in watts; unmapped readings in a family of their own unit; no secret, no URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MeterMessage, Reading } from '../src/core/model/message.js';
import { DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { createPrometheusSink } from '../src/sinks/prometheus/prometheus-sink.js';
import type { OutputStats } from '../src/sinks/types.js';
import {
  constructed, context, find, HEALTH, parseExposition, promtoolCheckMetrics, promtoolSkip, simulated,
  type Sample,
} from './prometheus-support.js';

/** DSMR (kW/kWh: nl-dsmr5, be-fluvius, lu-smarty) and DLMS (W/Wh/varh) meters, three-phase, with tariffs. */
const PROFILES = ['nl-dsmr5', 'be-fluvius', 'lu-smarty', 'at-evn-sagemcom-t210d', 'at-lg-e450',
  'at-wienernetze-siemens', 'no-aidon'];

/** The unit a reading's metric name must carry, and the factor from the meter's unit to it. */
const UNIT: Readonly<Record<string, readonly [string, number]>> = {
  kWh: ['joules', 3.6e6], Wh: ['joules', 3600], kvarh: ['var_seconds', 3.6e6], varh: ['var_seconds', 3600],
  kW: ['watts', 1000], W: ['watts', 1], kvar: ['vars', 1000], var: ['vars', 1], V: ['volts', 1], A: ['amperes', 1],
  '': ['ratio', 1],
};

/** Where the naming rules put a reading: written out here independently of the sink's tables. */
function expectedSeries(r: Reading & { value: number }): { name: string; labels: Record<string, string>; value: number } {
  let stem = r.id;
  const labels: Record<string, string> = {};
  let infix = '';
  const phase = /^(.+)_(l[1-3])$/.exec(stem);
  if (phase) { stem = phase[1]; labels.phase = phase[2]; infix = '_phase'; }
  const tariff = /^(.+)_(t[1-9])$/.exec(stem);
  if (tariff) { stem = tariff[1]; labels.tariff = tariff[2]; infix = '_tariff'; }
  const unit = UNIT[r.unit ?? ''];
  assert.ok(unit, `${r.id}: no expectation for unit ${r.unit}`);
  const counter = /energy/.test(stem);
  return { name: `meterwire_${stem}${infix}_${unit[0]}${counter ? '_total' : ''}`, labels, value: r.value * unit[1] };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
}

async function withSink<T>(messages: MeterMessage[][], outputs: OutputStats[] | undefined,
  use: (page: string) => Promise<T>): Promise<T> {
  const sink = createPrometheusSink('prometheus://127.0.0.1:0', context(() => HEALTH, outputs && (() => outputs)));
  await sink.open();
  try {
    for (const batch of messages) await sink.write(batch);
    const res = await fetch(`http://127.0.0.1:${sink.address()!.port}/metrics`);
    assert.equal(res.status, 200);
    return await use(await res.text());
  } finally {
    await sink.close();
  }
}

const meters = PROFILES.map((p) => simulated(p));

test('prometheus units: promtool check metrics passes a page of DSMR and DLMS meters, silently', async (t) => {
  const skip = await promtoolSkip();
  if (skip) { t.skip(skip); return; }
  // The check can fail: a name with the unit in hours is what promtool rejects (why energy is in joules).
  const bad = await promtoolCheckMetrics('# HELP x_energy_watt_hours_total e\n# TYPE x_energy_watt_hours_total counter\nx_energy_watt_hours_total 1\n');
  assert.notEqual(bad.code, 0);
  assert.match(bad.output, /use base unit "seconds" instead of "hours"/);

  await withSink([meters.slice(0, 3), meters.slice(3)], undefined, async (page) => {
    const { samples, types } = parseExposition(page);
    assert.ok(samples.length > 120 && types.size > 30, `${samples.length} samples, ${types.size} families`);
    const { code, output } = await promtoolCheckMetrics(page);
    assert.equal(output, '', 'promtool printed problems');
    assert.equal(code, 0);
  });
});

test('prometheus units: every numeric reading under its base-unit name, phase and tariff as labels', async () => {
  await withSink([meters], undefined, async (page) => {
    const { samples, types, helps } = parseExposition(page);
    /** Metric name → the meters' units that went into it. */
    const unitsByName = new Map<string, Set<string>>();
    let checked = 0;
    for (const msg of meters) {
      const meter = msg.meter.id!;
      for (const r of msg.readings) {
        if (typeof r.value !== 'number') continue;
        const want = expectedSeries(r as Reading & { value: number });
        const got = find(samples, want.name, { meter, ...want.labels });
        assert.equal(got.length, 1, `${meter} ${r.id} (${r.unit}) → ${want.name}${JSON.stringify(want.labels)}`);
        assert.deepEqual(Object.keys(got[0].labels).sort(), ['meter', ...Object.keys(want.labels)].sort());
        assert.ok(close(got[0].value, want.value), `${meter} ${r.id}: ${got[0].value} ≠ ${want.value}`);
        assert.equal(types.get(want.name), want.name.endsWith('_total') ? 'counter' : 'gauge', want.name);
        assert.ok((helps.get(want.name) ?? '').length > 10, `${want.name} has HELP`);
        const base = (r.unit ?? '').replace(/^k(?=W|var)/, '');
        if (!unitsByName.has(want.name)) unitsByName.set(want.name, new Set());
        unitsByName.get(want.name)!.add(base);
        checked++;
      }
    }
    assert.ok(checked > 80, `${checked} readings checked`);
    for (const [name, units] of unitsByName) assert.equal(units.size, 1, `${name} holds ${[...units].join(', ')}`);
    // Both kinds of meter share the families: DSMR kWh and DLMS Wh registers in one joules counter.
    const importT1 = find(samples, 'meterwire_energy_import_tariff_joules_total', { tariff: 't1' });
    assert.ok(importT1.some((s) => s.labels.meter === meters[0].meter.id) && importT1.some((s) => s.labels.meter === meters[4].meter.id));
    assert.equal(find(samples, 'meterwire_voltage_phase_volts', { meter: meters[0].meter.id! }).length, 3);
    // Nothing of the old mixed-unit gauge is left, and no family name carries a unit other than its own.
    assert.equal(types.has('meterwire_reading'), false);
    for (const name of types.keys()) assert.doesNotMatch(name, /kilo|_k?wh|_hours|_kw/, name);
  });
});

test('prometheus units: the sum over a DSMR (kW) and a DLMS (W) meter is their power in watts', async () => {
  // Evening hours, when the simulated households draw power (kW and W values that differ).
  const dsmr = simulated('nl-dsmr5', Date.UTC(2026, 1, 10, 19));
  const dlms = simulated('at-evn-sagemcom-t210d', Date.UTC(2026, 1, 10, 21));
  const power = (m: MeterMessage): Reading => m.readings.find((r) => r.id === 'power_import')!;
  assert.equal(power(dsmr).unit, 'kW');
  assert.equal(power(dlms).unit, 'W');
  assert.ok((power(dsmr).value as number) > 0 && (power(dlms).value as number) > 0);
  const watts = (power(dsmr).value as number) * 1000 + (power(dlms).value as number);
  await withSink([[dsmr, dlms]], undefined, async (page) => {
    const { samples } = parseExposition(page);
    const series = find(samples, 'meterwire_power_import_watts');
    assert.deepEqual(series.map((s) => s.labels.meter).sort(), [dsmr.meter.id, dlms.meter.id].sort());
    const sum = series.reduce((a, s) => a + s.value, 0);
    assert.ok(close(sum, watts), `sum ${sum} W, expected ${watts} W`);
    assert.ok(!close(sum, (power(dsmr).value as number) + (power(dlms).value as number)), 'not the mixed-unit sum');
  });
});

test('prometheus units: readings without a mapping get a family of their own unit, never a mixed one', async (t) => {
  const lab = [
    constructed('lab-1', [
      ['1-0:99.1.0', 'obis_1_0_99_1_0', 5, 'kWh'],
      ['1-0:1.7.0', 'power_import', 2, 'kWh'], // a power reading in an energy unit: not in the watts family
      ['0-0:99.2.0', 'obis_0_0_99_2_0', 3, 'm/s'],
      ['0-0:99.3.0', 'obis_0_0_99_3_0', 1, 'Nm3'],
      ['0-0:99.4.0', 'obis_0_0_99_4_0', 4, undefined],
      ['0-0:99.5.0', 'obis_0_0_99_5_0', 21.5, '°C'],
      ['0-0:96.1.1', 'equipment_id', 'E0044', undefined],
      ['1-0:13.7.0', 'power_factor', 95, '%'],
      ['0-0:99.6.0', 'obis_0_0_99_6_0', 40, '%'],
    ]),
    constructed('lab-2', [
      ['1-0:99.1.0', 'obis_1_0_99_1_0', 700, 'Wh'],
      ['0-0:99.3.0', 'obis_0_0_99_3_0', 2, 'nm3'], // a different unit with the same lower-case spelling
    ]),
  ];
  await withSink([lab], undefined, async (page) => {
    const { samples, types } = parseExposition(page);
    const one = (name: string, labels: Record<string, string>): number => {
      const s = find(samples, name, labels);
      assert.equal(s.length, 1, `${name} ${JSON.stringify(labels)} in\n${page}`);
      return s[0].value;
    };
    const joules = 'meterwire_unmapped_reading_joules';
    assert.equal(one(joules, { meter: 'lab-1', id: 'obis_1_0_99_1_0', obis: '1-0:99.1.0' }), 5 * 3.6e6);
    assert.equal(one(joules, { meter: 'lab-2', id: 'obis_1_0_99_1_0' }), 700 * 3600);
    assert.equal(one(joules, { meter: 'lab-1', id: 'power_import' }), 2 * 3.6e6);
    assert.equal(find(samples, 'meterwire_power_import_watts').length, 0);
    assert.equal(one('meterwire_unmapped_reading_unitm_units', { id: 'obis_0_0_99_2_0' }), 3);
    assert.equal(one('meterwire_unmapped_reading', { id: 'obis_0_0_99_4_0' }), 4);
    assert.equal(one('meterwire_unmapped_reading_celsius', { id: 'obis_0_0_99_5_0' }), 21.5);
    assert.equal(one('meterwire_power_factor_ratio', { meter: 'lab-1' }), 0.95);
    assert.equal(one('meterwire_unmapped_reading_ratio', { id: 'obis_0_0_99_6_0' }), 0.4);
    const nm3 = samples.filter((s) => s.labels.id === 'obis_0_0_99_3_0');
    assert.equal(nm3.length, 2);
    assert.notEqual(nm3[0].name, nm3[1].name, 'Nm3 and nm3 under different names');
    assert.equal(find(samples, 'meterwire_unmapped_reading_nm3').length, 1);
    assert.ok(samples.every((s) => s.labels.id !== 'equipment_id'), 'text readings are not samples');
    for (const name of types.keys()) if (name.startsWith('meterwire_unmapped')) assert.equal(types.get(name), 'gauge');
    const skip = await promtoolSkip();
    if (skip) { t.diagnostic(skip); return; }
    const { code, output } = await promtoolCheckMetrics(page);
    assert.equal(output, '');
    assert.equal(code, 0);
  });
});

test('prometheus units: no secret and no URL on the page', async () => {
  const outputs: OutputStats[] = [
    { name: 'mqtt://meterwire:s3cretPass@broker.lan:1883/meters?password=p4ssword', state: 'up', queued: 0, spooled: 0,
      delivered: 3, dropped: 0, failures: 0 },
    { name: 'postgres://u:dbSecret9@db.lan/meters?name=history', state: 'down', queued: 1, spooled: 2, delivered: 0,
      dropped: 0, failures: 1 },
  ];
  await withSink([meters], outputs, async (page) => {
    for (const secret of ['s3cretPass', 'p4ssword', 'dbSecret9', DEMO_KEY, DEMO_AUTH_KEY, 'broker.lan', 'db.lan']) {
      assert.ok(!page.includes(secret), `page contains ${secret}`);
    }
    assert.doesNotMatch(page, /:\/\//, 'no URL anywhere on the page');
    const { samples } = parseExposition(page);
    const outputsSeen = new Set(samples.filter((s: Sample) => s.labels.output).map((s) => s.labels.output));
    assert.deepEqual([...outputsSeen].sort(), ['history', 'mqtt-1']);
  });
});

test('prometheus units: a register that goes down is held and counted, implausible values are not exported', async () => {
  const warnings: string[] = [];
  const sink = createPrometheusSink('prometheus://127.0.0.1:0', context(undefined, undefined, warnings));
  const reg = (wh: number, quality: [] | ['implausible'] = []): MeterMessage =>
    constructed('m1', [['1-0:1.8.0', 'energy_import', wh, 'Wh', quality], ['1-0:32.7.0', 'voltage_l1', 230, 'V']]);
  const read = async (): Promise<Sample[]> => parseExposition(await sink.metrics()).samples;
  const energy = async (): Promise<number | undefined> =>
    find(await read(), 'meterwire_energy_import_joules_total', { meter: 'm1' })[0]?.value;
  const decreases = async (): Promise<number | undefined> =>
    find(await read(), 'meterwire_register_decreases_total', { meter: 'm1', id: 'energy_import' })[0]?.value;

  await sink.write([reg(1000)]);
  assert.equal(await energy(), 1000 * 3600);
  await sink.write([reg(999)]);
  assert.equal(await energy(), 1000 * 3600, 'held: Prometheus would take a decrease for a reset');
  assert.equal(await decreases(), 1);
  await sink.write([reg(998)]);
  assert.equal(await decreases(), 2);
  assert.equal(warnings.length, 1, 'one warning per run of lower readings');
  assert.match(warnings[0], /energy_import of meter m1 went down \(3596400 < 3600000\)/);
  await sink.write([reg(1001)]);
  assert.equal(await energy(), 1001 * 3600, 'counts on once the register passes the held value');
  await sink.write([reg(1e15, ['implausible'])]);
  assert.equal(await energy(), 1001 * 3600, 'an implausible register does not move the counter');
  assert.equal(find(await read(), 'meterwire_readings_rejected_total', { meter: 'm1', id: 'energy_import', reason: 'implausible' })[0]?.value, 1);
  await sink.write([constructed('m1', [['0-0:96.7.21', 'power_failures', -3, undefined]])]);
  assert.equal(find(await read(), 'meterwire_readings_rejected_total', { id: 'power_failures', reason: 'negative' })[0]?.value, 1);
  assert.equal(find(await read(), 'meterwire_power_failures_total').length, 0);
  await sink.write([reg(999)]);
  assert.equal(warnings.length, 2, 'a new run of lower readings warns again');
  await sink.close();
});

test('prometheus units: health metrics are unchanged beside the readings', async () => {
  await withSink([meters.slice(0, 2)], undefined, async (page) => {
    const { samples, types } = parseExposition(page);
    assert.equal(find(samples, 'meterwire_frames_ok_total')[0]?.value, HEALTH.framesOk);
    assert.equal(find(samples, 'meterwire_errors_total', { code: 'BAD_CHECKSUM' })[0]?.value, 5);
    assert.equal(types.get('meterwire_output_failures_total'), 'counter');
    assert.equal(find(samples, 'meterwire_meter_messages_total', { meter: meters[0].meter.id! })[0]?.value, 1);
    assert.equal(find(samples, 'meterwire_message_timestamp_seconds', { meter: meters[1].meter.id! })[0]?.value,
      Date.parse(meters[1].timestamp!) / 1000);
  });
});
