/**
 * A commit's rows into `readings` (staging.ts says why this way): COPY straight in, in key order, inside a
 * savepoint; a stored key (23505) or a deadlock with another worker's COPY (40P01) rolls back to the savepoint and
 * the same bytes go through the per-connection staging table and INSERT … ON CONFLICT DO NOTHING. Binary COPY is
 * encoded into one reused buffer per connection.
 */
import type pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { CopyBinaryWriter } from './copy-binary.js';
import { byKey, stageBinary, stageLine, type StagedRow } from './stage-rows.js';
import { copySql, createStagingSql, insertReadingsSql, STAGE } from './staging.js';

export interface ReadingsWriter {
  /** Creates the connection's staging table once (outside the commit's transaction). */
  prepare(c: pg.PoolClient): Promise<void>;
  /** Inserts the rows not stored yet (sorts `rows` in key order); the number inserted. */
  insert(c: pg.PoolClient, rows: StagedRow[]): Promise<number>;
}

export function createReadingsWriter(readings: string, format: 'text' | 'binary'): ReadingsWriter {
  const staged = new WeakSet<pg.PoolClient>();
  const writers = new WeakMap<pg.PoolClient, CopyBinaryWriter>();

  function encode(c: pg.PoolClient, rows: readonly StagedRow[]): Buffer | string {
    if (format === 'text') {
      let out = '';
      for (const r of rows) out += stageLine(r);
      return out;
    }
    let w = writers.get(c);
    if (!w) writers.set(c, (w = new CopyBinaryWriter()));
    w.start();
    for (const r of rows) stageBinary(w, r);
    return w.finish();
  }

  async function copy(c: pg.PoolClient, table: string, payload: Buffer | string): Promise<number> {
    const stream = c.query(copyStreams.from(copySql(table, format)));
    await pipeline(Readable.from([payload]), stream);
    return stream.rowCount;
  }

  return {
    async prepare(c) {
      if (staged.has(c)) return;
      await c.query(createStagingSql(readings));
      staged.add(c);
    },
    async insert(c, rows) {
      rows.sort(byKey);
      const payload = encode(c, rows);
      await c.query('SAVEPOINT fleet_copy');
      try {
        const n = await copy(c, readings, payload);
        await c.query('RELEASE SAVEPOINT fleet_copy');
        return n;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code !== '23505' && code !== '40P01') throw e;
        await c.query('ROLLBACK TO SAVEPOINT fleet_copy');
      }
      await copy(c, STAGE, payload);
      return (await c.query(insertReadingsSql(readings))).rowCount ?? 0;
    },
  };
}
