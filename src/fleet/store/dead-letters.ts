/**
 * The dead-letter table: every frame that did not become a reading, with its payload, so `fleet redecode` can try
 * it again after a key import. Paging is by id (keyset), so a redecode run that deletes what it stored and marks
 * what still fails never skips or repeats a row.
 */
import type pg from 'pg';
import type { DeadLetter, DeadLetterReason } from '../contracts.js';
import { qualified } from './schema.js';

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export interface StoredDeadLetter extends DeadLetter {
  id: number;
  attempts: number;
  createdAt: Date;
}

export async function insertDeadLetters(q: Queryable, schema: string, letters: readonly DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const res = await q.query(`INSERT INTO ${qualified(schema, 'dead_letters')} (topic, topic_id, meter_id, received_at, payload, reason, detail)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bytea[], $6::text[], $7::text[])`, [
    letters.map((l) => l.topic), letters.map((l) => l.topicId), letters.map((l) => l.meterId ?? null),
    letters.map((l) => l.receivedAt.toISOString()), letters.map((l) => Buffer.from(l.payload.buffer, l.payload.byteOffset, l.payload.byteLength)),
    letters.map((l) => l.reason), letters.map((l) => l.detail),
  ]);
  return res.rowCount ?? 0;
}

export interface DeadLetterPageQuery {
  /** Rows with an id above this (0 for the first page). */
  afterId?: number;
  limit?: number;
  reasons?: readonly DeadLetterReason[];
  topicIds?: readonly string[];
}

interface Row {
  id: string;
  topic: string;
  topic_id: string;
  meter_id: string | null;
  received_at: Date;
  payload: Buffer;
  reason: DeadLetterReason;
  detail: string;
  attempts: number;
  created_at: Date;
}

/** One page in id order; the next page starts after the last id returned. */
export async function readDeadLetters(q: Queryable, schema: string, query: DeadLetterPageQuery = {}): Promise<StoredDeadLetter[]> {
  const limit = Math.min(Math.max(1, query.limit ?? 500), 10_000);
  const { rows } = await q.query<Row>(`SELECT id, topic, topic_id, meter_id, received_at, payload, reason, detail, attempts, created_at
    FROM ${qualified(schema, 'dead_letters')}
    WHERE id > $1 AND ($2::text[] IS NULL OR reason = ANY($2)) AND ($3::text[] IS NULL OR topic_id = ANY($3))
    ORDER BY id LIMIT $4`, [query.afterId ?? 0, query.reasons ?? null, query.topicIds ?? null, limit]);
  return rows.map((r) => ({
    id: Number(r.id), topic: r.topic, topicId: r.topic_id, ...(r.meter_id === null ? {} : { meterId: r.meter_id }),
    receivedAt: r.received_at, payload: new Uint8Array(r.payload), reason: r.reason, detail: r.detail, attempts: r.attempts, createdAt: r.created_at,
  }));
}

/** Removes dead letters that were stored as readings after all. */
export async function deleteDeadLetters(q: Queryable, schema: string, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await q.query(`DELETE FROM ${qualified(schema, 'dead_letters')} WHERE id = ANY($1::bigint[])`, [ids]);
  return res.rowCount ?? 0;
}

/** Counts one more failed attempt, with the latest reason and detail (the key may be wrong now, not unknown). */
export async function markDeadLetters(q: Queryable, schema: string, ids: readonly number[], reason?: DeadLetterReason, detail?: string): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await q.query(`UPDATE ${qualified(schema, 'dead_letters')} SET attempts = attempts + 1,
    reason = coalesce($2, reason), detail = coalesce($3, detail) WHERE id = ANY($1::bigint[])`, [ids, reason ?? null, detail ?? null]);
  return res.rowCount ?? 0;
}
