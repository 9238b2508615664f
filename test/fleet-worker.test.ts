import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFleetWorker, type FleetWorkerOptions } from '../src/fleet/worker/fleet-worker.js';
import { decode } from '../src/index.js';
import { toBaseUnit } from '../src/core/model/base-units.js';
import {
  asHex, assertAckedAfterCommit, MemoryConsumer, MemoryDirectory, memoryLog, MemoryStore, simMeter, until, type FleetEvent, type SimMeter,
} from './fleet-worker-support.js';

const PROFILES = ['lu-smarty', 'at-evn-kaifa-ma309', 'nl-dsmr5', 'no-aidon', 'at-wienernetze-siemens', 'at-kaernten-am550'];

function setup(extra: Partial<FleetWorkerOptions> = {}, pausable = false) {
  const events: FleetEvent[] = [];
  const consumer = new MemoryConsumer(events, pausable);
  const directory = new MemoryDirectory();
  const store = new MemoryStore(events);
  const log = memoryLog();
  const worker = createFleetWorker({
    consumer, directory, store, log, topicPattern: 'meters/+/raw', maxBatch: 50, maxWaitMs: 5,
    retry: { initialMs: 1, maxMs: 2 }, sleep: async () => {}, ...extra,
  });
  return { events, consumer, directory, store, log, worker };
}

function register(directory: MemoryDirectory, meters: SimMeter[]): void {
  for (const m of meters) directory.meters.set(m.meter.topicId, m.meter);
}

/** The energy import the core decoder reads from the same frame, in Wh: the reference for the stored column. */
function expectedEnergyImport(m: SimMeter, frame: Uint8Array): number | null {
  const msg = decode(frame, { key: m.guek, authKey: m.gak, profile: m.meter.profile })[0];
  if ('error' in msg) throw new Error(msg.error.message);
  const r = msg.readings.find((x) => x.obis === '1-0:1.8.0');
  return r && typeof r.value === 'number' ? toBaseUnit(r.value, r.unit).value : null;
}

test('fleet worker: frames of several profiles and meters are stored once each, acked exactly once and only after their commit', async () => {
  const { events, consumer, directory, store, worker } = setup();
  const meters = PROFILES.flatMap((p, i) => [simMeter(2 * i, p), simMeter(2 * i + 1, p)]);
  register(directory, meters);
  await worker.start();
  const sent: { m: SimMeter; frame: Uint8Array }[] = [];
  for (let n = 0; n < 20; n++) {
    for (const [i, m] of meters.entries()) {
      const frame = m.frame(n);
      sent.push({ m, frame });
      consumer.publish(`meters/${m.meter.topicId}/raw`, (n + i) % 3 === 0 ? asHex(frame) : frame);
    }
  }
  await until('every message acked', () => consumer.messages.every((x) => x.acks > 0));
  await worker.stop();
  assert.equal(consumer.messages.length, sent.length);
  assert.deepEqual(consumer.messages.filter((x) => x.acks !== 1).map((x) => x.seq), [], 'each message acked exactly once');
  assert.equal(assertAckedAfterCommit(events), undefined);
  const ackOrder = events.flatMap((e) => (e.type === 'ack' ? [e.message.seq] : []));
  assert.deepEqual(ackOrder, consumer.messages.map((x) => x.seq), 'acks in arrival order');
  assert.equal(store.deadLetters.length, 0, JSON.stringify(store.deadLetters.map((d) => d.detail)));
  assert.equal(store.rows.size, sent.length);
  assert.ok(store.commits > 1, 'the frames went in more than one batch (maxBatch 50)');
  // The stored values are the core decoder's, in base units; trust flags come from the message.
  for (const [i, { m, frame }] of sent.entries()) {
    const row = [...store.rows.values()].find((r) => r.payload === consumer.messages[i].payload);
    assert.ok(row, `row of message ${i}`);
    assert.equal(row.meterId, m.meter.meterId);
    assert.equal(row.columns.energy_import, expectedEnergyImport(m, frame));
    if (m.sim.encrypted && !m.sim.authenticated) assert.ok(row.flags.includes('unauthenticated'), `${m.meter.profile} is flagged`);
    if (m.sim.authenticated) assert.ok(!row.flags.includes('unauthenticated'), `${m.meter.profile} verified`);
  }
  assert.ok(consumer.closed);
});

