/**
 * One batch of messages in one transaction: meters upserted, history rows inserted unless already present, the
 * rollups advanced by exactly the rows that were new, and texts stored where they changed. Either all of it is
 * committed or nothing, so the fan-out may retry a failed batch as a whole; a batch that was committed but whose
 * acknowledgement was lost (connection cut after COMMIT) is recognised row by row on the retry and changes nothing.
 */
import type { MeterMessage } from '../../core/model/message.js';
import type { SqlDb } from './db.js';
import { timeParam } from './dialect.js';
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

export async function writeBatch(db: SqlDb, messages: readonly MeterMessage[], ctx: BatchContext): Promise<BatchResult> {
  const rows = toRows(messages, ctx.receivedAt, ctx.zoneOf);
  const d = db.dialect;
  const meterSql = upsertSql(d, 'meters', METER_COLS, ['id'], [
    ['system_title', newUnlessNull('system_title')], ['manufacturer', newUnlessNull('manufacturer')],
    ['profile', newUnlessNull('profile')], ['timezone', incoming('timezone')],
    ['first_seen', smaller('first_seen')], ['last_seen', larger('last_seen')],
  ]);
  const readingSql = insertIgnoreSql(d, 'readings', READING_COLS);
  const { result, texts } = await db.transaction(async (tx) => {
    for (const m of rows.meters) await tx.run(meterSql, [m.id, m.systemTitle, m.manufacturer, m.profile, m.timezone, m.firstSeen, m.lastSeen]);
    const inserted: ReadingRow[] = [];
    for (const r of rows.readings) {
      const n = await tx.run(readingSql, [r.meterId, r.ts, timeParam(d, r.ts), r.readingId, r.obis, r.value, r.textValue, r.unit,
        r.baseValue, r.baseUnit, r.quality]);
      if (n > 0) inserted.push(r);
    }
    await applyRollups(tx, d, inserted);
    const learned = await storeTexts(tx, d, rows.texts, ctx.texts);
    return { result: { inserted: inserted.length, duplicates: rows.readings.length - inserted.length }, texts: learned };
  });
  for (const [k, v] of texts) ctx.texts.set(k, v);
  return result;
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
