/**
 * Shared by the fleet store tests: PostgreSQL availability (skip with a reason, fail under CI=true), a unique
 * schema per test file dropped afterwards, and a FleetRow factory.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FleetRow } from '../src/fleet/contracts.js';
import { canConnectTcp, requireService } from './support/services.js';

export const PG_URL = process.env.METERWIRE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgSkip(): Promise<string | undefined> {
  const u = new URL(PG_URL);
  return requireService(`PostgreSQL at ${u.host}`, () => canConnectTcp(u.hostname, Number(u.port || 5432)), 'start PostgreSQL or set METERWIRE_TEST_POSTGRES');
}

export const uniqueSchema = (prefix: string): string => `mw_${prefix}_${randomBytes(4).toString('hex')}`;

/** The URL with an application_name, so a test can find (and terminate) the store's own backends. */
export function urlWithApp(app: string): string {
  return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}application_name=${app}`;
}

export async function withDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withDb((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export async function count(schema: string, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  return withDb(async (c) => Number((await c.query(`SELECT count(*) AS n FROM "${schema}".${table} WHERE ${where}`, params)).rows[0].n));
}

export interface RowSpec {
  meter: number;
  /** Epoch ms. */
  t: number;
  counter?: number;
  clock?: boolean;
  receivedAt?: number;
  energy?: number | null;
  power?: number | null;
  zone?: string;
}

export const titleOf = (meter: number): string => `4B464D${String(meter).padStart(10, '0')}`;

export function fleetRow(s: RowSpec): FleetRow {
  const clock = s.clock ?? true;
  const received = s.receivedAt ?? s.t + 200;
  return {
    meterId: `meter-${s.meter}`,
    meterTime: new Date(clock ? s.t : received),
    clockFromMeter: clock,
    receivedAt: new Date(received),
    systemTitle: s.counter === undefined ? undefined : titleOf(s.meter),
    frameCounter: s.counter,
    columns: { energy_import: s.energy === undefined ? 1000 + s.t / 1000 : s.energy, power_import: s.power === undefined ? 100 : s.power, voltage_l1: 230 },
    extra: { meter_number: `N${s.meter}` },
    flags: [],
    payload: Uint8Array.from([0xdb, 0x08, s.meter & 0xff, (s.counter ?? 0) & 0xff]),
    timeZone: s.zone ?? 'Europe/Vienna',
    topic: `meters/gw-${s.meter}/raw`,
    topicId: `gw-${s.meter}`,
  };
}
