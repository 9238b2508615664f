/**
 * Shared by the fleet store tests: PostgreSQL availability (skip with a reason, fail under CI=true), a unique
 * schema per test file dropped afterwards, and a FleetRow factory.
 */
import { randomBytes } from 'node:crypto';
import type { FleetRow } from '../src/fleet/contracts.js';
import { PG_URL, withDb } from './support/pg.js';

export { PG_URL, pgSkip, withDb, dropSchema } from './support/pg.js';

export const uniqueSchema = (prefix: string): string => `mw_${prefix}_${randomBytes(4).toString('hex')}`;

/** The URL with an application_name, so a test can find (and terminate) the store's own backends. */
export function urlWithApp(app: string): string {
  return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}application_name=${app}`;
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
