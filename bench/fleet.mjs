/* global fetch */
// Fleet benchmark (issue 10, Performance; docs/fleet-bench.md): a private Mosquitto (persistence on,
// max_queued_messages 0, max_inflight_messages 1000) on a free port, 1 then 2 `fleet worker` processes, PostgreSQL
// (own schema in the test database, dropped at the end) and the `simulate --fleet` load generator, all on this
// machine. Measures committed frames/s, CPU per component (/proc/<pid>/stat), publish-to-commit latency, lost and
// duplicated frames, worker memory with the keys cached. Not a test: the figures depend on the machine.
//   npm run bench:fleet -- [--meters 100000] [--rate 20000] [--duration 60] [--workers 1,2] [--warmup on|off]
//     [--batch n] [--broker-inflight 1000] [--worker-node-options '--max-old-space-size=96'] [--store postgres://…]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from './lib/mosquitto.mjs';
import { randomBytes } from 'node:crypto';
import { setInterval, clearInterval, clearTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';
import pg from 'pg';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const METERS = Number(arg('meters', '100000'));
const RATE = Number(arg('rate', '20000'));
const DURATION_S = Number(arg('duration', '60'));
const WORKER_COUNTS = arg('workers', '1,2').split(',').map(Number);
const STORE = arg('store', 'postgres://postgres@127.0.0.1:5432/test');
const BATCH = arg('batch');
// The issue's broker setting; another value shows what the window between broker and worker costs.
const BROKER_INFLIGHT = Number(arg('broker-inflight', '1000'));
// Node flags for the workers, e.g. '--max-old-space-size=128' (a heap cap) or '--cpu-prof --cpu-prof-dir=/tmp/p'.
const WORKER_NODE_OPTIONS = arg('worker-node-options');
// A first generator pass before the measured one: every meter sends once, so its key is cached (--warmup off: cold).
const WARMUP = arg('warmup', 'on') !== 'off';
// Meter clocks have whole seconds and the generator publishes in bursts when it catches up: at ~1 frame per meter
// per second, a meter sometimes sends twice in one second, and the store keeps one row per (meter, second). Measured:
// 20,000 meters at 18,742/s gave 29,440 such same-key frames. Two seconds between a meter's frames avoid it.
if (!(METERS >= 2 * RATE)) throw new Error(`--meters ${METERS} < 2 × --rate ${RATE}: meters would send twice within one second of their clocks`);

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const SCHEMA = `bench_fleet_${process.pid}`;
const GROUP = 'bench';
const TICK = 100; // USER_HZ of /proc/<pid>/stat
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stderr.write(`${line}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** CPU seconds (user + system) of a process so far, or undefined when it is gone. */
function procCpu(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch { return undefined; }
}

function procMemMb(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function startBroker(dir) {
  return startMosquitto(dir, await freePort(), ['max_queued_messages 0', `max_inflight_messages ${BROKER_INFLIGHT}`]);
}

/** A child `node dist/cli/main.js …`; `ready` resolves when a line matches `readyRe` (stdout or stderr). */
function startCli(argv, readyRe, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, MAIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  let readyResolve;
  const ready = new Promise((r) => { readyResolve = r; });
  const check = () => { if (readyRe && readyRe.test(out + err)) readyResolve(); };
  child.stdout.on('data', (d) => { out += d; check(); });
  child.stderr.on('data', (d) => { err += d; if (err.length > 200_000) err = err.slice(-100_000); check(); });
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  return { child, pid: child.pid, ready, exited, out: () => out, err: () => err,
    stop: async () => { if (child.exitCode === null) { child.kill('SIGTERM'); } return exited; } };
}

/** Client backends of this bench in PostgreSQL (the workers' pools and key listeners), by application_name. */
async function backendPids(db) {
  const r = await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1 OR application_name = $2`,
    [`mwbench-${process.pid}-%`, `meterwire-fleet-keys-${SCHEMA}`]);
  return r.rows.map((x) => x.pid);
}

