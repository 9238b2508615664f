/**
 * Shared by the SQL sink tests: a fresh, isolated store per test (a temporary SQLite file, a new PostgreSQL
 * schema, a new MariaDB database, all removed afterwards, never the shared `test` database itself), a
 * deterministic message generator, and a TCP proxy that can take a database away and give it back.
 */
import { prng } from '../src/sim/meter-model.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { MeterMessage, Reading } from '../src/core/model/message.js';
import type { SinkContext } from '../src/sinks/types.js';
import { canConnectTcp, requireService } from './support/services.js';

import { PG_URL } from './support/pg.js';

export { PG_URL };
export const MYSQL_URL = process.env.METERWIRE_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

export interface Store {
  /** Sink URL of the isolated store; `port` replaces the server's port (to go through a proxy). */
  url(port?: number): string;
  drop(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres' | 'mariadb';
  skip: string | undefined;
  create(): Promise<Store>;
  host?: { host: string; port: number };
}

const suffix = (): string => randomBytes(5).toString('hex');
const withPort = (url: string, port?: number): string => {
  if (port === undefined) return url;
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
};

function sqliteBackend(): Backend {
  return {
    name: 'sqlite',
    skip: undefined,
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'meterwire-sql-'));
      return { url: () => `sqlite:${join(dir, 'meterwire.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  };
}

async function pgBackend(): Promise<Backend> {
  const u = new URL(PG_URL);
  const port = Number(u.port || 5432);
  const skip = await requireService(`PostgreSQL at ${u.host}`, () => canConnectTcp(u.hostname, port), 'start PostgreSQL or set METERWIRE_TEST_POSTGRES');
  return {
    name: 'postgres',
    skip,
    host: { host: u.hostname, port },
    async create() {
      const schema = `mw_test_${suffix()}`;
      return {
        url: (p) => withPort(`${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`, p),
        async drop() {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          try {
            await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await c.end();
          }
        },
      };
    },
  };
}

async function mysqlBackend(): Promise<Backend> {
  const u = new URL(MYSQL_URL);
  const port = Number(u.port || 3306);
  const skip = await requireService(`MariaDB/MySQL at ${u.host}`, () => canConnectTcp(u.hostname, port), 'start MariaDB or set METERWIRE_TEST_MYSQL');
  const admin = async <T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> => {
    const c = await mysql.createConnection({ uri: MYSQL_URL });
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    name: 'mariadb',
    skip,
    host: { host: u.hostname, port },
    async create() {
      const database = `mw_test_${suffix()}`;
      await admin((c) => c.query(`CREATE DATABASE ${database}`));
      const url = new URL(MYSQL_URL);
      url.pathname = `/${database}`;
      return {
        url: (p) => withPort(url.toString(), p),
        drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${database}`)).then(() => undefined),
      };
    },
  };
}

/** Runs fn against a fresh store of one backend and drops it afterwards. */
export async function withStore(create: () => Promise<Store>, fn: (s: Store) => Promise<void>): Promise<void> {
  const store = await create();
  try {
    await fn(store);
  } finally {
    await store.drop();
  }
}

export async function backends(): Promise<Backend[]> {
  return [sqliteBackend(), await pgBackend(), await mysqlBackend()];
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error';
  msg: string;
}

export function testContext(records: LogRecord[] = []): SinkContext {
  const push = (level: LogRecord['level']) => (msg: string) => void records.push({ level, msg });
  return {
    log: { info: push('info'), warn: push('warn'), error: push('error') },
    health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
    outputs: () => [],
    stateDir: tmpdir(),
  };
}

// The simulator's seeded PRNG, so every run writes the same messages.
export { prng };

const reading = (obis: string, id: string, value: number | string, unit?: string): Reading =>
  ({ obis, id, name: id, value, ...(unit ? { unit } : {}), quality: [] });

/**
 * Messages of `meters` meters every 5–40 s from `startMs`: counters (Wh, kWh with decimals, a sparse m3 one),
 * measurements (W, V) and a text reading.
 */
export function generateMessages(count: number, startMs: number, seed = 1, meters = ['1KFM0200000001', '1SAG1100000002']): MeterMessage[] {
  const rnd = prng(seed);
  const state = meters.map((_, i) => ({ t: startMs + i * 1000, wh: 1_000_000 * (i + 1), kwh: 123.456 * (i + 1), m3: 500 + i }));
  const out: MeterMessage[] = [];
  for (let n = 0; n < count; n++) {
    const k = n % meters.length;
    const s = state[k];
    s.t += 5000 + Math.floor(rnd() * 35_000);
    s.wh += Math.floor(rnd() * 60);
    s.kwh = Math.round((s.kwh + rnd() * 0.02) * 1000) / 1000;
    const readings = [
      reading('1-0:1.8.0', 'energy_import', s.wh, 'Wh'),
      reading('1-0:2.8.0', 'energy_export', s.kwh, 'kWh'),
      reading('1-0:1.7.0', 'power_import', Math.round(rnd() * 5000), 'W'),
      reading('1-0:32.7.0', 'voltage_l1', Math.round((225 + rnd() * 10) * 10) / 10, 'V'),
      reading('0-0:96.13.0', 'text_message', `note ${n}`),
    ];
    if (n % 7 === 0) {
      s.m3 = Math.round((s.m3 + rnd() * 0.5) * 1000) / 1000;
      readings.push(reading('0-1:24.2.1', 'gas_volume', s.m3, 'm3'));
    }
    out.push({ meter: { id: meters[k], systemTitle: `53414700${k}`, manufacturer: 'SAG' }, timestamp: new Date(s.t).toISOString(), format: 'mbus', readings, issues: [] });
  }
  return out;
}

export interface TcpProxy {
  port: number;
  /** Down: every open connection is cut and new ones are closed on accept, as a crashed server would. */
  setDown(down: boolean): void;
  cuts(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let down = false;
  let cuts = 0;
  const server: Server = createServer((client) => {
    if (down) {
      cuts++;
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const s of pair) s.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setDown(d) {
      down = d;
      if (!d) return;
      for (const [a, b] of pairs) {
        cuts++;
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    cuts: () => cuts,
    async close() {
      for (const [a, b] of pairs) [a, b].forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for a condition (events, not time, decide the test's course); fails after `limitMs`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

/** Adds a query parameter to a sink URL. */
export function withParam(url: string, param: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${param}`;
}

/** The sink URL without retention: the tests write messages dated years before the wall clock. */
export const keepAll = (url: string): string => withParam(url, 'retention=forever');
