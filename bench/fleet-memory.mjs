// Fleet worker memory (issue 10: RSS ≤ 150 MB with 100,000 keys cached; docs/fleet-bench.md, "Worker memory"
// figures). Imports --meters meters of the simulator's generator with `meterwire fleet meters import` into a schema of
// its own (dropped at the end), writes --rounds frames of every meter (src/sim/fleet) to a temporary file, then runs
// a worker-like child per --flags set: the worker's own parts (preloaded PostgreSQL directory, frame decoder,
// classify into rows, batches of --batch dropped as if committed) without MQTT and the store, so only their memory
// shows. Prints heap used and RSS after start, after the preload and after decoding, and the CPU per frame.
// Not a test: nothing is asserted. Needs `npm run build` first.
//   node bench/fleet-memory.mjs [--meters 100000] [--rounds 3] [--batch 2000] [--store postgres://…]
//     [--flags '|--optimize-for-size|--max-semi-space-size=4']   (node flag sets, | separated; '' = none)
//     [--v8-set '|--heap-growing-percent=30']   (flag sets the child sets from inside, | separated; × --flags)
//     [--no-worker-heap]   (the child does not apply the worker's own heap setting, src/cli/fleet-worker-heap.ts)
//     [--page-size n]   (the directory's preload page; default its own)
//     [--dist dist,/ref/dist]   (builds whose code the worker-like child runs, comma separated: a reference in one run)
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { setImmediate } from 'node:timers';
import pg from 'pg';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const STORE = arg('store', 'postgres://postgres@127.0.0.1:5432/test');
const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
// Builds to compare in one run (e.g. main's, built elsewhere): dist directories, comma separated; the child gets one.
const DISTS = arg('dist', fileURLToPath(new URL('../dist', import.meta.url))).split(',');
const DIST = DISTS[0];
const dist = (path) => import(pathToFileURL(join(DIST, path)).href);
const MB = (bytes) => (bytes / 1048576).toFixed(1);

/** VmRSS and VmHWM of this process, bytes. */
function vm() {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Frames file: per frame u16 topic id length, topic id (latin1), u32 payload length, payload. */
function* readFrames(file) {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let buf = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return;
      buf = buf.length ? Buffer.concat([buf, chunk.subarray(0, n)]) : Buffer.from(chunk.subarray(0, n));
      let at = 0;
      while (at + 2 <= buf.length) {
        const tl = buf.readUInt16LE(at);
        if (at + 2 + tl + 4 > buf.length) break;
        const pl = buf.readUInt32LE(at + 2 + tl);
        if (at + 6 + tl + pl > buf.length) break;
        const topicId = buf.toString('latin1', at + 2, at + 2 + tl);
        // A copy, as the MQTT consumer hands over its own payload per message.
        const payload = new Uint8Array(buf.subarray(at + 6 + tl, at + 6 + tl + pl));
        yield { topicId, payload };
        at += 6 + tl + pl;
      }
      buf = buf.subarray(at);
    }
  } finally {
    closeSync(fd);
  }
}

