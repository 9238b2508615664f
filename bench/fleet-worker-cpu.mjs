// Worker CPU per message over a real loopback socket: this process plays a broker (CONNACK, SUBACK, then PUBLISH
// QoS 1 in a window of Receive Maximum, refilled as PUBACKs come back), a child process runs the code under test and
// reports its own CPU time (user + system) from the first message to the last. Each mode runs for every --root in
// turn, --rounds times, so the variants share the machine's load. Not a test: nothing asserts on time.
//   node --import tsx bench/fleet-worker-cpu.mjs [--messages N] [--rounds R] [--modes consumer,worker-overhead,worker]
//     [--profile nl-dsmr5] [--root DIR]…
// Modes: consumer = the MQTT consumer alone (ack every message after each tick); worker-overhead = the fleet worker
// with the MQTT consumer, a no-op store and decode results computed once per payload beforehand (the worker's own
// path: lookup, classify, batch, acks); worker = the same with the real frame decoder.
// BENCH_CHILD_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/p' profiles the children.
import { createServer } from 'node:net';
import { setImmediate } from 'node:timers';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';
import { generate, parser as createParser } from 'mqtt-packet';

const V5 = { protocolVersion: 5 };
const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const all = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const HERE = dirname(fileURLToPath(import.meta.url));
const METERS = 2000;
const PROFILE = arg('--profile', 'nl-dsmr5');

async function meterFleet(root) {
  const { createSimulator } = await import(pathToFileURL(resolve(root, 'src/sim/simulator.ts')).href);
  return Array.from({ length: METERS }, (_, m) => {
    // Keys from the meter's number: parent (frames) and child (directory) derive the same ones.
    const guek = Uint8Array.from({ length: 16 }, (_, i) => (m * 31 + i) & 0xff);
    const gak = Uint8Array.from({ length: 16 }, (_, i) => (m * 17 + i * 3) & 0xff);
    const sim = createSimulator({ profile: PROFILE, seed: m + 1, key: guek, authKey: gak });
    const meter = { meterId: `m${m}`, topicId: `gw${m}`, profile: PROFILE, timeZone: 'UTC', ...(sim.encrypted ? { guek } : {}), ...(sim.authenticated ? { gak } : {}) };
    return { meter, frames: [0, 1, 2, 3].map((f) => Buffer.from(sim.frame(Date.UTC(2026, 0, 1) + f * 10_000 + m))) };
  });
}

async function child(mode, root, port, messages) {
  const imp = (p) => import(pathToFileURL(resolve(root, p)).href);
  const { createMqttFleetConsumer } = await imp('src/fleet/mqtt/index.ts');
  const consumer = createMqttFleetConsumer({ url: `mqtt://127.0.0.1:${port}`, topic: 'meters/+/raw', group: 'b', clientId: 'b-w' });
  let first;
  const done = () => {
    const c = process.cpuUsage(first);
    process.send({ usPerMsg: (c.user + c.system) / (messages - 1) }, () => process.exit(0));
  };
  if (mode === 'consumer') {
    let n = 0;
    let held = [];
    await consumer.start((m) => {
      if (n++ === 0) first = process.cpuUsage();
      if (held.length === 0) setImmediate(() => { for (const h of held) h.ack(); held = []; });
      held.push(m);
      if (n === messages) done();
    });
    return;
  }
  const { createFleetWorker } = await imp('src/fleet/worker/fleet-worker.ts');
  const { createFrameDecoder } = await imp('src/fleet/worker/frame-decoder.ts');
  const fleet = await meterFleet(root);
  const byTopic = new Map(fleet.map((f) => [f.meter.topicId, f.meter]));
  const real = createFrameDecoder();
  let decoder = real;
  if (mode === 'worker-overhead') {
    // Keyed by meter and the frame's last 8 bytes (DSMR: its CRC), checked unique: a key costs next to nothing.
    const keyOf = (p, meter) => `${meter.topicId} ${Buffer.from(p.buffer, p.byteOffset + p.byteLength - 8, 8).toString('latin1')}`;
    const known = new Map();
    for (const f of fleet) for (const fr of f.frames) known.set(keyOf(fr, f.meter), real.decode(fr, f.meter));
    if (known.size !== fleet.length * 4) throw new Error('decode keys collide');
    decoder = { decode: (p, meter) => known.get(keyOf(p, meter)) ?? [], cachedMeters: 0 };
  }
  let stored = 0;
  let warned = false;
  const store = {
    async commit(b) {
      stored += b.rows.length + b.deadLetters.length;
      if (b.deadLetters.length > 0 && !warned) {
        warned = true;
        console.error(`dead letters, the figure is off: ${b.deadLetters[0].detail}`);
      }
      if (first === undefined) first = process.cpuUsage();
      if (stored >= messages) setImmediate(done);
      return { inserted: b.rows.length, duplicates: 0, replays: 0, deadLetters: b.deadLetters.length };
    },
    async close() {},
  };
  const directory = { lookup: async (id) => byTopic.get(id), close: async () => {} };
  const quiet = { info() {}, warn() {}, error() {} };
  const worker = createFleetWorker({ consumer, directory, store, topicPattern: 'meters/+/raw', log: quiet, decoder, maxBatch: 500, maxWaitMs: 20 });
  await worker.start();
}

