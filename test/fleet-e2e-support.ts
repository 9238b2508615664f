/**
 * For the fleet end-to-end test: `meterwire fleet worker` as a child process (tsx from source: start-up measured at
 * ~1.5 s on this machine, so no build step), its Prometheus counters scraped before it stops, a rate-limited QoS 1
 * publisher of pre-built frames, a PostgreSQL outage for one application_name, and a wait on a database count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './support/cli.js';
import { openQos1Publisher, topicBytes } from '../src/sim/fleet/qos1-publisher.js';
import { admin } from './fleet-keys-pg-support.js';

export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

export interface WorkerSettings {
  broker: string;
  topic: string;
  group: string;
  store: string;
  schema: string;
  masterKey: string;
}

export function spawnWorker(s: WorkerSettings, id: string, metricsPort: number): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'fleet', 'worker', '--broker', s.broker, '--topic', s.topic,
    '--group', s.group, '--store', s.store, '--schema', s.schema, '--worker-id', id, '--metrics', `127.0.0.1:${metricsPort}`,
    '--log-level', 'info'], { cwd: ROOT, env: { ...process.env, METERWIRE_MASTER_KEY: s.masterKey }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { id, child, stderr: () => err, exited };
}

/** Waits (bounded) until the worker logged that it consumes. */
export async function waitForLog(w: WorkerProcess, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!w.stderr().includes(text)) {
    if (w.child.exitCode !== null) throw new Error(`worker ${w.id} exited (${w.child.exitCode}): ${w.stderr().slice(-1500)}`);
    if (Date.now() > deadline) throw new Error(`worker ${w.id}: no "${text}" in ${timeoutMs} ms: ${w.stderr().slice(-1500)}`);
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The counters of one worker's /metrics (label sets summed per name). */
export async function scrapeCounters(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(meterwire_fleet_[a-z_]+(?:_total|_depth|_messages))(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[3]);
  }
  return out;
}

export async function countRows(schema: string): Promise<number> {
  return admin(async (c) => Number((await c.query(`SELECT count(*) AS n FROM ${schema}.readings`)).rows[0].n));
}

/** Polls the database until `schema.readings` holds at least n rows; the timeout only bounds a broken run. */
export async function waitForRows(schema: string, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const have = await countRows(schema);
    if (have >= n) return have;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} rows in ${schema}.readings (have ${have})`);
    await sleep(250);
  }
}

/**
 * Ends every connection with this application_name, again and again for `ms`: the workers' pools see their
 * connections die and new ones die too, as when the database goes away (other sessions on the server are untouched).
 */
export async function cutPostgres(applicationName: string, ms: number): Promise<number> {
  return admin(async (c) => {
    let ended = 0;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const r = await c.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName]);
      ended += Number(r.rows[0].n);
      await sleep(20);
    }
    return ended;
  });
}

export interface Frame { topic: string; bytes: Uint8Array }

/**
 * Publishes frames[from, to) at QoS 1 at about `rate` a second and resolves once the broker acknowledged them all.
 * One connection per call, clean session: the caller publishes only while the broker runs.
 */
export async function publishFrames(port: number, frames: readonly Frame[], from: number, to: number, rate: number): Promise<void> {
  const pub = await openQos1Publisher({ host: '127.0.0.1', port, clientId: `e2e-pub-${process.pid}-${from}`, window: 2000 });
  try {
    const t0 = performance.now();
    const chunk = 250;
    for (let i = from; i < to;) {
      const ahead = (i - from) / rate * 1000 - (performance.now() - t0);
      if (ahead > 0) await sleep(ahead);
      while (pub.free < chunk) await Promise.race([new Promise<void>((r) => pub.onRoom(r)), pub.failed, sleep(50)]);
      const end = Math.min(to, i + chunk);
      const topics: Uint8Array[] = [], payloads: Uint8Array[] = [];
      for (let j = i; j < end; j++) { topics.push(topicBytes(frames[j].topic)); payloads.push(frames[j].bytes); }
      pub.publishBatch(topics, payloads);
      i = end;
    }
    await Promise.race([pub.drain(120_000), pub.failed]);
    if (pub.acked !== to - from) throw new Error(`publisher: ${pub.acked} of ${to - from} acknowledged`);
  } finally {
    await pub.close();
  }
}
