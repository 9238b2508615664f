/**
 * Shared by the dead-letter and status tests of fleet mode: a private Mosquitto (persistence on, unlimited queue),
 * a unique PostgreSQL schema, simulated meters with keys from the CSPRNG, and every `meterwire fleet …` command run
 * as a child process with its stdout and stderr kept, so a test can search all of it for keys afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { toBaseUnit } from '../src/core/model/base-units.js';
import { FLEET_COLUMNS as STORE_COLUMNS } from '../src/fleet/store/columns.js';
import { FLEET_COLUMNS } from '../src/fleet/worker/row-columns.js';
import { createFleetSimulator, type FleetSimulator } from '../src/sim/fleet/fleet-simulator.js';
import { generateFleetMeters, type FleetMeterSpec } from '../src/sim/fleet/fleet-meters.js';
import { formatMetersCsv } from '../src/sim/fleet/meters-file.js';
import { runCli, type CliRun } from './support/cli.js';
import { admin, dropSchema, PG_URL, pgSkip } from './fleet-keys-pg-support.js';
import { skip as mosquittoSkip, startBroker, type PersistentBroker } from './fleet-mqtt-support.js';

export { PG_URL };

export async function servicesSkip(): Promise<string | undefined> {
  return mosquittoSkip ?? (await pgSkip());
}

export interface Expected { meterId: string; meterTimeMs: number; columns: Record<string, number> }

/** Every output of every command, for the secret checks. */
export interface CommandOutput { args: string[]; stdout: string; stderr: string; code: number | null }