async function child() {
  const [store, schema, masterFile, framesFile, batchSize] = args.slice(1);
  // V8 flags set from inside, as a program can (v8.setFlagsFromString), instead of on node's command line.
  const inside = arg('v8-set');
  if (inside) (await import('node:v8')).setFlagsFromString(inside);
  // What `fleet worker` itself sets at start (src/cli/fleet-worker-heap.ts), in builds that have it.
  const heap = args.includes('--no-worker-heap') ? undefined : await dist('cli/fleet-worker-heap.js').catch(() => undefined);
  const workerFlag = heap?.applyFleetWorkerHeapFlags(process.execArgv);
  const gc = globalThis.gc;
  const out = { flags: [...process.execArgv.filter((a) => a !== '--expose-gc'), ...(inside ? [`(set inside: ${inside})`] : []),
    ...(workerFlag ? [`(worker sets ${workerFlag})`] : [])].join(' ') };
  const mark = (name) => {
    const m = process.memoryUsage();
    const { rss, hwm } = vm();
    out[name] = { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss, hwm };
  };
  const live = (name) => {
    for (let i = 0; i < 3; i++) gc();
    const m = process.memoryUsage();
    Object.assign(out[name], { liveHeap: m.heapUsed, liveArrayBuffers: m.arrayBuffers, liveExternal: m.external });
  };
  const { openFleetMeterDirectory } = await dist('fleet/keys/index.js');
  const { createFrameDecoder } = await dist('fleet/worker/frame-decoder.js');
  const { classifyPayload } = await dist('fleet/worker/classify.js');
  // Most of what else a worker has loaded (its MQTT client, metrics, batching loop), for a comparable start figure.
  await Promise.all([dist('fleet/worker/fleet-worker.js'), dist('fleet/metrics.js'), import('mqtt')]);
  mark('start');
  live('start');
  let t = Date.now();
  const pageSize = arg('page-size');
  const directory = await openFleetMeterDirectory({ store, schema, masterKeyFile: masterFile, preload: true, ...(pageSize ? { pageSize: Number(pageSize) } : {}) });
  out.preloadMs = Date.now() - t;
  mark('preloaded');
  live('preloaded');
  const decoder = createFrameDecoder();
  let batch = [];
  let frames = 0;
  let rows = 0;
  let dead = 0;
  const cpu0 = process.cpuUsage();
  t = Date.now();
  for (const { topicId, payload } of readFrames(framesFile)) {
    const meter = await directory.lookup(topicId);
    const receivedAt = new Date();
    const outcome = classifyPayload({ topic: `meters/${topicId}/raw`, topicId, meter, payload, receivedAt }, meter ? decoder.decode(payload, meter) : []);
    rows += outcome.rows.length;
    if (outcome.deadLetter) dead++;
    batch.push({ payload, outcome });
    if (++frames % Number(batchSize) === 0) {
      batch = []; // "committed"
      await new Promise((r) => setImmediate(r));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  out.decodeMs = Date.now() - t;
  out.cpuUsPerFrame = (cpu.user + cpu.system) / frames;
  Object.assign(out, { frames, rows, deadLetters: dead, cachedMeters: directory.stats().cached, });
  mark('decoded');
  live('decoded');
  // Used after the measurement, so the GC cannot take the decoder (and what it caches) as dead before it.
  out.decoderAlive = typeof decoder.decode === 'function' && batch.length >= 0;
  batch = [];
  await directory.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(flags, params) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...flags, '--expose-gc', SELF, '--child', ...params], { stdio: ['ignore', 'pipe', 'pipe'] });
    let so = '';
    let se = '';
    p.stdout.on('data', (d) => { so += d; });
    p.stderr.on('data', (d) => { se += d; });
    p.on('exit', (code) => {
      const line = so.trim().split('\n').at(-1);
      if (code === 0 && line?.startsWith('{')) resolve(JSON.parse(line));
      else reject(new Error(`child ${flags.join(' ')} exited ${code}: ${se.slice(-2000)}`));
    });
  });
}

