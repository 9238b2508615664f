/**
 * One batch of messages in one transaction: meters upserted, history rows inserted unless already present, the
 * rollups advanced by exactly the rows that were new, and texts stored where they changed. Either all of it is
 * committed or nothing, so the fan-out may retry a failed batch as a whole; a batch that was committed but whose
 * acknowledgement was lost (connection cut after COMMIT) is recognised row by row on the retry and changes nothing.
 */
import type { MeterMessage } from '../../core/model/message.js';
import type { Dialect, SqlDb, SqlExecutor } from './db.js';
import { storesTime, timeParam } from './dialect.js';
import { applyRollups } from './rollups.js';
import { toRows, type ReadingRow } from './rows.js';
import { storeTexts, type TextMemo } from './texts.js';
import { incoming, insertIgnoreSql, larger, newUnlessNull, smaller, upsertSql } from './upsert.js';

export interface BatchResult {
  inserted: number;
  duplicates: number;
}

export interface BatchContext {
  receivedAt: (m: MeterMessage) => number;
  zoneOf: (m: MeterMessage) => string;
  texts: TextMemo;
}

const METER_COLS = ['id', 'system_title', 'manufacturer', 'profile', 'timezone', 'first_seen', 'last_seen'];
const READING_COLS = ['meter_id', 'ts', 'time', 'reading_id', 'obis', 'value', 'text_value', 'unit', 'base_value', 'base_unit', 'quality'];
const READING_COLS_COMPUTED_TIME = READING_COLS.filter((c) => c !== 'time');

export async function writeBatch(db: SqlDb, messages: readonly MeterMessage[], ctx: BatchContext): Promise<BatchResult> {
  const rows = toRows(messages, ctx.receivedAt, ctx.zoneOf);
  const d = db.dialect;
  const meterSql = upsertSql(d, 'meters', METER_COLS, ['id'], [
    ['system_title', newUnlessNull('system_title')], ['manufacturer', newUnlessNull('manufacturer')],
    ['profile', newUnlessNull('profile')], ['timezone', incoming('timezone')],
    ['first_seen', smaller('first_seen')], ['last_seen', larger('last_seen')],
  ]);
  const stored = storesTime(d);
  const cols = stored ? READING_COLS : READING_COLS_COMPUTED_TIME;
  const params = (r: ReadingRow): (string | number | null)[] => {
    const p = [r.meterId, r.ts, timeParam(d, r.ts), r.readingId, r.obis, r.value, r.textValue, r.unit, r.baseValue, r.baseUnit, r.quality];
    if (!stored) p.splice(2, 1);
    return p;
  };
  const { result, texts } = await db.transaction(async (tx) => {
    for (const m of rows.meters) await tx.run(meterSql, [m.id, m.systemTitle, m.manufacturer, m.profile, m.timezone, m.firstSeen, m.lastSeen]);
    const inserted = await insertReadings(tx, d, cols, rows.readings, params);
    await applyRollups(tx, d, inserted);
    const learned = await storeTexts(tx, d, rows.texts, ctx.texts);
    return { result: { inserted: inserted.length, duplicates: rows.readings.length - inserted.length }, texts: learned };
  });
  for (const [k, v] of texts) ctx.texts.set(k, v);
  return result;
}

const key = (meterId: unknown, readingId: unknown, ts: unknown): string => `${String(meterId)}\u0000${String(readingId)}\u0000${Number(ts)}`;
const INSERT_ROWS = 300;

/**
 * Inserts the history rows that are new and resolves to them. SQLite and PostgreSQL take a slice per statement
 * and name what they inserted (RETURNING); MySQL has no RETURNING, so a row at a time, by its row count.
 */
async function insertReadings(tx: SqlExecutor, d: Dialect, cols: readonly string[], readings: readonly ReadingRow[],
  params: (r: ReadingRow) => (string | number | null)[]): Promise<ReadingRow[]> {
  const inserted: ReadingRow[] = [];
  if (d === 'mysql') {
    const sql = insertIgnoreSql(d, 'readings', cols);
    for (const r of readings) if ((await tx.run(sql, params(r))) > 0) inserted.push(r);
    return inserted;
  }
  for (let i = 0; i < readings.length; i += INSERT_ROWS) {
    const slice = readings.slice(i, i + INSERT_ROWS);
    const sql = insertIgnoreSql(d, 'readings', cols, slice.length, 'meter_id, reading_id, ts');
    const returned = await tx.all<{ meter_id: unknown; reading_id: unknown; ts: unknown }>(sql, slice.flatMap(params));
    const fresh = new Set(returned.map((r) => key(r.meter_id, r.reading_id, r.ts)));
    // A row sent twice in one batch is inserted once: only its first copy counts.
    for (const r of slice) if (fresh.delete(key(r.meterId, r.readingId, r.ts))) inserted.push(r);
  }
  return inserted;
}

/**
 * Deletes up to about `batch` history rows older than `cutoffMs` (rollups and texts stay), oldest first, so a
 * large backlog is pruned a slice at a time between writes. Resolves to the number of rows deleted.
 */
export async function pruneHistory(db: SqlDb, cutoffMs: number, batch = 5000): Promise<number> {
  const edge = await db.all<{ ts: unknown }>('SELECT ts FROM readings WHERE ts < ? ORDER BY ts LIMIT 1 OFFSET ?', [cutoffMs, batch]);
  if (edge.length === 0) return db.run('DELETE FROM readings WHERE ts < ?', [cutoffMs]);
  const bound = Number(edge[0].ts);
  const deleted = await db.run('DELETE FROM readings WHERE ts < ?', [bound]);
  // More than `batch` rows at the oldest instant: take that instant whole rather than stall.
  return deleted > 0 ? deleted : db.run('DELETE FROM readings WHERE ts <= ?', [bound]);
}