test('fleet worker: a commit that throws twice is retried with the same batch; acks only after it succeeds, nothing doubled', async () => {
  const { events, consumer, directory, store, worker, log } = setup({ maxBatch: 1000, maxWaitMs: 20 });
  const meters = [simMeter(0, 'lu-smarty'), simMeter(1, 'nl-dsmr5'), simMeter(2, 'at-evn-kaifa-ma309')];
  register(directory, meters);
  store.failNext = 2;
  await worker.start();
  for (let n = 0; n < 10; n++) for (const m of meters) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n));
  await until('every message acked', () => consumer.messages.every((x) => x.acks > 0));
  // A redelivery of already committed frames: stored once, acked again (it is a new delivery).
  const again = consumer.messages.slice(0, 3).map((x) => consumer.publish(x.topic, x.payload, true));
  await until('the redeliveries acked', () => again.every((x) => x.acks === 1));
  await worker.stop();
  const kinds = events.map((e) => e.type);
  assert.deepEqual(kinds.slice(0, 3), ['commit-failed', 'commit-failed', 'commit'], 'no ack before the third attempt committed');
  assert.equal(assertAckedAfterCommit(events), undefined);
  assert.deepEqual(consumer.messages.map((x) => x.acks), consumer.messages.map(() => 1));
  const ackOrder = events.flatMap((e) => (e.type === 'ack' ? [e.message.seq] : []));
  assert.deepEqual(ackOrder, consumer.messages.map((x) => x.seq));
  assert.equal(store.rows.size, 30, 'every frame once, the redeliveries not again');
  assert.equal(worker.stats.commitFailures, 2);
  // The store's error is logged once (rate limit), and without the password of its URL.
  const storeLines = log.lines.filter((l) => l.msg.includes('not committed'));
  assert.equal(storeLines.length, 1);
  assert.ok(!storeLines[0].msg.includes('s3cret'), storeLines[0].msg);
});

