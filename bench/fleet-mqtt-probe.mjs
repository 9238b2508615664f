// Probe for fleet mode's consumer design (issue 10, docs/fleet-mqtt.md): a private Mosquitto on a free port
// (persistence on, in a temp dir), one publisher pushing N QoS 1 messages of ~200 bytes, and 2 worker processes in
// one `$share/g/…` group that "commit" in batches and acknowledge only after the commit. Compares
//   own    — src/fleet/mqtt (mqtt-packet, PUBACKs managed by us, in arrival order), per broker/client inflight;
//   mqttjs — MQTT.js with customHandleAcks (one message in flight per connection), K connections per worker.
// Prints one line per run and a JSON summary. Not a test: figures depend on the machine.
//   node --import tsx bench/fleet-mqtt-probe.mjs [--messages 200000] [--only own|mqttjs] [--prefill-only]
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from './lib/mosquitto.mjs';
import { clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { generate, parser as createParser } from 'mqtt-packet';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const self = fileURLToPath(import.meta.url);
const TOPIC = 'probe/meters';
const V5 = { protocolVersion: 5 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) of a process, from /proc. */
function procCpu(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function startBroker(dir, lines) {
  return startMosquitto(dir, await freePort(), lines);
}

/** A plain mqtt-packet publisher with a window of unacknowledged QoS 1 publishes (the broker's Receive Maximum). */
async function publish(port, total, size) {
  const socket = netConnect(port, '127.0.0.1');
  const parser = createParser(V5);
  let window = 100;
  let inFlight = 0;
  let sent = 0;
  let acked = 0;
  let nextId = 1;
  const filler = 'x'.repeat(Math.max(0, size - 16));
  return new Promise((resolve, reject) => {
    const pump = () => {
      socket.cork();
      while (inFlight < window && sent < total) {
        const messageId = nextId;
        nextId = nextId === 65535 ? 1 : nextId + 1;
        const payload = Buffer.from(`${String(sent).padStart(12, '0')}|${filler}`);
        socket.write(generate({ cmd: 'publish', topic: TOPIC, qos: 1, dup: false, retain: false, messageId, payload }, V5));
        inFlight++;
        sent++;
      }
      socket.uncork();
    };
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') {
        window = Math.min(p.properties?.receiveMaximum ?? 65535, 1000);
        pump();
      } else if (p.cmd === 'puback') {
        inFlight--;
        acked++;
        if (acked === total) {
          socket.end(generate({ cmd: 'disconnect', reasonCode: 0 }, V5));
          resolve({ window });
        } else pump();
      }
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'probe-pub', clean: true, keepalive: 60 }, V5)));
  });
}

// ---- worker (child process) ----

/** Batches like a fleet worker: commit (a short pause standing for the database) when `batch` wait or 20 ms pass. */
function batcher(batch, commitMs, onCommitted) {
  let held = [];
  let timer;
  let committing = false;
  const commit = async () => {
    clearTimeout(timer);
    timer = undefined;
    if (committing || held.length === 0) return;
    committing = true;
    const mine = held;
    held = [];
    await sleep(commitMs);
    for (const m of mine) m.ack();
    onCommitted(mine);
    committing = false;
    if (held.length >= batch) void commit();
    else if (held.length > 0 && !timer) timer = setTimeout(commit, 20);
  };
  return (m) => {
    held.push(m);
    if (held.length >= batch) void commit();
    else if (!timer) timer = setTimeout(commit, 20);
  };
}

