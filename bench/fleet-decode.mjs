// Fleet decode throughput: frames/s on one core through the fleet worker's frame decoder (shared framers, decode
// state per profile, nothing per meter), for every built-in profile the simulator plays, 1,000 meters each
// with their own keys, and a per-frame createDecoder() for comparison. `+ classify` is the worker's whole per-frame
// work before the batch (decode, then the row with base-unit columns). Not a test: nothing asserts on time.
//   node --import tsx bench/fleet-decode.mjs [--meters N] [--ms MS]
import { randomBytes } from 'node:crypto';
import { createFrameDecoder } from '../src/fleet/worker/frame-decoder.js';
import { createSimulator } from '../src/sim/simulator.js';
import { createDecoder } from '../src/index.js';
import { classifyPayload } from '../src/fleet/worker/classify.js';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const METERS = arg('--meters', 1000);
const MS = arg('--ms', 1500);
const PROFILES = ['nl-dsmr5', 'nl-dsmr4', 'be-fluvius', 'lu-smarty', 'at-steiermark-t210dr', 'at-evn-sagemcom-t210d',
  'at-evn-kaifa-ma309', 'at-ksm-west-kaifa', 'at-wienernetze-siemens', 'at-kaernten-am550', 'at-lg-e450', 'no-aidon', 'no-kaifa'];
const FRAMES_PER_METER = 4;

function fleetOf(profile) {
  const meters = [];
  const frames = [];
  for (let m = 0; m < METERS; m++) {
    const guek = new Uint8Array(randomBytes(16));
    const gak = new Uint8Array(randomBytes(16));
    const sim = createSimulator({ profile, key: guek, authKey: gak, seed: m + 1 });
    const meter = { meterId: `m${m}`, topicId: `t${m}`, profile, guek: sim.encrypted ? guek : undefined, gak: sim.authenticated ? gak : undefined, timeZone: 'UTC' };
    meters.push(meter);
    for (let f = 0; f < FRAMES_PER_METER; f++) frames.push({ meter, payload: sim.frame(Date.UTC(2026, 0, 1) + f * 10_000 + m) });
  }
  // Arrival order mixes meters, as on a broker: a fixed shuffle (LCG), the same on every run.
  let seed = 42;
  for (let i = frames.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [frames[i], frames[j]] = [frames[j], frames[i]];
  }
  return { meters, frames };
}

// Frames per second of this process's CPU time (user + system): on a shared, busy machine the wall clock also
// counts the time other processes had the core; the CPU time is what one core spends per frame.
function measure(fn, n) {
  for (let i = 0; i < Math.min(n, 5000); i++) fn(i);
  let count = 0;
  const c0 = process.cpuUsage();
  let cpuUs = 0;
  while (cpuUs < MS * 1000) {
    for (let i = 0; i < 500; i++) fn(count++);
    const c = process.cpuUsage(c0);
    cpuUs = c.user + c.system;
  }
  return count / (cpuUs / 1e6);
}

console.log(`node ${process.version}, frames per CPU-second of one core, ${METERS} meters per profile with their own keys\n`);
console.log(`${'profile'.padEnd(24)} ${'fleet decoder'.padStart(14)} ${'+ classify'.padStart(12)} ${'createDecoder/frame'.padStart(20)}`);
const summary = {};
for (const profile of PROFILES) {
  const { frames } = fleetOf(profile);
  const decoder = createFrameDecoder();
  const check = decoder.decode(frames[0].payload, frames[0].meter);
  if (check.length !== 1 || check[0].error) throw new Error(`${profile}: ${JSON.stringify(check).slice(0, 300)}`);
  const receivedAt = new Date();
  const plain = measure((i) => { const f = frames[i % frames.length]; decoder.decode(f.payload, f.meter); }, frames.length);
  const classified = measure((i) => {
    const f = frames[i % frames.length];
    const out = classifyPayload({ topic: 'meters/x/raw', topicId: f.meter.topicId, meter: f.meter, payload: f.payload, receivedAt }, decoder.decode(f.payload, f.meter));
    if (out.rows.length !== 1) throw new Error(`${profile}: ${JSON.stringify(out.errors)}`);
  }, frames.length);
  const perFrame = measure((i) => {
    const f = frames[i % frames.length];
    const d = createDecoder({ key: f.meter.guek, authKey: f.meter.gak, profile });
    d.push(f.payload); d.flush();
  }, frames.length);
  summary[profile] = Math.round(classified);
  console.log(`${profile.padEnd(24)} ${Math.round(plain).toString().padStart(14)} ${Math.round(classified).toString().padStart(12)} ${Math.round(perFrame).toString().padStart(20)}`);
}
console.log(JSON.stringify({ framesPerSecond: summary }));