test('fleet worker: unknown meter, wrong key, garbage and a wrong system title become dead letters; other meters are unaffected; one log line per meter per code per minute', async () => {
  let clock = 1_000_000;
  const { consumer, directory, store, worker, log } = setup({ now: () => clock });
  const good = [simMeter(0, 'lu-smarty'), simMeter(1, 'at-evn-kaifa-ma309'), simMeter(2, 'nl-dsmr5')];
  const authWrong = simMeter(3, 'lu-smarty');
  const encWrong = simMeter(4, 'at-evn-kaifa-ma309');
  const unknown = simMeter(5, 'no-aidon');
  // A meter that sends on another meter's topic with that meter's keys: it decrypts, but its title is not the registered one.
  const host = simMeter(6, 'at-evn-kaifa-ma309');
  const stranger = simMeter(7, 'at-evn-sagemcom-t210d');
  register(directory, [...good, authWrong, encWrong, host]);
  directory.meters.set(authWrong.meter.topicId, { ...authWrong.meter, guek: encWrong.guek, gak: encWrong.gak });
  directory.meters.set(encWrong.meter.topicId, { ...encWrong.meter, guek: authWrong.guek });
  const { createSimulator } = await import('../src/sim/simulator.js');
  const strangerSim = createSimulator({ profile: 'at-evn-sagemcom-t210d', key: host.guek, authKey: host.gak, seed: 9 });
  assert.notEqual(stranger.meter.systemTitle, host.meter.systemTitle, 'the two profiles have different system titles');
  await worker.start();
  const topic = (m: SimMeter) => `meters/${m.meter.topicId}/raw`;
  const garbage = new TextEncoder().encode('hello, this is no meter frame');
  for (let n = 0; n < 6; n++) {
    for (const m of good) consumer.publish(topic(m), m.frame(n));
    consumer.publish(topic(authWrong), authWrong.frame(n));
    consumer.publish(topic(encWrong), encWrong.frame(n));
    consumer.publish(topic(unknown), unknown.frame(n));
    consumer.publish(topic(host), garbage);
    consumer.publish(topic(host), strangerSim.frame(Date.UTC(2026, 2, 1) + n * 1000));
    consumer.publish('meters/without/the/pattern', good[0].frame(100 + n));
    if (n === 2) {
      // The log's clock is read when a frame is decoded: let these be decoded first, then pass the minute.
      await until('the first rounds decoded', () => consumer.messages.every((x) => x.acks === 1));
      clock += 61_000;
    }
  }
  await until('every message acked', () => consumer.messages.every((x) => x.acks === 1));
  await worker.stop();
  assert.equal(store.rows.size, 18, 'the good meters lost nothing');
  assert.deepEqual(new Set([...store.rows.values()].map((r) => r.meterId)), new Set(good.map((m) => m.meter.meterId)));
  const byTopic = (m: SimMeter) => store.deadLetters.filter((d) => d.topicId === m.meter.topicId);
  assert.deepEqual(byTopic(authWrong).map((d) => d.reason), Array(6).fill('wrong-key'));
  assert.ok(byTopic(authWrong).every((d) => d.detail.startsWith('AUTH_FAILED') && d.meterId === authWrong.meter.meterId));
  assert.deepEqual(byTopic(encWrong).map((d) => d.reason), Array(6).fill('wrong-key'));
  assert.ok(byTopic(encWrong).every((d) => d.detail.startsWith('WRONG_KEY')), byTopic(encWrong)[0].detail);
  assert.deepEqual(byTopic(unknown).map((d) => d.reason), Array(6).fill('unknown-meter'));
  assert.ok(byTopic(unknown).every((d) => d.meterId === undefined));
  const hostLetters = byTopic(host);
  assert.deepEqual(hostLetters.filter((d) => d.payload === garbage || d.reason === 'undecodable').length, 6);
  const titled = hostLetters.filter((d) => d.detail.startsWith('SYSTEM_TITLE_MISMATCH'));
  assert.equal(titled.length, 6);
  assert.ok(titled.every((d) => d.reason === 'unknown-meter' && d.meterId === host.meter.meterId));
  assert.equal(store.deadLetters.filter((d) => d.topic === 'meters/without/the/pattern').length, 6);
  // The dead letters keep the frame as received, for redecoding.
  for (const d of byTopic(encWrong)) assert.ok(consumer.messages.some((x) => x.payload === d.payload));
  // Logging: six frames per meter and code, the minute passed once, so two lines each.
  const warns = log.lines.filter((l) => l.level === 'warn');
  const count = (meter: string, code: string) => warns.filter((l) => (l.obj as { meter?: string; code?: string }).meter === meter
    && (l.obj as { code?: string }).code === code).length;
  assert.equal(count(authWrong.meter.meterId, 'AUTH_FAILED'), 2);
  assert.equal(count(encWrong.meter.meterId, 'WRONG_KEY'), 2);
  assert.equal(count(`topic ${unknown.meter.topicId}`, 'UNKNOWN_METER'), 2);
  assert.equal(count(host.meter.meterId, 'SYSTEM_TITLE_MISMATCH'), 2);
  const second = warns.find((l) => (l.obj as { meter?: string }).meter === authWrong.meter.meterId && (l.obj as { suppressed?: number }).suppressed);
  assert.equal((second?.obj as { suppressed?: number }).suppressed, 2, 'the second line says how many were held back');
  for (const m of good) assert.equal(warns.filter((l) => (l.obj as { meter?: string }).meter === m.meter.meterId).length, 0);
  // No key in any log line, in any form.
  const all = JSON.stringify(log.lines).toLowerCase();
  for (const m of [authWrong, encWrong, host]) {
    for (const k of [m.guek, m.gak]) assert.ok(!all.includes(Buffer.from(k).toString('hex')), 'no key in the log');
  }
});

test('fleet worker: stop commits and acks the batch being gathered, then closes; later messages stay unacknowledged', async () => {
  const { events, consumer, directory, store, worker } = setup({ maxBatch: 1000, maxWaitMs: 60_000 });
  const meters = [simMeter(0, 'lu-smarty'), simMeter(1, 'no-aidon')];
  register(directory, meters);
  await worker.start();
  for (let n = 0; n < 7; n++) for (const m of meters) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n));
  await until('the messages decoded into the batch', () => worker.stats.inBatch === 14);
  assert.equal(store.commits, 0, 'the batch waits for more (maxWaitMs 60 s)');
  const stopping = worker.stop();
  const late = consumer.publish(`meters/${meters[0].meter.topicId}/raw`, meters[0].frame(99));
  await stopping;
  assert.equal(store.commits, 1);
  assert.equal(store.rows.size, 14);
  assert.deepEqual(consumer.messages.slice(0, 14).map((x) => x.acks), Array(14).fill(1));
  assert.equal(late.acks, 0, 'a message after stop is left to the broker');
  assert.equal(worker.stats.refusedWhileStopping, 1);
  assert.equal(assertAckedAfterCommit(events), undefined);
  assert.ok(consumer.closed);
});