const pct = (sorted, q) => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Prometheus histogram quantile estimate (upper bucket bound) from the text exposition. */
function histogramQuantile(text, name, q) {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => [Number(m[1] === '+Inf' ? Infinity : m[1]), Number(m[2])]);
  const total = buckets.at(-1)?.[1] ?? 0;
  return buckets.find(([, c]) => c >= q * total)?.[0];
}
const counterOf = (text, name) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);

/** A fixed piece of single-threaded work, timed: how much of a core this process gets (noise reference). */
function calibrate() {
  const t = process.hrtime.bigint();
  let h = 0;
  for (let i = 0; i < 30_000_000; i++) h = Math.imul(h ^ i, 0x01000193) >>> 0;
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, h };
}

async function run(workers, ctx) {
  const { db, dir } = ctx;
  await db.query(`TRUNCATE "${SCHEMA}".readings, "${SCHEMA}".rollup_15m, "${SCHEMA}".rollup_dirty, "${SCHEMA}".frame_counters, "${SCHEMA}".dead_letters`);
  // The rollup job starts again from the oldest row (schema v2, docs/fleet-schema.md).
  await db.query(`UPDATE "${SCHEMA}".rollup_state SET rolled_until = NULL`);
  const broker = await startBroker(mkdtempSync(join(dir, `broker-${workers}-`)));
  const ws = [];
  try {
    return await measure(workers, ctx, broker, ws);
  } finally {
    // Also when the run fails: no worker or broker outlives the bench.
    for (const w of ws) await w.stop();
    await broker.stop();
  }
}

