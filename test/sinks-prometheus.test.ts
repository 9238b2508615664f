/**
 * Prometheus sink over real HTTP: simulated meters' messages in, a scrape with fetch, the exposition text parsed
 * back: one sample per numeric reading with the message's latest value, the reader's health and the
 * per-output delivery counters as the context reports them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createPrometheusSink } from '../src/sinks/prometheus/prometheus-sink.js';
import type { OutputStats, SinkContext, SinkHealth } from '../src/sinks/types.js';
import { parseExposition, type Sample } from './prometheus-support.js';

const NOW = Date.UTC(2026, 1, 10, 8, 0, 0);

function simulated(profile: string, at = NOW): MeterMessage {
  const d = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const [msg] = [...d.push(createSimulator({ profile, frameCounter: 9 }).frame(at)), ...d.flush()];
  assert.ok(msg && !isErrorMessage(msg), JSON.stringify(msg));
  return msg;
}

/** Messages of one simulated meter at the times given (its registers count up between them). */
function simulatedAt(profile: string, ...times: number[]): MeterMessage[] {
  const d = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const sim = createSimulator({ profile, frameCounter: 9 });
  return times.map((at) => {
    const [msg] = [...d.push(sim.frame(at)), ...d.flush()];
    assert.ok(msg && !isErrorMessage(msg), JSON.stringify(msg));
    return msg;
  });
}


function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

const HEALTH: SinkHealth = {
  state: 'ok', framesOk: 120, messages: 118, errors: { AUTH_FAILED: 2, BAD_CHECKSUM: 5 }, discardedBytes: 345,
  resyncs: 3, unverified: 7, replays: 1, lastFrameAgeMs: 2500,
};
const OUTPUTS: OutputStats[] = [
  { name: 'prometheus://127.0.0.1:0/', state: 'up', queued: 0, spooled: 0, delivered: 118, dropped: 0, failures: 0 },
  { name: 'mqtt://broker:1883/', state: 'down', queued: 4, spooled: 40, delivered: 70, dropped: 2, failures: 9 },
];

function context(health: () => SinkHealth = () => HEALTH): SinkContext {
  const quiet = (): void => {};
  return { log: { info: quiet, warn: quiet, error: quiet }, health, outputs: () => OUTPUTS, stateDir: '.' };
}

