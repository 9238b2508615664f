import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createTopicIdReader } from '../src/fleet/worker/topic-id.js';
import { createFrameDecoder } from '../src/fleet/worker/frame-decoder.js';
import { createFrameErrorLog } from '../src/fleet/worker/error-log.js';
import { isLoopback, parseMetricsListen, startMetricsServer } from '../src/fleet/worker/metrics-server.js';
import { createFleetMetrics } from '../src/fleet/metrics.js';
import { applyFleetWorkerHeapFlags, FLEET_WORKER_HEAP_GROWING_PERCENT } from '../src/cli/fleet-worker-heap.js';
import { FLEET_WORKER_YOUNG_GENERATION_MB, youngGenerationSizedByUser } from '../src/cli/fleet-worker-thread.js';
import { isErrorMessage } from '../src/core/model/message.js';
import { asHex, memoryLog, simMeter } from './fleet-worker-support.js';

test('topic ids: the + level of the pattern; other shapes name no meter', () => {
  const id = createTopicIdReader('meters/+/raw');
  assert.equal(id('meters/gw-17/raw'), 'gw-17');
  assert.equal(id('meters/gw-17/raw/extra'), undefined);
  assert.equal(id('meters//raw'), undefined);
  assert.equal(id('other/gw-17/raw'), undefined);
  assert.equal(id('meters/gw-17/hex'), undefined);
  assert.equal(createTopicIdReader('$share/g/site/+/#')('site/a/b/c'), 'a');
  assert.equal(createTopicIdReader('+/p1')('x/p1'), 'x');
  for (const bad of ['meters/raw', 'meters/+/+/raw', 'meters/#/+', 'meters/a+/raw']) assert.throws(() => createTopicIdReader(bad), /one \+ level/);
});

test('frame decoder: meters share framers without leaking bytes from one payload into the next', () => {
  const decoder = createFrameDecoder();
  const meters = [simMeter(0, 'at-evn-kaifa-ma309'), simMeter(1, 'lu-smarty'), simMeter(2, 'no-aidon'), simMeter(3, 'nl-dsmr5')];
  for (let n = 0; n < 3; n++) {
    for (const m of meters) {
      const frame = m.frame(n);
      // A cut frame of the same framing first: it yields no message (the worker dead-letters it), and does not
      // spoil the whole frame after it.
      const cut = decoder.decode(frame.subarray(0, frame.length >> 1), m.meter);
      assert.ok(cut.every(isErrorMessage), `${m.meter.profile}: a cut frame is no message`);
      for (const payload of [frame, asHex(frame)]) {
        const out = decoder.decode(payload, m.meter);
        assert.equal(out.length, 1, `${m.meter.profile}`);
        assert.ok(!isErrorMessage(out[0]), JSON.stringify(out[0]));
      }
    }
  }
  // A key changed in the registry is used at once, not a cached one.
  const m = meters[1];
  const changed = { ...m.meter, gak: new Uint8Array(16) };
  const out = decoder.decode(m.frame(5), changed);
  assert.ok(isErrorMessage(out[0]) && out[0].error.code === 'AUTH_FAILED');
  assert.ok(!isErrorMessage(decoder.decode(m.frame(6), m.meter)[0]));
  // An unknown profile in the registry is an error message, not an exception.
  const odd = decoder.decode(m.frame(7), { ...m.meter, meterId: 'x', profile: 'no-such-profile' });
  assert.ok(isErrorMessage(odd[0]) && odd[0].error.code === 'UNKNOWN_PROFILE');
  const empty = decoder.decode(new Uint8Array(0), m.meter);
  assert.ok(isErrorMessage(empty[0]) && empty[0].error.code === 'BAD_INPUT');
});

test('frame decoder: each frame uses its own meter\'s keys; meters of one profile share nothing else that matters', () => {
  const decoder = createFrameDecoder();
  const a = simMeter(10, 'lu-smarty');
  const b = simMeter(11, 'lu-smarty');
  for (let n = 0; n < 3; n++) {
    for (const m of [a, b]) assert.ok(!isErrorMessage(decoder.decode(m.frame(n), m.meter)[0]), `${m.meter.meterId} frame ${n}`);
  }
  // a's frame with b's keys: the keys of the meter decoded just before are not reused.
  const swapped = decoder.decode(a.frame(3), { ...a.meter, guek: b.guek, gak: b.gak })[0];
  assert.ok(isErrorMessage(swapped) && swapped.error.code === 'AUTH_FAILED', JSON.stringify(swapped));
  // No key at all: the frame cannot be opened, whatever was decoded before.
  const keyless = decoder.decode(a.frame(4), { ...a.meter, guek: undefined, gak: undefined })[0];
  assert.ok(isErrorMessage(keyless) && keyless.error.code === 'MISSING_KEY', JSON.stringify(keyless));
  // A key changed in place after a frame (the directory replaced the meter) is read at the next frame.
  const meter = { ...a.meter, gak: Uint8Array.from(a.gak) };
  assert.ok(!isErrorMessage(decoder.decode(a.frame(5), meter)[0]));
  meter.gak[0] ^= 1;
  const flipped = decoder.decode(a.frame(6), meter)[0];
  assert.ok(isErrorMessage(flipped) && flipped.error.code === 'AUTH_FAILED');
  assert.ok(!isErrorMessage(decoder.decode(b.frame(7), b.meter)[0]), 'the other meter is unaffected');
});