async function measure(workers, ctx, broker, ws) {
  const { db, metersFile, masterFile } = ctx;
  const metricsPorts = [];
  for (let i = 1; i <= workers; i++) {
    const mport = await freePort();
    metricsPorts.push(mport);
    ws.push(startCli(['fleet', 'worker', '-b', `mqtt://127.0.0.1:${broker.port}`, '-g', GROUP, '-t', 'meters/+/raw',
      '-s', `${STORE}?application_name=mwbench-${process.pid}-w${i}`, '--schema', SCHEMA, '--worker-id', `bench-w${i}`,
      '--master-key-file', masterFile, '--metrics', `127.0.0.1:${mport}`, '--log-level', 'info', ...(BATCH ? ['--batch', BATCH] : [])],
    /consuming \$share/, WORKER_NODE_OPTIONS ? WORKER_NODE_OPTIONS.split(' ').filter(Boolean) : []));
  }
  let startTimer;
  await Promise.race([Promise.all(ws.map((w) => w.ready)), new Promise((_, reject) => {
    startTimer = setTimeout(() => reject(new Error(`workers did not start: ${ws.map((w) => w.err()).join('\n')}`)), 180_000);
  })]).finally(() => clearTimeout(startTimer));
  const pgPids = await backendPids(db);
  const memIdle = ws.map((w) => procMemMb(w.pid));
  const target = `mqtt://127.0.0.1:${broker.port}/meters/{id}/raw`;
  const generate = (limit) => startCli(['simulate', '--fleet', String(METERS), '--meters-file', metersFile, '--rate', String(RATE), ...limit, target], null);
  const drain = async (since, published) => {
    // Until rows + dead letters since `since` reach what was published, or stop growing for 3 s.
    let last = -1, stable = 0, stored = 0;
    const t = Date.now();
    while (stable < 3 && Date.now() - t < 240_000) {
      await sleep(1000);
      const r = await db.query(`SELECT (SELECT count(*) FROM "${SCHEMA}".readings WHERE received_at >= $1)::bigint
        + (SELECT count(*) FROM "${SCHEMA}".dead_letters WHERE received_at >= $1)::bigint AS n`, [new Date(since)]);
      stored = Number(r.rows[0].n);
      stable = stored === last ? stable + 1 : 0;
      last = stored;
      if (stored >= published) break;
    }
  };
  if (WARMUP) {
    const w = generate(['--count', String(METERS)]);
    await w.exited;
    const wr = JSON.parse(w.out().trim().split('\n').at(-1) ?? '{}');
    await drain(0, wr.published ?? 0);
    log(`warm-up: ${wr.published} frames published in ${wr.seconds} s (${wr.rate}/s)`);
  }
  const tMeasure = Date.now();
  const since = new Date(tMeasure);
  const load = loadavg()[0];
  const gen = generate(['--duration', String(DURATION_S)]);
  const comps = [['broker', broker.pid], ...ws.map((w, i) => [`worker ${i + 1}`, w.pid]), ['generator', gen.pid], ...pgPids.map((p) => [`pg backend ${p}`, p])];
  const cpu0 = new Map(comps.map(([n, p]) => [n, procCpu(p) ?? 0]));
  const t0 = Date.now();
  const cpuLast = new Map(cpu0);
  const sampleCpu = () => { for (const [n, p] of comps) { const c = procCpu(p); if (c !== undefined) cpuLast.set(n, c); } };
  const sampler = setInterval(sampleCpu, 500);
  const genCode = await gen.exited;
  const genResult = JSON.parse(gen.out().trim().split('\n').at(-1) ?? '{}');
  if (genCode !== 0 && genResult.published === undefined) throw new Error(`generator failed: ${gen.err()}`);
  await drain(tMeasure, genResult.published);
  // Pools open connections as they need them: backends that appeared during the run count from 0.
  for (const p of await backendPids(db)) {
    if (!pgPids.includes(p)) { pgPids.push(p); comps.push([`pg backend ${p}`, p]); cpu0.set(`pg backend ${p}`, 0); }
  }
  clearInterval(sampler);
  sampleCpu();
  const tDone = Date.now();
  for (const [i, w] of ws.entries()) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) {
      throw new Error(`worker ${i + 1} exited during the run (${w.child.exitCode ?? w.child.signalCode}): ${w.err().slice(-1500)}`);
    }
  }
  const mem = ws.map((w) => procMemMb(w.pid));
  const metrics = await Promise.all(metricsPorts.map((p) => fetch(`http://127.0.0.1:${p}/metrics`).then((r) => r.text()).catch(() => '')));

  const q = await db.query(`SELECT count(*)::bigint AS rows, count(DISTINCT (meter_id, meter_time))::bigint AS uniq,
      count(DISTINCT (meter_id, frame_counter)) FILTER (WHERE frame_counter IS NOT NULL)::bigint AS uniq_fc,
      count(frame_counter)::bigint AS with_fc,
      extract(epoch FROM min(bench_committed_at)) * 1000 AS first_ms, extract(epoch FROM max(bench_committed_at)) * 1000 AS last_ms,
      (SELECT count(*) FROM "${SCHEMA}".dead_letters WHERE received_at >= $1)::bigint AS dead,
      count(*) FILTER (WHERE NOT clock_from_meter)::bigint AS no_clock
    FROM "${SCHEMA}".readings WHERE received_at >= $1`, [since]);
  const s = q.rows[0];
  const rows = Number(s.rows), uniq = Number(s.uniq);
  // Publish instant of a row: its meter second plus its rank within that second by receive order (the generator
  // publishes evenly within a second); latency = the row's insert time (clock_timestamp() in the commit) − that.
  const lat = await db.query(`SELECT extract(epoch FROM bench_committed_at - meter_time) * 1000
        - 1000.0 * (row_number() OVER w - 0.5) / count(*) OVER (PARTITION BY meter_time) AS ms,
      extract(epoch FROM bench_committed_at - meter_time) * 1000 AS upper_ms,
      extract(epoch FROM bench_committed_at - received_at) * 1000 AS recv_ms
    FROM "${SCHEMA}".readings WHERE clock_from_meter AND received_at >= $1 WINDOW w AS (PARTITION BY meter_time ORDER BY received_at)`, [since]);
  const ms = lat.rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  const upper = lat.rows.map((r) => Number(r.upper_ms)).sort((a, b) => a - b);
  const recv = lat.rows.map((r) => Number(r.recv_ms)).sort((a, b) => a - b);
  // Committed rows per second of the run (by insert time), for the sustained figure.
  const perSec = await db.query(`SELECT floor(extract(epoch FROM bench_committed_at))::bigint AS s, count(*)::int AS n
    FROM "${SCHEMA}".readings WHERE received_at >= $1 GROUP BY 1 ORDER BY 1`, [since]);
  const secs = perSec.rows.map((r) => r.n);
  const steady = secs.slice(5, Math.max(6, secs.length - 3)).sort((a, b) => a - b); // without ramp-up and drain

  const wall = (tDone - t0) / 1000;
  const commitSpan = (Number(s.last_ms) - Number(s.first_ms)) / 1000;
  const cpu = comps.map(([n]) => [n, (cpuLast.get(n) ?? 0) - (cpu0.get(n) ?? 0)]);
  const pgCpu = cpu.filter(([n]) => n.startsWith('pg ')).reduce((a, [, c]) => a + c, 0);
  const result = {
    workers, load, published: genResult.published, acked: genResult.acked, genRate: genResult.rate, genSeconds: genResult.seconds, genPublishCpuS: genResult.cpuSeconds,
    rows, dead: Number(s.dead), noClock: Number(s.no_clock),
    lost: genResult.published - uniq - Number(s.dead), duplicated: rows - uniq, duplicatedByCounter: Number(s.with_fc) - Number(s.uniq_fc),
    redeliveredDuplicates: metrics.reduce((a, t) => a + counterOf(t, 'meterwire_fleet_duplicates_total'), 0),
    framesPerSecond: Math.round(rows / commitSpan), steadyMedian: pct(steady, 0.5), steadyMin: steady[0],
    p50Ms: Math.round(pct(ms, 0.5)), p99Ms: Math.round(pct(ms, 0.99)), maxMs: Math.round(ms.at(-1)),
    p99UpperMs: Math.round(pct(upper, 0.99)), recvP50Ms: Math.round(pct(recv, 0.5)), recvP99Ms: Math.round(pct(recv, 0.99)),
    commitP50S: Math.max(...metrics.map((t) => histogramQuantile(t, 'meterwire_fleet_batch_commit_seconds', 0.5) ?? 0)),
    commitP99S: Math.max(...metrics.map((t) => histogramQuantile(t, 'meterwire_fleet_batch_commit_seconds', 0.99) ?? 0)),
    batchP50: Math.max(...metrics.map((t) => histogramQuantile(t, 'meterwire_fleet_batch_size', 0.5) ?? 0)),
    cpu: Object.fromEntries([...cpu.filter(([n]) => !n.startsWith('pg ')), ['postgres backends', pgCpu]].map(([n, c]) => [n, Math.round(c * 100) / 100])),
    cpuWindowS: Math.round(wall * 10) / 10, pgBackends: pgPids.length,
    cachedMeters: metrics.map((t) => counterOf(t, 'meterwire_fleet_cached_meters')),
    memIdleMb: memIdle.map((m) => Math.round(m.rss)),
    genLog: gen.err().trim().split('\n').slice(-3),
    memMb: mem.map((m) => ({ rss: Math.round(m.rss), hwm: Math.round(m.hwm) })),
  };
  return result;
}