test('fleet worker: stop while the store is down gives up after the drain time and acks nothing uncommitted', async () => {
  let clock = 0;
  const { consumer, directory, store, worker } = setup({
    maxBatch: 1000, maxWaitMs: 1, drainTimeoutMs: 5000, now: () => clock,
    sleep: async (ms) => { clock += ms; await new Promise((r) => setImmediate(r)); },
    retry: { initialMs: 1000, maxMs: 1000 },
  });
  const m = simMeter(0, 'nl-dsmr5');
  register(directory, [m]);
  store.failNext = Infinity;
  await worker.start();
  for (let n = 0; n < 5; n++) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n));
  await until('a failed commit', () => worker.stats.commitFailures > 0);
  await worker.stop();
  assert.ok(consumer.closed);
  assert.deepEqual(consumer.messages.map((x) => x.acks), Array(5).fill(0));
  assert.equal(store.rows.size, 0);
});

test('fleet worker: a full queue pauses the consumer while the store is slow, and resumes it; memory stays bounded', async () => {
  const { consumer, directory, store, worker } = setup({ maxBatch: 10, maxQueued: 20, maxWaitMs: 1 }, true);
  const m = simMeter(0, 'at-evn-kaifa-ma309');
  register(directory, [m]);
  let release!: () => void;
  store.gate = new Promise<void>((r) => { release = r; });
  await worker.start();
  let n = 0;
  while (!consumer.paused && n < 200) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n++));
  assert.ok(consumer.paused, 'paused once the queue is full');
  assert.ok(worker.stats.queued <= 20, `queue ${worker.stats.queued}`);
  release();
  store.gate = undefined;
  await until('every message acked', () => consumer.messages.every((x) => x.acks === 1));
  assert.ok(!consumer.paused && consumer.resumes >= 1, 'resumed');
  await worker.stop();
  assert.equal(store.rows.size, n);
});

test('fleet worker: a failing meter directory is retried, not taken for an unknown meter', async () => {
  const { consumer, directory, store, worker } = setup();
  const m = simMeter(0, 'lu-smarty');
  register(directory, [m]);
  directory.failures = 3;
  await worker.start();
  consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(0));
  await until('acked', () => consumer.messages[0].acks === 1);
  await worker.stop();
  assert.equal(store.rows.size, 1);
  assert.equal(store.deadLetters.length, 0);
});

test('fleet worker: the next batch is decoded while one commits; one commit at a time, each acked as soon as it committed', async () => {
  const { events, consumer, directory, store, worker } = setup({ maxBatch: 10, maxWaitMs: 1 });
  const m = simMeter(0, 'at-evn-kaifa-ma309');
  register(directory, [m]);
  let running = 0;
  let most = 0;
  const commit = store.commit.bind(store);
  store.commit = async (b) => {
    most = Math.max(most, ++running);
    try { return await commit(b); } finally { running--; }
  };
  let release!: () => void;
  store.gate = new Promise<void>((r) => { release = r; });
  await worker.start();
  for (let n = 0; n < 10; n++) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n));
  await until('the first batch in its commit', () => running === 1);
  for (let n = 10; n < 25; n++) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n));
  // Decoded meanwhile: the second batch is full and waits; nothing acknowledged while the first is uncommitted.
  await until('the second batch decoded', () => worker.stats.inBatch === 20 && worker.stats.queued === 5);
  assert.equal(store.commits, 0);
  assert.deepEqual(consumer.messages.filter((x) => x.acks > 0).map((x) => x.seq), []);
  release();
  store.gate = undefined;
  // No further message arrives: the acks must not wait for one.
  await until('every message acked', () => consumer.messages.every((x) => x.acks === 1));
  assert.equal(most, 1, 'never two commits at once');
  assert.equal(assertAckedAfterCommit(events), undefined);
  const order = events.map((e) => (e.type === 'ack' ? e.message.seq : e.type));
  assert.deepEqual(order.slice(0, 11), ['commit', ...Array.from({ length: 10 }, (_, i) => i)], 'the first batch acked before the next commit');
  assert.deepEqual(order.filter((x) => typeof x === 'number'), consumer.messages.map((x) => x.seq), 'acks in arrival order');
  await worker.stop();
  assert.equal(store.rows.size, 25);
});