test('frame error log: one line per meter per code per window, bounded', () => {
  const log = memoryLog();
  const errors = createFrameErrorLog(log, 60_000, 4);
  for (let t = 0; t < 10; t++) errors.report('m1', 'AUTH_FAILED', 'tag', t * 1000);
  errors.report('m1', 'WRONG_KEY', 'x', 0);
  errors.report('m2', 'AUTH_FAILED', 'tag', 0);
  assert.equal(log.lines.length, 3);
  errors.report('m1', 'AUTH_FAILED', 'tag', 60_000);
  assert.equal(log.lines.length, 4);
  assert.match(log.lines[3].msg, /9 more since the last report/);
  for (let i = 0; i < 100; i++) errors.report(`flood-${i}`, 'UNKNOWN_METER', 'x', 61_000);
  assert.equal(log.lines.length, 104, 'each new meter reports once');
});

test('metrics listener: loopback by default, a token off loopback', async () => {
  assert.deepEqual(parseMetricsListen('9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseMetricsListen(':9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseMetricsListen('0.0.0.0:1'), { host: '0.0.0.0', port: 1 });
  assert.deepEqual(parseMetricsListen('[::1]:9464'), { host: '::1', port: 9464 });
  assert.throws(() => parseMetricsListen('host:99999'), /host:port/);
  assert.ok(isLoopback('127.0.0.2') && !isLoopback('0.0.0.0'));
  const metrics = await createFleetMetrics();
  await assert.rejects(startMetricsServer({ host: '0.0.0.0', port: 0 }, metrics.registry, undefined), /TOKEN/);
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, metrics.registry, 'sesame');
  try {
    const url = `http://127.0.0.1:${server.address.port}/metrics`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const ok = await fetch(url, { headers: { authorization: 'Bearer sesame' } });
    assert.equal(ok.status, 200);
    assert.ok(!(await ok.text()).includes('sesame'));
  } finally {
    await server.close();
  }
});

function promtool(): string | undefined {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true and promtool is not installed');
    return 'promtool is not installed (apt-get install prometheus)';
  }
}

test('fleet metrics: names and exposition pass promtool check metrics', { skip: promtool() }, async () => {
  const metrics = await createFleetMetrics();
  metrics.observe({ queueDepth: () => 3, inBatch: () => 5, cachedMeters: () => 7 });
  metrics.payload(['AUTH_FAILED'], true);
  metrics.payload(['UNKNOWN_METER'], false);
  metrics.deadLetter('wrong-key');
  metrics.committed(10, 2, { inserted: 8, duplicates: 2, replays: 1, deadLetters: 3 }, 0.02);
  metrics.commitFailed();
  const text = await metrics.registry.metrics();
  const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(out.trim(), '', out);
  assert.match(text, /meterwire_fleet_frames_total\{outcome="stored"\} 8/);
  assert.match(text, /meterwire_fleet_wrong_key_frames_total 1/);
  assert.match(text, /meterwire_fleet_unknown_meter_frames_total 1/);
  assert.match(text, /meterwire_fleet_redeliveries_total 1/);
  assert.match(text, /meterwire_fleet_queue_depth 3/);
  assert.match(text, /meterwire_fleet_batch_commit_seconds_count 1/);
});

test('base values: the fast path gives exactly what toBaseUnit gives', async () => {
  const fc = (await import('fast-check')).default;
  const { baseValue } = await import('../src/fleet/worker/base-value.js');
  const { toBaseUnit } = await import('../src/core/model/base-units.js');
  // Every kind of unit: prefixed up and down, factor 1 aliases, base units, none (the factor is cached per unit).
  const units = ['kWh', 'kW', 'kvarh', 'MWh', 'GWh', 'kVA', 'VAr', 'kV', 'mV', 'mA', 'l', 'dm3', 'm³', 'kJ', 'Wh', 'V', 'Hz', '', '1', 'odd', undefined];
  fc.assert(fc.property(fc.oneof(fc.integer({ min: -1e12, max: 1e13 }), fc.constantFrom(0, -0)), fc.integer({ min: 0, max: 6 }), fc.constantFrom(...units), (digits, scale, unit) => {
    const value = digits / 10 ** scale; // a decimal as meters send them
    assert.equal(baseValue(value, unit), toBaseUnit(value, unit).value);
  }), { numRuns: 20000 });
  fc.assert(fc.property(fc.double({ noNaN: true }), fc.constantFrom(...units), (value, unit) => {
    assert.ok(Object.is(baseValue(value, unit), toBaseUnit(value, unit).value));
  }), { numRuns: 20000 });
});

test('worker heap growth: set from inside unless node was started with its own', () => {
  assert.equal(applyFleetWorkerHeapFlags(['--heap-growing-percent=50']), undefined);
  assert.equal(applyFleetWorkerHeapFlags(['--max-semi-space-size=4', '--heap_growing_percent', '50']), undefined);
  assert.equal(applyFleetWorkerHeapFlags(['--max-semi-space-size=4']), `--heap-growing-percent=${FLEET_WORKER_HEAP_GROWING_PERCENT}`);
});

test('the fleet worker runs in a thread with a small young generation unless node was told its size', () => {
  assert.equal(youngGenerationSizedByUser([], ''), false);
  assert.equal(youngGenerationSizedByUser(['--max-semi-space-size=8'], ''), true);
  assert.equal(youngGenerationSizedByUser(['--import', 'tsx'], '--max_semi_space_size=2 --trace-gc'), true);
  assert.equal(youngGenerationSizedByUser([], '--min-semi-space-size 1'), true);
  assert.equal(youngGenerationSizedByUser(['--max-old-space-size=96'], '--heap-growing-percent=20'), false);
  assert.equal(FLEET_WORKER_YOUNG_GENERATION_MB, 12);
});