export interface FleetEnv {
  schema: string;
  broker: PersistentBroker;
  prefix: string;
  masterKey: string;
  sim: FleetSimulator;
  meters: readonly FleetMeterSpec[];
  /** The meters file rows of these meters (all of them: a test imports a subset). */
  csvFile(name: string, meters: readonly FleetMeterSpec[]): string;
  outputs: CommandOutput[];
  /** `meterwire fleet …args --store … --schema <schema>` to its end, stdout/stderr kept. */
  fleet(args: string[], env?: Record<string, string>, schema?: string): Promise<CommandOutput>;
  startWorker(id: string): Promise<CliRun>;
  stopWorker(run: CliRun): Promise<CommandOutput>;
  /** Publishes meter i's next `n` frames (QoS 1, binary), meter clocks `stepMs` apart from `startMs`; returns what they must become. */
  publish(i: number, n: number, startMs: number, stepMs: number): Promise<Expected[]>;
  /** One raw payload on meter topic `topicId` (QoS 1). */
  publishRaw(topicId: string, payload: Uint8Array): Promise<void>;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Polls until `sql`'s first column of the first row equals `n` (bounded; a guard, not a timing check). */
  untilCount(sql: string, n: number, what: string): Promise<void>;
  pgDump(): string;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The columns a frame's expected readings fill, in base units (the core's conversion, not the worker's). */
function expectedColumns(readings: readonly { obis: string; unit?: string; value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of FLEET_COLUMNS) {
    const r = c.obis === undefined ? undefined : readings.find((x) => x.obis === c.obis);
    if (r && STORE_COLUMNS.includes(c.column)) out[c.column] = toBaseUnit(r.value, r.unit).value;
  }
  return out;
}

export async function createFleetEnv(tag: string, profiles: readonly string[], n: number): Promise<FleetEnv> {
  const schema = `mw_fleet_${tag}_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `meterwire-fleet-${tag}-`));
  const broker = await startBroker(['max_queued_messages 0']);
  const prefix = `mwtest-${tag}-${randomBytes(3).toString('hex')}`;
  const masterKey = randomBytes(32).toString('hex');
  const meters = generateFleetMeters(n, { profiles }); // keys from the CSPRNG: nothing in a log can come from a seed
  const sim = createFleetSimulator({ meters });
  const outputs: CommandOutput[] = [];
  const env = { METERWIRE_MASTER_KEY: masterKey };
  const storeArgs = ['--store', PG_URL, '--schema', schema];
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });

  const record = async (args: string[], run: CliRun): Promise<CommandOutput> => {
    const code = await run.exited;
    await sleep(20); // let the last stdout chunk land
    const out: CommandOutput = { args, stdout: run.lines.map((l) => ('text' in l ? String(l.text) : JSON.stringify(l))).join('\n'), stderr: run.stderr(), code };
    outputs.push(out);
    return out;
  };

  return {
    schema, broker, prefix, masterKey, sim, meters, outputs,
    csvFile(name, ms) {
      const file = join(dir, name);
      writeFileSync(file, formatMetersCsv(ms), { mode: 0o600 });
      return file;
    },
    async fleet(args, extra = {}, other = schema) {
      const full = ['fleet', ...args, '--store', PG_URL, '--schema', other];
      const run = runCli(full, { ...env, ...extra });
      const guard = setTimeout(() => void run.stop(), 60_000);
      try {
        return await record(full, run);
      } finally {
        clearTimeout(guard);
      }
    },
    async startWorker(id) {
      const run = runCli(['fleet', 'worker', '--broker', broker.url, '--topic', `${prefix}/+/raw`, '--group', 'dl', '--worker-id', id,
        '--batch-wait', '20', ...storeArgs], env);
      await run.waitForLog('consuming $share/');
      return run;
    },
    async stopWorker(run) {
      await run.stop();
      return record(['fleet', 'worker'], run);
    },
    async publish(i, count, startMs, stepMs) {
      const m = meters[i];
      const expected: Expected[] = [];
      for (let k = 0; k < count; k++) {
        const f = sim.frame(i, startMs + k * stepMs);
        expected.push({ meterId: m.meterId, meterTimeMs: f.meterTimeMs, columns: expectedColumns(f.readings) });
        await publisher.publishAsync(`${prefix}/${m.topicId}/raw`, Buffer.from(f.bytes), { qos: 1 });
      }
      return expected;
    },
    async publishRaw(topicId, payload) {
      await publisher.publishAsync(`${prefix}/${topicId}/raw`, Buffer.from(payload), { qos: 1 });
    },
    async query(sql, params = []) {
      return admin(async (c) => (await c.query(sql, params)).rows);
    },
    async untilCount(sql, want, what) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const rows = await admin(async (c) => (await c.query(sql)).rows as Record<string, unknown>[]);
        const got = Number(Object.values(rows[0] ?? {})[0] ?? 0);
        if (got === want) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${got}, want ${want}`);
        await sleep(100);
      }
    },
    pgDump() {
      const u = new URL(PG_URL);
      return execFileSync('pg_dump', ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', '-n', schema, u.pathname.slice(1)],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    },
    async cleanup() {
      await publisher.endAsync().catch(() => undefined);
      await broker.remove();
      await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every spelling of a key that must never show: hex in both cases. */
export function secretSpellings(keys: readonly (Uint8Array | string | undefined)[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    if (k === undefined) continue;
    const hex = typeof k === 'string' ? k : Buffer.from(k).toString('hex');
    out.push(hex.toLowerCase(), hex.toUpperCase());
  }
  return out;
}

/** Readings of one meter as stored, ordered by meter time. */
export async function storedReadings(e: FleetEnv, meterId: string): Promise<Expected[]> {
  const cols = [...STORE_COLUMNS];
  const rows = await e.query<Record<string, unknown>>(
    `SELECT meter_id, meter_time, ${cols.join(', ')} FROM ${e.schema}.readings WHERE meter_id = $1 ORDER BY meter_time`, [meterId]);
  return rows.map((r) => {
    const columns: Record<string, number> = {};
    for (const c of cols) if (r[c] !== null && r[c] !== undefined) columns[c] = Number(r[c]);
    return { meterId: String(r.meter_id), meterTimeMs: (r.meter_time as Date).getTime(), columns };
  });
}
