/**
 * One batch of messages in one transaction: meters upserted, history rows inserted unless already present, and
 * the rollups advanced by exactly the rows that were new. Either all of it is committed or nothing, so the
 * fan-out may retry a failed batch as a whole; a batch that was committed but whose acknowledgement was lost
 * (connection cut after COMMIT) is recognised row by row on the retry and changes nothing.
 */
import type { MeterMessage } from '../../core/model/message.js';
import type { SqlDb } from './db.js';
import { applyRollups } from './rollups.js';
import { toRows, type ReadingRow } from './rows.js';
import { insertIgnoreSql, larger, newUnlessNull, smaller, upsertSql } from './upsert.js';

export interface BatchResult {
  inserted: number;
  duplicates: number;
}

const METER_COLS = ['id', 'system_title', 'manufacturer', 'profile', 'first_seen', 'last_seen'];
const READING_COLS = ['meter_id', 'ts', 'reading_id', 'obis', 'value', 'text_value', 'unit', 'quality'];

export async function writeBatch(db: SqlDb, messages: readonly MeterMessage[], receivedAt: (m: MeterMessage) => number): Promise<BatchResult> {
  const rows = toRows(messages, receivedAt);
  const meterSql = upsertSql(db.dialect, 'meters', METER_COLS, ['id'], [
    ['system_title', newUnlessNull('system_title')], ['manufacturer', newUnlessNull('manufacturer')],
    ['profile', newUnlessNull('profile')], ['first_seen', smaller('first_seen')], ['last_seen', larger('last_seen')],
  ]);
  const readingSql = insertIgnoreSql(db.dialect, 'readings', READING_COLS);
  return db.transaction(async (tx) => {
    for (const m of rows.meters) await tx.run(meterSql, [m.id, m.systemTitle, m.manufacturer, m.profile, m.firstSeen, m.lastSeen]);
    const inserted: ReadingRow[] = [];
    for (const r of rows.readings) {
      const n = await tx.run(readingSql, [r.meterId, r.ts, r.readingId, r.obis, r.value, r.textValue, r.unit, r.quality]);
      if (n > 0) inserted.push(r);
    }
    await applyRollups(tx, db.dialect, inserted);
    return { inserted: inserted.length, duplicates: rows.readings.length - inserted.length };
  });
}

/** Deletes history rows older than `cutoffMs`; rollups stay. Resolves to the number of rows deleted. */
export async function deleteHistoryBefore(db: SqlDb, cutoffMs: number): Promise<number> {
  return db.run('DELETE FROM readings WHERE ts < ?', [cutoffMs]);
}