async function scrape(port: number, path = '/metrics'): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`);
}

test('prometheus: every numeric reading of every meter is on the page with its latest value', async () => {
  const sink = createPrometheusSink('prometheus://127.0.0.1:0', context());
  await sink.open();
  try {
    const austrian = simulated('at-evn-sagemcom-t210d');
    const [dutch, dutchLater] = simulatedAt('nl-dsmr5', NOW - 10_000, NOW);
    await sink.write([austrian, dutch]);
    await sink.write([dutchLater]);
    const res = await scrape(sink.address()!.port);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(await res.text());
    // Names and units are tested in prometheus-units.test.ts; here: one sample per numeric reading, latest value.
    for (const msg of [austrian, dutchLater]) {
      const meter = msg.meter.id!;
      const numeric = msg.readings.filter((r) => typeof r.value === 'number');
      const ofMeter = samples.filter((s) => s.labels.meter === meter && !s.name.startsWith('meterwire_meter')
        && !s.name.startsWith('meterwire_message'));
      assert.equal(ofMeter.length, numeric.length, `${meter}: one sample per numeric reading`);
      assert.ok(numeric.length >= 10, `${meter}: ${numeric.length} numeric readings`);
      assert.equal(find(samples, 'meterwire_message_timestamp_seconds', { meter })[0]?.value, Date.parse(msg.timestamp!) / 1000);
    }
    // The page has the later message's values: a phase voltage that changed between the two.
    const value = (m: MeterMessage, id: string): number => m.readings.find((r) => r.id === id)!.value as number;
    const phase = ['l1', 'l2', 'l3'].find((l) => value(dutch, `voltage_${l}`) !== value(dutchLater, `voltage_${l}`));
    assert.ok(phase, 'a voltage changed between the two Dutch messages');
    assert.equal(find(samples, 'meterwire_voltage_phase_volts', { meter: dutch.meter.id!, phase })[0]?.value,
      value(dutchLater, `voltage_${phase}`));
    assert.equal(types.get('meterwire_energy_import_joules_total'), 'counter');
    assert.equal(find(samples, 'meterwire_energy_import_joules_total', { meter: austrian.meter.id! })[0]?.value,
      (austrian.readings.find((r) => r.id === 'energy_import')!.value as number) * 3600);
    assert.equal(find(samples, 'meterwire_energy_import_tariff_joules_total', { meter: dutch.meter.id!, tariff: 't1' })[0]?.value,
      value(dutchLater, 'energy_import_t1') * 3.6e6);
    assert.equal(find(samples, 'meterwire_meter_messages_total', { meter: dutch.meter.id! })[0]?.value, 2);
    assert.equal(find(samples, 'meterwire_meter_messages_total', { meter: austrian.meter.id! })[0]?.value, 1);
  } finally {
    await sink.close();
  }
});

test('prometheus: reader health and per-output delivery counters come from the context at scrape time', async () => {
  let health = HEALTH;
  const sink = createPrometheusSink('prometheus://127.0.0.1:0/custom', context(() => health));
  await sink.open();
  try {
    const port = sink.address()!.port;
    assert.equal((await scrape(port)).status, 404, 'metrics are at the URL path');
    let { samples, types } = parseExposition(await (await scrape(port, '/custom')).text());
    const one = (name: string, labels: Record<string, string> = {}): number | undefined => find(samples, name, labels)[0]?.value;
    assert.equal(one('meterwire_frames_ok_total'), 120);
    assert.equal(types.get('meterwire_frames_ok_total'), 'counter');
    assert.equal(one('meterwire_messages_total'), 118);
    assert.equal(one('meterwire_errors_total', { code: 'AUTH_FAILED' }), 2);
    assert.equal(one('meterwire_errors_total', { code: 'BAD_CHECKSUM' }), 5);
    assert.equal(one('meterwire_discarded_bytes_total'), 345);
    assert.equal(one('meterwire_resyncs_total'), 3);
    assert.equal(one('meterwire_unverified_total'), 7);
    assert.equal(one('meterwire_replays_total'), 1);
    assert.equal(one('meterwire_last_frame_age_seconds'), 2.5);
    assert.equal(one('meterwire_reader_state', { state: 'ok' }), 1);
    assert.equal(one('meterwire_reader_state', { state: 'stale' }), 0);
    // Output labels were the outputs' URLs; now a short name per output (issue 7: no URL in a metric label).
    const mqtt = 'mqtt-1';
    assert.equal(one('meterwire_output_queued', { output: mqtt }), 4);
    assert.equal(one('meterwire_output_spooled', { output: mqtt }), 40);
    assert.equal(one('meterwire_output_delivered_total', { output: mqtt }), 70);
    assert.equal(one('meterwire_output_dropped_total', { output: mqtt }), 2);
    assert.equal(one('meterwire_output_failures_total', { output: mqtt }), 9);
    assert.equal(one('meterwire_output_state', { output: mqtt, state: 'down' }), 1);
    assert.equal(one('meterwire_output_delivered_total', { output: 'prometheus-1' }), 118);
    assert.ok(samples.every((x) => !Object.values(x.labels).some((v) => v.includes('://'))), 'no URL in any label');

    // Values are pulled per scrape: a later scrape shows the reader's new numbers; an unknown age is NaN.
    health = { ...HEALTH, framesOk: 121, state: 'stale', lastFrameAgeMs: undefined };
    ({ samples, types } = parseExposition(await (await scrape(port, '/custom')).text()));
    assert.equal(one('meterwire_frames_ok_total'), 121);
    assert.equal(one('meterwire_reader_state', { state: 'stale' }), 1);
    assert.ok(Number.isNaN(one('meterwire_last_frame_age_seconds')));
  } finally {
    await sink.close();
  }
});

test('prometheus: own registry per sink, a failing health callback gives 500 not a crash, close is idempotent', async () => {
  const a = createPrometheusSink('prometheus://127.0.0.1:0', context());
  const b = createPrometheusSink('prometheus://127.0.0.1:0', context(() => { throw new Error('health broke'); }));
  await a.open();
  await b.open();
  try {
    await a.write([simulated('no-aidon')]);
    assert.match(await a.metrics(), /meterwire_power_import_watts\{meter="7359992890941742"\}/);
    assert.equal((await scrape(b.address()!.port)).status, 500);
    assert.doesNotMatch(await (await scrape(a.address()!.port)).text(), /health broke/);
    assert.equal(a.durable, false);
  } finally {
    await a.close();
    await b.close();
    await a.close();
  }
  assert.throws(() => createPrometheusSink('http://127.0.0.1:9464', context()), /prometheus:\/\//);
});
