/* global performance */
// Fleet store throughput (issue 10): commits batches of synthetic wide rows from many meters into a fresh
// PostgreSQL schema and prints rows/s with 1 and 2 concurrent writers. Frames are handed out like a shared
// subscription hands them to workers: one global stream (meter n mod M, every meter every 5 s), each writer
// taking the next batch. A bench reports, it never fails.
//   node --import tsx bench/fleet-store.mjs [--meters 10000] [--batch 1000] [--seconds 10] [--writers 1,2]
//     [--rollups on|off|both] [--copy text|binary|both] [--url postgres://…]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPgFleetStore } from '../src/fleet/store/index.ts';

const { values: a } = parseArgs({
  options: {
    meters: { type: 'string', default: '10000' }, batch: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' }, writers: { type: 'string', default: '1,2' },
    rollups: { type: 'string', default: 'both' }, copy: { type: 'string', default: 'text' },
    url: { type: 'string', default: process.env.METERWIRE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const meters = Number(a.meters);
const batchSize = Number(a.batch);
const seconds = Number(a.seconds);
const writersList = a.writers.split(',').map(Number);
const rollupModes = a.rollups === 'both' ? [true, false] : [a.rollups === 'on'];
const copyModes = a.copy === 'both' ? ['text', 'binary'] : [a.copy];
const start = Date.UTC(2026, 11, 1);
const zones = ['Europe/Vienna', 'Europe/Amsterdam', 'Europe/Oslo', 'Europe/Luxembourg'];

function frame(n) {
  const m = n % meters;
  const k = Math.floor(n / meters);
  const t = start + k * 5000 + (m % 5000);
  const power = 200 + ((m * 7919 + k * 104729) % 3000);
  const energy = 1e6 + m * 10 + k * 4.2;
  return {
    meterId: `meter-${m}`, meterTime: new Date(t), clockFromMeter: true, receivedAt: new Date(t + 150),
    systemTitle: `4B464D10${String(m).padStart(8, '0')}`, frameCounter: 1000 + k, timeZone: zones[m % zones.length],
    topic: `meters/gw-${m}/raw`, topicId: `gw-${m}`,
    columns: {
      energy_import: energy, energy_import_t1: energy * 0.6, energy_import_t2: energy * 0.4, energy_export: m * 3 + k * 0.5,
      energy_export_t1: null, energy_export_t2: null, reactive_energy_import: 5000 + k, reactive_energy_export: 200 + k,
      power_import: power, power_export: 0, voltage_l1: 230.1, voltage_l2: 229.8, voltage_l3: 231.2,
      current_l1: power / 690, current_l2: power / 690, current_l3: power / 690, power_factor: 0.98, frequency: 50.01,
    },
    extra: { meter_number: `1KFM${m}` }, flags: [],
  };
}

async function dropSchema(schema) {
  const c = new pg.Client({ connectionString: a.url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}

const TICK_MS = 10; // USER_HZ 100 on Linux

/** CPU ms of the PostgreSQL backends serving this bench's store (by application_name), from /proc. */
async function backendCpuMs(app) {
  const c = new pg.Client({ connectionString: a.url });
  await c.connect();
  const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app]);
  await c.end();
  let ms = 0;
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ms += (Number(f[11]) + Number(f[12])) * TICK_MS;
    } catch { /* a backend on another host: CPU not measured */ }
  }
  return ms;
}

async function run(writers, rollups, copy) {
  const schema = `mw_bench_${process.pid}`;
  const app = `meterwire-bench-${process.pid}`;
  await dropSchema(schema);
  const url = `${a.url}${a.url.includes('?') ? '&' : '?'}application_name=${app}`;
  const store = createPgFleetStore({ connectionString: url, schema, rollups, copyFormat: copy, now: () => start, rollupEveryMs: 0 });
  await store.ready();
  // One warm-up round per writer (connections, staging tables, plans), then the measured window.
  let next = 0;
  const take = () => {
    const rows = [];
    for (let i = 0; i < batchSize; i++) rows.push(frame(next++));
    return { rows, deadLetters: [] };
  };
  await Promise.all(Array.from({ length: writers }, () => store.commit(take())));
  let rows = 0;
  const latencies = [];
  const until = performance.now() + seconds * 1000;
  const pg0 = await backendCpuMs(app);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let genUs = 0; // building the synthetic rows is the worker's work, not the store's: left out of its CPU
  await Promise.all(Array.from({ length: writers }, async () => {
    while (performance.now() < until) {
      const g = process.cpuUsage();
      const batch = take();
      const gd = process.cpuUsage(g);
      genUs += gd.user + gd.system;
      const s = performance.now();
      const r = await store.commit(batch);
      latencies.push(performance.now() - s);
      rows += r.inserted;
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  // The rollup job's work for these rows belongs to their cost: every quarter they touched, computed once.
  const pgBeforeJob = (await backendCpuMs(app)) - pg0;
  const j0 = performance.now();
  if (rollups) await store.refreshRollups({ until: start + Math.ceil(next / meters) * 5000 + 900_000 });
  const jobMs = performance.now() - j0;
  const cpu = process.cpuUsage(cpu0);
  const pgMs = (await backendCpuMs(app)) - pg0;
  await store.close();
  await dropSchema(schema);
  latencies.sort((x, y) => x - y);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(0);
  const result = {
    writers, rollups, copy, batch: batchSize, rollupJobMs: Math.round(jobMs), rowsPerSecond: Math.round(rows / elapsed),
    commitMsP50: Number(p(0.5)), commitMsP99: Number(p(0.99)), benchCpuPercent: Math.round(((cpu.user + cpu.system - genUs) / 1e4) / elapsed),
    // Load-independent cost: CPU µs per stored row in the writer process (row building included) and its backends.
    pgCommitCpuUsPerRow: Number(((pgBeforeJob * 1000) / rows).toFixed(1)),
    nodeCpuUsPerRow: Number(((cpu.user + cpu.system - genUs) / rows).toFixed(1)), pgCpuUsPerRow: Number(((pgMs * 1000) / rows).toFixed(1)),
  };
  console.log(`${writers} writer(s), rollups ${rollups ? 'on ' : 'off'}, COPY ${copy}, batch ${batchSize}: ${result.rowsPerSecond} rows/s `
    + `(rollup job ${result.rollupJobMs} ms after the window, counted in the CPU; commit p50 ${result.commitMsP50} ms, p99 ${result.commitMsP99} ms; store CPU in the bench process ${result.benchCpuPercent}%; CPU per row: node ${result.nodeCpuUsPerRow} µs, PostgreSQL backends ${result.pgCpuUsPerRow} µs, of which commits ${result.pgCommitCpuUsPerRow} µs)`);
  return result;
}

const results = [];
for (const rollups of rollupModes) for (const copy of copyModes) for (const w of writersList) results.push(await run(w, rollups, copy));
console.log(JSON.stringify(results));