async function worker() {
  const [design, port, member, total, batch, connections, receiveMaximum] = args.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
  const seen = new Uint8Array(total);
  let received = 0;
  let duplicates = 0;
  let last = 0;
  const note = (seq) => {
    received++;
    if (seen[seq]++) duplicates++;
    last = Date.now();
  };
  const seqOf = (payload) => Number(Buffer.from(payload).toString('latin1', 0, 12));
  let stop;
  if (design === 'own') {
    const { createMqttFleetConsumer } = await import('../src/fleet/mqtt/index.ts');
    let consumer;
    const take = batcher(batch, 2, () => undefined);
    const open = async () => {
      consumer = createMqttFleetConsumer({ url: `mqtt://127.0.0.1:${port}`, topic: TOPIC, group: 'g', clientId: `probe-w${member}`,
        receiveMaximum, connections });
      await consumer.start((m) => { note(seqOf(m.payload)); take(m); });
    };
    await open();
    stop = () => consumer.close();
    // Prefill runs: the sessions go offline while the publisher fills their queues, then drain them.
    process.on('message', async (m) => {
      if (m.type === 'offline') { await consumer.close(); process.send({ type: 'offline' }); }
      if (m.type === 'online') { cpu0 = process.cpuUsage(); await open(); }
    });
  } else {
    const { default: mqtt } = await import('mqtt');
    const take = batcher(batch, 2, () => undefined);
    const clients = await Promise.all(Array.from({ length: connections }, (_, k) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      protocolVersion: 5, clean: false, clientId: `probe-js-w${member}-${k}`, properties: { sessionExpiryInterval: 3600 },
      customHandleAcks: (_topic, payload, _packet, done) => { note(seqOf(payload)); take({ ack: () => done(0) }); },
    })));
    await Promise.all(clients.map((c) => c.subscribeAsync(`$share/g/${TOPIC}`, { qos: 1 })));
    stop = () => Promise.all(clients.map((c) => c.endAsync()));
  }
  let cpu0 = process.cpuUsage(); // after start-up (tsx, imports): the CPU of consuming only
  process.send({ type: 'ready' });
  process.on('message', async (m) => {
    if (m.type === 'report') {
      let unique = 0;
      for (const c of seen) if (c) unique++;
      const cpu = process.cpuUsage(cpu0);
      process.send({ type: 'report', received, unique, duplicates, last, cpu: (cpu.user + cpu.system) / 1e6, rss: process.memoryUsage().rss,
        seen: m.full ? Array.from(seen) : undefined });
    }
    if (m.type === 'stop') {
      await stop();
      process.exit(0);
    }
  });
}

// ---- one run ----

