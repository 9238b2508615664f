/**
 * The quarter-hour rollup of a batch, folded in JavaScript (the rows are at hand, and a batch of distinct meters
 * has one row per group: per-group sorting in SQL cost more than the whole readings insert), staged by COPY binary
 * and merged with one upsert in key order.
 */
import { BinaryRows, writeBinaryRow, type FieldValue } from './copy-binary.js';
import type { StagedRow } from './stage-rows.js';
import type { StageType } from './staging.js';

const ENERGY = ['energy_import', 'energy_export'] as const;
const POWER = ['power_import', 'power_export'] as const;

interface Edge {
  firstT: number;
  first: number;
  lastT: number;
  last: number;
}

interface Quarter {
  meterId: string;
  b15: number;
  zone: string;
  b1h: number;
  b1d: number;
  b1dEnd: number;
  samples: number;
  energy: (Edge | undefined)[];
  power: { n: number; sum: number; max: number | undefined }[];
}

export function foldQuarters(rows: readonly StagedRow[]): Quarter[] {
  const out = new Map<string, Quarter>();
  for (const s of rows) {
    const key = `${s.row.meterId}\u0000${s.b15}`;
    let q = out.get(key);
    if (!q) {
      q = { meterId: s.row.meterId, b15: s.b15, zone: s.zone, b1h: s.b1h, b1d: s.b1d, b1dEnd: s.b1dEnd, samples: 0,
        energy: ENERGY.map(() => undefined), power: POWER.map(() => ({ n: 0, sum: 0, max: undefined })) };
      out.set(key, q);
    }
    q.samples += 1;
    ENERGY.forEach((col, i) => {
      const v = s.row.columns[col];
      if (v === null || v === undefined) return;
      const e = q.energy[i];
      if (!e) q.energy[i] = { firstT: s.time, first: v, lastT: s.time, last: v };
      else {
        if (s.time < e.firstT) [e.firstT, e.first] = [s.time, v];
        if (s.time > e.lastT) [e.lastT, e.last] = [s.time, v];
      }
    });
    POWER.forEach((col, i) => {
      const v = s.row.columns[col];
      if (v === null || v === undefined) return;
      const p = q.power[i];
      p.n += 1;
      p.sum += v;
      p.max = p.max === undefined ? v : Math.max(p.max, v);
    });
  }
  return [...out.values()];
}

const COLUMNS: readonly [string, StageType][] = [
  ['meter_id', 'text'], ['bucket_start_ms', 'int8'], ['time_zone', 'text'], ['hour_ms', 'int8'], ['day_ms', 'int8'], ['day_end_ms', 'int8'], ['samples', 'int8'],
  ...ENERGY.flatMap((e): [string, StageType][] => [[`${e}_first_ms`, 'int8'], [`${e}_first`, 'float8'], [`${e}_last_ms`, 'int8'], [`${e}_last`, 'float8']]),
  ...POWER.flatMap((p): [string, StageType][] => [[`${p}_samples`, 'int8'], [`${p}_sum`, 'float8'], [`${p}_max`, 'float8']]),
];
const TYPES = COLUMNS.map(([, t]) => t);
const SQL_TYPE: Record<string, string> = { text: 'text COLLATE "C"', int8: 'bigint', float8: 'double precision' };

export const ROLLUP_STAGE = 'pg_temp.fleet_rollup_stage';
export const CREATE_ROLLUP_STAGE = `CREATE TEMP TABLE IF NOT EXISTS fleet_rollup_stage (${COLUMNS.map(([c, t]) => `${c} ${SQL_TYPE[t]}`).join(', ')}) ON COMMIT DELETE ROWS`;
export const COPY_ROLLUP_STAGE = `COPY ${ROLLUP_STAGE} (${COLUMNS.map(([c]) => c).join(', ')}) FROM STDIN (FORMAT binary)`;

export function rollupBinary(quarters: readonly Quarter[]): Buffer {
  const w = new BinaryRows();
  w.header();
  for (const q of quarters) {
    const values: FieldValue[] = [q.meterId, q.b15, q.zone, q.b1h, q.b1d, q.b1dEnd, q.samples];
    for (const e of q.energy) values.push(e?.firstT, e?.first, e?.lastT, e?.last);
    for (const p of q.power) values.push(p.n, p.sum, p.max);
    writeBinaryRow(w, TYPES, values);
  }
  w.trailer();
  return w.take();
}

const ts = (col: string): string => `(timestamptz 'epoch' + ${col} * interval '1 millisecond')`;

/** Merges the staged quarters into rollup_15m in key order (PostgreSQL evaluates SET against the stored row r). */
export function rollupMergeSql(table: string): string {
  const cols = ['meter_id', 'bucket_start', 'time_zone', 'hour_start', 'day_start', 'day_end', 'samples',
    ...ENERGY.flatMap((e) => [`${e}_first_time`, `${e}_first`, `${e}_last_time`, `${e}_last`]),
    ...POWER.flatMap((p) => [`${p}_samples`, `${p}_sum`, `${p}_max`])];
  const select = ['meter_id', ts('bucket_start_ms'), 'time_zone', ts('hour_ms'), ts('day_ms'), ts('day_end_ms'), 'samples',
    ...ENERGY.flatMap((e) => [ts(`${e}_first_ms`), `${e}_first`, ts(`${e}_last_ms`), `${e}_last`]),
    ...POWER.flatMap((p) => [`${p}_samples`, `${p}_sum`, `${p}_max`])];
  const mergeEnergy = ENERGY.map((e) => `${e}_first = CASE WHEN r.${e}_first_time IS NULL OR excluded.${e}_first_time < r.${e}_first_time THEN excluded.${e}_first ELSE r.${e}_first END,
    ${e}_first_time = LEAST(r.${e}_first_time, excluded.${e}_first_time),
    ${e}_last = CASE WHEN r.${e}_last_time IS NULL OR excluded.${e}_last_time > r.${e}_last_time THEN excluded.${e}_last ELSE r.${e}_last END,
    ${e}_last_time = GREATEST(r.${e}_last_time, excluded.${e}_last_time)`).join(',\n    ');
  const mergePower = POWER.map((p) => `${p}_samples = r.${p}_samples + excluded.${p}_samples,
    ${p}_sum = r.${p}_sum + excluded.${p}_sum, ${p}_max = GREATEST(r.${p}_max, excluded.${p}_max)`).join(',\n    ');
  return `INSERT INTO ${table} AS r (${cols.join(', ')})
  SELECT ${select.join(', ')} FROM ${ROLLUP_STAGE} ORDER BY meter_id, bucket_start_ms
  ON CONFLICT (meter_id, bucket_start) DO UPDATE SET
    samples = r.samples + excluded.samples,
    ${mergeEnergy},
    ${mergePower}`;
}