const rank = (component) => ['broker', 'worker', 'generator', 'postgres'].findIndex((p) => component.startsWith(p));

function printTable(results) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const out = [];
  out.push(line(['workers', 'load avg', 'published', 'gen msg/s', 'rows', 'frames/s (span)', 'steady median / min per s', 'latency p50 / p99 / max ms', 'p99 upper bound ms', 'receive→insert p50 / p99 ms', 'commit p50 / p99 s', 'lost', 'dup', 'worker RSS idle → after / HWM MB']));
  out.push(line(Array(14).fill('---')));
  for (const r of results) {
    out.push(line([r.workers, r.load.toFixed(1), r.published, r.genRate, r.rows, r.framesPerSecond, `${r.steadyMedian} / ${r.steadyMin}`,
      `${r.p50Ms} / ${r.p99Ms} / ${r.maxMs}`, r.p99UpperMs, `${r.recvP50Ms} / ${r.recvP99Ms}`, `≤${r.commitP50S} / ≤${r.commitP99S}`, r.lost, r.duplicated,
      r.memMb.map((m, i) => `${r.memIdleMb[i]} → ${m.rss} / ${m.hwm}`).join(', ')]));
  }
  out.push('');
  const names = [...new Set(results.flatMap((r) => Object.keys(r.cpu)))].sort((a, b) => rank(a) - rank(b));
  out.push(line(['workers', 'CPU window s', ...names.map((k) => `${k} CPU s (µs/frame)`)]));
  out.push(line(Array(2 + names.length).fill('---')));
  for (const r of results) {
    out.push(line([r.workers, r.cpuWindowS, ...names.map((k) => (k in r.cpu ? `${r.cpu[k]} (${Math.round((r.cpu[k] * 1e6) / Math.max(1, r.rows))})` : '—'))]));
  }
  return out.join('\n');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'mw-fleet-bench-'));
  const db = new pg.Client({ connectionString: STORE });
  await db.connect();
  const results = [];
  try {
    const startLoad = loadavg();
    const cal0 = calibrate();
    log(`load average at start ${startLoad.map((l) => l.toFixed(2)).join(' ')}; calibration loop ${Math.round(cal0.ms)} ms`);
    const masterFile = join(dir, 'master.key');
    writeFileSync(masterFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const metersFile = join(dir, 'meters.csv');
    const { generateFleetMeters } = await import('../dist/sim/fleet/fleet-meters.js');
    const { loadOrCreateMeters } = await import('../dist/sim/fleet/meters-file.js');
    loadOrCreateMeters(metersFile, METERS, {}, generateFleetMeters);
    const tImport = Date.now();
    const imp = startCli(['fleet', 'meters', 'import', metersFile, '--store', STORE, '--schema', SCHEMA, '--master-key-file', masterFile], null);
    if (await imp.exited !== 0) throw new Error(`import failed: ${imp.err()}`);
    log(`imported ${METERS} meters in ${((Date.now() - tImport) / 1000).toFixed(1)} s`);
    // The readings table comes with the first worker: start one once to create it, then add the bench's insert
    // clock (a default the store's INSERT … SELECT, with its explicit column list, fills per row).
    const first = startCli(['fleet', 'worker', '-b', 'mqtt://127.0.0.1:1', '-g', GROUP, '-s', STORE, '--schema', SCHEMA,
      '--worker-id', 'bench-init', '--master-key-file', masterFile, '--log-level', 'info'], null);
    for (let i = 0; i < 300; i++) {
      const r = await db.query(`SELECT to_regclass($1) AS t`, [`"${SCHEMA}".readings`]);
      if (r.rows[0].t) break;
      await sleep(100);
    }
    await first.stop();
    await db.query(`ALTER TABLE "${SCHEMA}".readings ADD COLUMN IF NOT EXISTS bench_committed_at timestamptz DEFAULT clock_timestamp()`);
    for (const n of WORKER_COUNTS) {
      log(`run: ${n} worker(s), ${METERS} meters, ${RATE} frames/s target, ${DURATION_S} s`);
      const r = await run(n, { db, dir, masterFile, metersFile });
      log(JSON.stringify(r));
      results.push(r);
    }
    const cal1 = calibrate();
    log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; calibration loop ${Math.round(cal1.ms)} ms`);
    process.stdout.write(`meters ${METERS}, target ${RATE} frames/s, ${DURATION_S} s, broker max_inflight_messages ${BROKER_INFLIGHT}${BATCH ? `, --batch ${BATCH}` : ''}${WORKER_NODE_OPTIONS ? `, worker node flags ${WORKER_NODE_OPTIONS}` : ''}; load average at start ${startLoad[0].toFixed(2)}\n`);
    process.stdout.write(`${printTable(results)}\n`);
    const best = results.reduce((a, r) => (r.framesPerSecond > a.framesPerSecond ? r : a));
    process.stdout.write(`${JSON.stringify({ framesPerSecond: best.framesPerSecond, p99Ms: best.p99Ms, lost: best.lost, duplicated: best.duplicated, workers: best.workers })}\n`);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch((e) => log(`drop schema: ${e.message}`));
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