async function run({ design, total, size, brokerLines, batch, connections, receiveMaximum, label, prefill = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-probe-'));
  const broker = await startBroker(dir, brokerLines);
  const workers = [];
  try {
    for (let member = 1; member <= 2; member++) {
      const child = fork(self, ['worker', design, broker.port, member, total, batch, connections, receiveMaximum].map(String),
        { execArgv: process.execArgv });
      await new Promise((res, rej) => {
        child.once('message', (m) => (m.type === 'ready' ? res() : rej(new Error('worker failed'))));
        child.once('exit', (code) => rej(new Error(`worker exited ${code}`)));
      });
      workers.push(child);
    }
    const report = (c, full = false) => new Promise((res) => { c.once('message', res); c.send({ type: 'report', full }); });
    let cpu0 = procCpu(broker.pid);
    const pubCpu0 = process.cpuUsage();
    let start = Date.now();
    if (prefill) await Promise.all(workers.map((c) => new Promise((res) => { c.once('message', res); c.send({ type: 'offline' }); })));
    const pub = await publish(broker.port, total, size);
    const published = Date.now();
    if (prefill) {
      // Only the draining is timed: no publisher competes for the cores.
      cpu0 = procCpu(broker.pid);
      start = Date.now();
      for (const c of workers) c.send({ type: 'online' });
    }
    // Wait until every message arrived, or nothing moved for 5 s (lost ones: max_queued_messages).
    let reports;
    let before = -1;
    let still = Date.now();
    for (;;) {
      reports = await Promise.all(workers.map(report));
      const unique = reports.reduce((n, r) => n + r.unique, 0);
      if (unique >= total) break;
      const got = reports.reduce((n, r) => n + r.received, 0);
      if (got !== before) { before = got; still = Date.now(); }
      if (Date.now() - still > 5000) break;
      await sleep(100);
    }
    reports = await Promise.all(workers.map((c) => report(c, true)));
    const end = Math.max(...reports.map((r) => r.last));
    const union = new Uint8Array(total);
    for (const r of reports) for (let i = 0; i < total; i++) if (r.seen[i]) union[i] = 1;
    const delivered = union.reduce((n, v) => n + v, 0);
    const seconds = (end - start) / 1000;
    const pubCpu = process.cpuUsage(pubCpu0);
    const result = {
      label, design, batch, connections, receiveMaximum, broker: brokerLines.join('; '),
      messagesPerSecond: Math.round(delivered / seconds),
      publishSeconds: +((published - start) / 1000).toFixed(2),
      seconds: +seconds.toFixed(2),
      lost: total - delivered,
      duplicates: reports.reduce((n, r) => n + r.duplicates, 0),
      perMember: reports.map((r) => r.received),
      cpuSeconds: { broker: +(procCpu(broker.pid) - cpu0).toFixed(1), workers: reports.map((r) => +r.cpu.toFixed(1)),
        publisher: +((pubCpu.user + pubCpu.system) / 1e6).toFixed(1) },
      publisherWindow: pub.window,
      workerRssMb: reports.map((r) => Math.round(r.rss / 1e6)),
    };
    // CPU per message is steadier than messages/s on a shared machine (other processes take the cores too).
    result.workerCpuUsPerMessage = Math.round((reports.reduce((n, r) => n + r.cpu, 0) / Math.max(1, delivered)) * 1e6);
    result.brokerCpuUsPerMessage = Math.round((result.cpuSeconds.broker / Math.max(1, delivered)) * 1e6);
    console.log(`${label.padEnd(44)} ${String(result.messagesPerSecond).padStart(7)} msg/s  lost ${result.lost}  dup ${result.duplicates}  ` +
      `members ${result.perMember.join('/')}  cpu broker ${result.cpuSeconds.broker}s workers ${result.cpuSeconds.workers.join('+')}s pub ${result.cpuSeconds.publisher}s ` +
      `(worker ${result.workerCpuUsPerMessage} µs/msg, broker ${result.brokerCpuUsPerMessage} µs/msg)`);
    return result;
  } finally {
    await Promise.all(workers.map((c) => new Promise((r) => { c.once('exit', r); c.send({ type: 'stop' }); setTimeout(() => c.kill('SIGKILL'), 3000); })));
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const total = Number(arg('messages', '200000'));
  const only = arg('only');
  const prefillOnly = args.includes('--prefill-only');
  const size = 200;
  const unlimitedQueue = 'max_queued_messages 0';
  const runs = [];
  if (!only || only === 'own') {
    for (const inflight of [20, 100, 1000, 0]) {
      runs.push({ design: 'own', brokerLines: [`max_inflight_messages ${inflight}`, unlimitedQueue], batch: 500, connections: 1, receiveMaximum: 1000,
        label: `own, max_inflight_messages ${inflight}, RM 1000` });
    }
    for (const rm of [20, 100]) {
      runs.push({ design: 'own', brokerLines: ['max_inflight_messages 0', unlimitedQueue], batch: 500, connections: 1, receiveMaximum: rm,
        label: `own, max_inflight_messages 0, RM ${rm}` });
    }
    runs.push({ design: 'own', brokerLines: ['max_inflight_messages 1000', unlimitedQueue], batch: 500, connections: 4, receiveMaximum: 1000,
      label: 'own, 4 connections, inflight 1000, RM 1000' });
    runs.push({ design: 'own', brokerLines: ['max_inflight_messages 1000'], batch: 500, connections: 1, receiveMaximum: 1000,
      label: 'own, inflight 1000, default max_queued (1000)' });
    for (const rm of [100, 1000, 5000]) {
      runs.push({ design: 'own', brokerLines: [unlimitedQueue], batch: Math.min(rm, 1000), connections: 1, receiveMaximum: rm, prefill: true,
        label: `own, drain a prefilled queue, RM ${rm}` });
    }
  }
  if (!only || only === 'mqttjs') {
    for (const k of [1, 8, 32]) {
      runs.push({ design: 'mqttjs', brokerLines: ['max_inflight_messages 1000', unlimitedQueue], batch: 500, connections: k, receiveMaximum: 0,
        // One message in flight per connection: fewer messages, or the run takes many minutes.
        label: `mqttjs customHandleAcks, ${k} connection(s)`, total: Math.min(total, k * 2500) });
    }
  }
  const results = [];
  for (const r of runs.filter((x) => !prefillOnly || x.prefill)) results.push(await run({ size, ...r, total: r.total ?? total }));
  console.log(JSON.stringify(results));
}

if (args[0] === 'worker') await worker();
else await main();
