/**
 * Text readings (meter number, equipment id, firmware version, text message …) change rarely: a row in
 * meter_texts only when a text differs from the one valid at that time, so a meter pushing every second does not
 * store its 96-character equipment id 86 400 times a day. The latest text per series is remembered in memory;
 * a message older than it (a spooled batch) is checked against the database.
 */
import type { Dialect, SqlExecutor } from './db.js';
import { storesTime, timeParam } from './dialect.js';
import type { TextRow } from './rows.js';
import { insertIgnoreSql } from './upsert.js';

export interface KnownText {
  validFrom: number;
  text: string;
}

/** Latest text per `meter\0reading`, as committed. */
export type TextMemo = Map<string, KnownText>;

const COLS = ['meter_id', 'reading_id', 'valid_from', 'valid_from_time', 'obis', 'text_value', 'quality'];
const SERIES = 'meter_id = ? AND reading_id = ?';

async function textAt(tx: SqlExecutor, meterId: string, readingId: string, at?: number): Promise<KnownText | undefined> {
  const bound = at === undefined ? '' : ' AND valid_from <= ?';
  const params = at === undefined ? [meterId, readingId] : [meterId, readingId, at];
  const rows = await tx.all<{ valid_from: unknown; text_value: unknown }>(
    `SELECT valid_from, text_value FROM meter_texts WHERE ${SERIES}${bound} ORDER BY valid_from DESC LIMIT 1`, params);
  return rows.length ? { validFrom: Number(rows[0].valid_from), text: String(rows[0].text_value) } : undefined;
}

/**
 * Stores the texts that changed; resolves to the memo entries to keep once the transaction commits (a rolled
 * back batch must not teach the memo texts that are not stored).
 */
export async function storeTexts(tx: SqlExecutor, d: Dialect, texts: readonly TextRow[], memo: TextMemo): Promise<TextMemo> {
  const pending: TextMemo = new Map();
  const stored = storesTime(d);
  const insert = insertIgnoreSql(d, 'meter_texts', stored ? COLS : COLS.filter((c) => c !== 'valid_from_time'));
  for (const t of [...texts].sort((a, b) => a.ts - b.ts)) {
    const key = `${t.meterId}\u0000${t.readingId}`;
    let latest = pending.get(key) ?? memo.get(key);
    if (!latest) {
      latest = await textAt(tx, t.meterId, t.readingId);
      if (latest) pending.set(key, latest);
    }
    const inOrder = !latest || t.ts >= latest.validFrom;
    const current = inOrder ? latest : await textAt(tx, t.meterId, t.readingId, t.ts);
    if (current?.text === t.text) continue;
    await tx.run(insert, stored ? [t.meterId, t.readingId, t.ts, timeParam(d, t.ts), t.obis, t.text, t.quality] : [t.meterId, t.readingId, t.ts, t.obis, t.text, t.quality]);
    if (inOrder) {
      pending.set(key, { validFrom: t.ts, text: t.text });
      continue;
    }
    // A late text: the row after it may now repeat it, and then it starts here instead.
    const next = await tx.all<{ valid_from: unknown; text_value: unknown }>(
      `SELECT valid_from, text_value FROM meter_texts WHERE ${SERIES} AND valid_from > ? ORDER BY valid_from LIMIT 1`, [t.meterId, t.readingId, t.ts]);
    if (next.length && String(next[0].text_value) === t.text) {
      const nextFrom = Number(next[0].valid_from);
      await tx.run(`DELETE FROM meter_texts WHERE ${SERIES} AND valid_from = ?`, [t.meterId, t.readingId, nextFrom]);
      if (latest && latest.validFrom === nextFrom) pending.set(key, { validFrom: t.ts, text: t.text });
    }
  }
  return pending;
}