async function runOne(mode, root, messages, packets) {
  let acked = 0;
  let sent = 0;
  const server = createServer((socket) => {
    const parser = createParser(V5);
    const window = 1000;
    const pump = () => {
      const upTo = Math.min(messages, acked + window);
      if (sent >= upTo) return;
      const parts = [];
      for (; sent < upTo; sent++) parts.push(packets[sent % packets.length](sent % 65535 + 1));
      socket.write(Buffer.concat(parts));
    };
    parser.on('packet', (p) => {
      if (p.cmd === 'connect') socket.write(generate({ cmd: 'connack', reasonCode: 0, sessionPresent: false }, V5));
      else if (p.cmd === 'subscribe') { socket.write(generate({ cmd: 'suback', messageId: p.messageId, granted: [1] }, V5)); pump(); }
      else if (p.cmd === 'puback') { acked++; if (acked + 1000 - sent >= 200) pump(); }
      else if (p.cmd === 'pingreq') socket.write(generate({ cmd: 'pingresp' }, V5));
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const proc = spawn(process.execPath, [...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', fileURLToPath(import.meta.url), '--child', mode, '--root', root, '--port', String(port), '--messages', String(messages), '--profile', PROFILE],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = await new Promise((res, rej) => { proc.on('message', res); proc.on('exit', (c) => rej(new Error(`child exited ${c}`))); });
  await new Promise((r) => proc.on('exit', r));
  server.close();
  return result.usPerMsg;
}

if (arg('--child')) {
  await child(arg('--child'), arg('--root'), Number(arg('--port')), Number(arg('--messages')));
} else {
  const messages = Number(arg('--messages', 200_000));
  const rounds = Number(arg('--rounds', 3));
  const modes = arg('--modes', 'consumer,worker-overhead,worker').split(',');
  const roots = all('--root').length > 0 ? all('--root') : [resolve(HERE, '..')];
  const fleet = await meterFleet(roots[0]);
  // One PUBLISH per (meter, frame), the packet id filled in per send; topics and payloads as gateways send them.
  const packets = fleet.flatMap((f) => f.frames.map((payload) => {
    const bytes = generate({ cmd: 'publish', topic: `meters/${f.meter.topicId}/raw`, payload, qos: 1, messageId: 1, dup: false, retain: false }, V5);
    const at = 2 + (bytes[1] & 0x80 ? (bytes[2] & 0x80 ? 2 : 1) : 0) + 2 + f.meter.topicId.length + 11;
    return (id) => { const b = Buffer.from(bytes); b.writeUInt16BE(id, at); return b; };
  }));
  for (let i = packets.length - 1; i > 0; i--) { const j = (i * 7919) % (i + 1); [packets[i], packets[j]] = [packets[j], packets[i]]; }
  console.log(`node ${process.version}, ${messages} messages per run, ${PROFILE} payloads, ${METERS} meters; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const mode of modes) {
    const results = new Map(roots.map((r) => [r, []]));
    for (let k = 0; k < rounds; k++) for (const root of roots) results.get(root).push(await runOne(mode, root, messages, packets));
    for (const root of roots) {
      const v = results.get(root);
      console.log(`${mode.padEnd(16)} ${root.padEnd(28)} µs/msg ${v.map((x) => x.toFixed(2)).join(' ')}  (min ${Math.min(...v).toFixed(2)})`);
    }
  }
  console.log(`load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