function cli(argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let se = '';
    p.stderr.on('data', (d) => { se += d; });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.slice(0, 3).join(' ')} exited ${code}: ${se.slice(-1000)}`))));
  });
}

async function writeFramesFile(file, meters, rounds) {
  const { createFleetSimulator } = await import('../dist/sim/fleet/fleet-simulator.js');
  const sim = createFleetSimulator({ meters });
  const fd = openSync(file, 'w', 0o600);
  const t0 = Date.UTC(2026, 0, 1);
  try {
    for (let r = 0; r < rounds; r++) {
      const parts = [];
      for (let i = 0; i < meters.length; i++) {
        const topic = Buffer.from(meters[i].topicId, 'latin1');
        const bytes = sim.bytes(i, t0 + r * 60_000 + (i % 50_000));
        const head = Buffer.alloc(6 + topic.length);
        head.writeUInt16LE(topic.length, 0);
        topic.copy(head, 2);
        head.writeUInt32LE(bytes.length, 2 + topic.length);
        parts.push(head, bytes);
        if (parts.length >= 2000) writeSync(fd, Buffer.concat(parts.splice(0)));
      }
      if (parts.length) writeSync(fd, Buffer.concat(parts));
    }
  } finally {
    closeSync(fd);
  }
}

async function main() {
  const meters = Number(arg('meters', '100000'));
  const rounds = Number(arg('rounds', '3'));
  const batch = arg('batch', '2000');
  const flagSets = arg('flags', '').split('|').map((s) => s.trim().split(/\s+/).filter(Boolean));
  const insideSets = arg('v8-set', '').split('|');
  const schema = `bench_mem_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'mw-fleet-mem-'));
  const db = new pg.Client({ connectionString: STORE });
  await db.connect();
  const log = (s) => process.stderr.write(`${s}\n`);
  try {
    log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const masterFile = join(dir, 'master.key');
    writeFileSync(masterFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const metersFile = join(dir, 'meters.csv');
    const { generateFleetMeters } = await import('../dist/sim/fleet/fleet-meters.js');
    const { writeMetersFile } = await import('../dist/sim/fleet/meters-file.js');
    const specs = generateFleetMeters(meters);
    writeMetersFile(metersFile, specs);
    let t = Date.now();
    await cli(['fleet', 'meters', 'import', metersFile, '--store', STORE, '--schema', schema, '--master-key-file', masterFile]);
    log(`imported ${meters} meters in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const framesFile = join(dir, 'frames.bin');
    t = Date.now();
    await writeFramesFile(framesFile, specs, rounds);
    log(`wrote ${rounds} frames of each meter in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const results = [];
    for (const build of DISTS) for (const flags of flagSets) for (const inside of insideSets) {
      const r = await runChild(flags, [STORE, schema, masterFile, framesFile, batch, '--dist', build,
        ...(arg('page-size') ? ['--page-size', arg('page-size')] : []), ...(inside ? ['--v8-set', inside] : []), ...(args.includes('--no-worker-heap') ? ['--no-worker-heap'] : [])]);
      r.load = loadavg()[0];
      r.build = build;
      results.push(r);
      log(JSON.stringify(r));
    }
    console.log(`${meters} meters, ${rounds} frames each, batches of ${batch}; MB (heap used / live heap after GC / RSS / HWM)\n`);
    console.log('| build | node flags | after start: heap / live / RSS | after preload: heap / live / RSS | after decoding: heap / live / RSS / HWM | CPU µs/frame | load |');
    console.log('| --- | --- | --- | --- | --- | ---: | ---: |');
    for (const r of results) {
      const { start: s, preloaded: p, decoded: d } = r;
      console.log(`| ${r.build} | ${r.flags || '(none)'} | ${MB(s.heapUsed)} / ${MB(s.liveHeap)} / ${MB(s.rss)} | ${MB(p.heapUsed)} / ${MB(p.liveHeap)} / ${MB(p.rss)} | ` +
        `${MB(d.heapUsed)} / ${MB(d.liveHeap)} / ${MB(d.rss)} / ${MB(d.hwm)} | ${r.cpuUsPerFrame.toFixed(1)} | ${r.load.toFixed(1)} |`);
    }
    console.log(JSON.stringify(results.map((r) => ({ build: r.build, flags: r.flags, rssAfterPreloadMB: +MB(r.preloaded.rss), rssAfterDecodeMB: +MB(r.decoded.rss),
      hwmMB: +MB(r.decoded.hwm), liveHeapMB: +MB(r.decoded.liveHeap), cpuUsPerFrame: +r.cpuUsPerFrame.toFixed(1), frames: r.frames, rows: r.rows, deadLetters: r.deadLetters }))));
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--child') await child();
else await main();
