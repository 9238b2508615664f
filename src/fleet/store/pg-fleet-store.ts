/**
 * FleetStore on PostgreSQL (docs/fleet-schema.md). One commit is one transaction on one connection:
 *
 *   1. frame counters of the batch's system titles: one upsert in system-title order that raises each maximum and
 *      hands back the previous one (the lock on a title also serialises two workers holding frames of one meter);
 *   2. frames at or below a previous maximum: one look-up whether they are stored already (replay policy);
 *   3. COPY of the rows to insert straight into readings (in key order) inside a savepoint; only when it meets a
 *      stored key, the same bytes into a temporary staging table and INSERT … SELECT … ON CONFLICT DO NOTHING
 *      (readings-writer.ts);
 *   4. rollup bookkeeping only: the zone of meters this store has not written yet, and the batch's quarters that
 *      the rollup job has already computed (a late frame) marked dirty; the quarters themselves are computed from
 *      readings once closed (rollup-job.ts), not upserted here;
 *   5. dead letters: the batch's own, its rows no table can hold, and the refused replays.
 *
 * Every step takes its locks in one global order (the shared rollup lock, titles, reading keys, meter zones, dirty
 * quarters) and the steps run in the same order, so concurrent commits wait on each other but never deadlock.
 * Partitions a batch needs are created before the transaction, each in its own short one.
 */
import pg from 'pg';
import type { CommitResult, DeadLetter, FleetBatch, FleetRow, FleetStore } from '../contracts.js';
import { checkTimeZone } from '../../sinks/sql/local-time.js';
import { insertDeadLetters, readDeadLetters, deleteDeadLetters, markDeadLetters, type DeadLetterPageQuery, type StoredDeadLetter } from './dead-letters.js';
import { dropPartitionsOlderThan, ensureMonthPartition, listPartitions, monthOf, type RetentionResult } from './partitions.js';
import { needsStoredCheck, verdictOf } from './replay-policy.js';
import { checkSchemaName, DEFAULT_FLEET_SCHEMA, ensureFleetSchema, qualified } from './schema.js';
import { createBucketer, dedupeBatch, type StagedRow } from './stage-rows.js';
import { createReadingsWriter } from './readings-writer.js';
import { createRollupJob, markDirtySql, rolledLockSql, type RefreshResult } from './rollup-job.js';

export interface PgFleetStoreOptions {
  connectionString?: string;
  /** A pool of the caller's; not ended by close(). */
  pool?: pg.Pool;
  schema?: string;
  /** Zone of rows without `timeZone`. Default UTC. */
  defaultTimeZone?: string;
  /** How far below the stored maximum a late frame with the meter's own clock is still accepted. Default 1000. */
  reorderWindow?: number;
  /** How far apart (ms) a stored frame and its redelivery may be when matched by frame counter. Default 24 h. */
  redeliveryHorizonMs?: number;
  /** Months around the store's clock for which partitions are created on demand. Default 3 back, 1 ahead. */
  partitionWindow?: { pastMonths: number; futureMonths: number };
  /** Keep rollup_15m (the hourly and daily views read it) by the rollup job. Default true. */
  rollups?: boolean;
  /**
   * How often this store tries to run the rollup job (one worker at a time runs it), in ms; 0 = never on its own
   * (refreshRollups() still works). Default 60 s with an own pool, 0 with a pool of the caller's.
   */
  rollupEveryMs?: number;
  /** How long after its end a quarter is computed: frames still on their way land before that. Default 2 min. */
  rollupGraceMs?: number;
  /** COPY format of the staging rows (see docs/fleet-schema.md for the measurement). Default binary. */
  copyFormat?: 'text' | 'binary';
  /**
   * Longest a statement of the store's own pool may run (ms): a commit stuck behind a lock or a server that stopped
   * answering fails and is retried by redelivery instead of holding its messages forever. The rollup job lifts it
   * for its own statements. Default 60 s; 0 = none.
   */
  statementTimeoutMs?: number;
  /** The store's clock (partitions ahead, retention). */
  now?: () => number;
}

/** `fleet redecode`: dead letters stored after a key import. */
export interface RedecodeCommit {
  /** Dead letters this batch resolves: deleted in the same transaction. */
  resolvedIds: readonly number[];
}

export interface PgFleetStore extends FleetStore {
  readonly schema: string;
  /**
   * Like commit, for frames that waited in dead letters for their key: deduplicated on (meter, meter time) like
   * any row, but a counter below the title's maximum is no replay here (the frame arrived in order, the counter
   * moved on while it waited), and the resolved dead letters are deleted in the same transaction.
   */
  commitRedecoded(batch: FleetBatch, r: RedecodeCommit): Promise<CommitResult>;
  /** Creates the schema and this month's and next month's partitions; commit() calls it on first use. */
  ready(): Promise<void>;
  /** Creates the partitions of the months around `now` (run daily, e.g. by `fleet status` or a timer). */
  ensurePartitionsAhead(): Promise<void>;
  /**
   * Computes the closed quarters up to `until` (default: the store's clock minus the grace) and recomputes the
   * dirty ones; waits when another worker is running the job, then runs it itself.
   */
  refreshRollups(opts?: { until?: Date | number }): Promise<RefreshResult>;
  /** Drops month partitions older than `readingsMonths` (readings) and `rollupMonths` (rollups) before this month. */
  retention(opts: { readingsMonths: number; rollupMonths?: number }): Promise<RetentionResult>;
  deadLetters: {
    page(query?: DeadLetterPageQuery): Promise<StoredDeadLetter[]>;
    remove(ids: readonly number[]): Promise<number>;
    markFailed(ids: readonly number[], reason?: DeadLetter['reason'], detail?: string): Promise<number>;
  };
}

const DAY = 86_400_000;

interface CounterRow {
  system_title: string;
  previous_counter: string | null;
}

/** Why a row cannot be stored, or undefined. */
function invalidRow(r: FleetRow): string | undefined {
  if (typeof r.meterId !== 'string' || r.meterId === '') return 'no meter id';
  if (!(r.meterTime instanceof Date) || !Number.isFinite(r.meterTime.getTime())) return 'meterTime is not a valid date';
  if (!(r.receivedAt instanceof Date) || !Number.isFinite(r.receivedAt.getTime())) return 'receivedAt is not a valid date';
  if (r.frameCounter !== undefined && !Number.isSafeInteger(r.frameCounter)) return 'frameCounter is not an integer';
  return undefined;
}

function payloadOf(row: FleetRow): Uint8Array {
  return row.payload ?? new Uint8Array(0);
}

export function createPgFleetStore(options: PgFleetStoreOptions): PgFleetStore {
  const schema = checkSchemaName(options.schema ?? DEFAULT_FLEET_SCHEMA);
  const defaultZone = checkTimeZone(options.defaultTimeZone ?? 'UTC');
  const reorderWindow = options.reorderWindow ?? 1000;
  const horizon = options.redeliveryHorizonMs ?? DAY;
  const window = options.partitionWindow ?? { pastMonths: 3, futureMonths: 1 };
  const withRollups = options.rollups ?? true;
  const now = options.now ?? Date.now;
  const copyFormat = options.copyFormat ?? 'binary';
  if (!options.pool && !options.connectionString) throw new Error('createPgFleetStore needs a connectionString or a pool');
  const ownPool = !options.pool;
  const statementTimeout = options.statementTimeoutMs ?? 60_000;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: 4, connectionTimeoutMillis: 5_000, keepAlive: true,
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}) });
  // An idle connection that dies (server restart) must not end the process; the next commit reconnects.
  if (ownPool) pool.on('error', () => undefined);

  const t = (name: string): string => qualified(schema, name);
  const readingsWriter = createReadingsWriter(t('readings'), copyFormat);
  const grace = options.rollupGraceMs ?? 120_000;
  const every = options.rollupEveryMs ?? (ownPool ? 60_000 : 0);
  const rollupJob = createRollupJob({ schema, defaultZone, window, now });
  // Meters whose zone this store has written to meter_zones (only new or changed ones cost a write per commit).
  const zoneWritten = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let closed = false;
  const bucketer = createBucketer(defaultZone);
  let partitions: Map<string, Set<number>> | undefined;
  let readyPromise: Promise<void> | undefined;

  async function withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    let broken: Error | undefined;
    const onError = (e: Error): void => {
      broken = e;
    };
    c.on('error', onError);
    try {
      return await fn(c);
    } catch (e) {
      broken ??= e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      c.off('error', onError);
      // A connection that failed mid-transaction is not handed to the next commit.
      c.release(broken);
    }
  }

  async function ensureMonth(c: pg.PoolClient, table: string, month: number): Promise<void> {
    await ensureMonthPartition(c, schema, table, month);
    partitions!.get(table)!.add(month);
  }

  async function aheadOn(c: pg.PoolClient): Promise<void> {
    const m = monthOf(now());
    for (const table of partitions!.keys()) {
      for (const month of [m, m + 1]) if (!partitions!.get(table)!.has(month)) await ensureMonth(c, table, month);
    }
  }

  function ready(): Promise<void> {
    readyPromise ??= withClient(async (c) => {
      await ensureFleetSchema(c, schema);
      partitions = await listPartitions(c, schema);
      await aheadOn(c);
      if (withRollups && every > 0 && !closed && !timer) {
        timer = setInterval(() => {
          // A failed run (database away) is retried at the next tick; the quarters wait, nothing is lost.
          running ??= refresh(now() - grace, false).catch(() => undefined).finally(() => (running = undefined));
        }, every);
        timer.unref();
      }
    }).catch((e: unknown) => {
      readyPromise = undefined;
      throw e;
    });
    return readyPromise;
  }

  /** Month partitions the staged rows need and the window allows; rows outside the window go to the default. */
  async function partitionsFor(rows: readonly StagedRow[]): Promise<void> {
    const current = monthOf(now());
    const lo = current - window.pastMonths;
    const hi = current + window.futureMonths;
    const missing: [string, number][] = [];
    const need = (table: string, ms: number): void => {
      const month = monthOf(ms);
      if (month >= lo && month <= hi && !partitions!.get(table)!.has(month) && !missing.some(([tt, mm]) => tt === table && mm === month)) missing.push([table, month]);
    };
    for (const s of rows) {
      need('readings', s.time);
      if (withRollups) need('rollup_15m', s.b15);
    }
    if (missing.length) await withClient(async (c) => {
      for (const [table, month] of missing) await ensureMonth(c, table, month);
    });
  }

  /** Which of the frames at or below their title's maximum are stored already (by time, or by counter nearby). */
  async function storedAlready(c: pg.PoolClient, rows: readonly FleetRow[]): Promise<Set<number>> {
    if (rows.length === 0) return new Set();
    const res = await c.query<{ i: number }>(`SELECT u.i FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::bigint[]) AS u(i, meter_id, meter_time, fc)
      WHERE EXISTS (SELECT 1 FROM ${t('readings')} r WHERE r.meter_id = u.meter_id AND r.meter_time = u.meter_time)
         OR EXISTS (SELECT 1 FROM ${t('readings')} r WHERE r.meter_id = u.meter_id AND r.frame_counter = u.fc
              AND r.meter_time BETWEEN u.meter_time - $5 * interval '1 millisecond' AND u.meter_time + $5 * interval '1 millisecond')`, [
      rows.map((_r, i) => i), rows.map((r) => r.meterId), rows.map((r) => r.meterTime.toISOString()), rows.map((r) => r.frameCounter!), horizon,
    ]);
    return new Set(res.rows.map((r) => r.i));
  }

  async function commit(batch: FleetBatch, redecode?: RedecodeCommit): Promise<CommitResult> {
    await ready();
    // A row no table can hold becomes a dead letter: thrown, it would fail its batch at every redelivery.
    const valid: FleetRow[] = [];
    const invalid: DeadLetter[] = [];
    for (const r of batch.rows) {
      const problem = invalidRow(r);
      if (problem === undefined) valid.push(r);
      else invalid.push(rowLetter(r, 'undecodable', `INVALID_ROW: ${problem}`));
    }
    const { unique, repeats } = dedupeBatch(valid);
    const stagedRows = unique.map((r) => bucketer.stage(r));
    await partitionsFor(stagedRows);
    return withClient(async (c) => {
      await readingsWriter.prepare(c);
      // Held shared until COMMIT: the rollup job moves rolled_until only between commits (rollup-job.ts).
      await c.query(withRollups ? `BEGIN; ${rolledLockSql(schema, 'shared')}` : 'BEGIN');
      try {
        const zones = new Map<string, string>();
        const result = await commitIn(c, [...batch.deadLetters, ...invalid], stagedRows, repeats, redecode !== undefined, zones);
        if (redecode) await deleteDeadLetters(c, schema, redecode.resolvedIds);
        await c.query('COMMIT');
        if (zoneWritten.size + zones.size > 200_000) zoneWritten.clear();
        for (const [m, z] of zones) zoneWritten.set(m, z);
        return result;
      } catch (e) {
        // Rolled back by the server when the connection is gone; the client is then released as broken.
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async function commitIn(c: pg.PoolClient, deadLetters: readonly DeadLetter[], rows: readonly StagedRow[], repeats: number,
    redecoded: boolean, zonesWritten: Map<string, string>): Promise<CommitResult> {
    // 1. Counters: the batch maximum per title; GREATEST keeps the fleet-wide maximum monotonic.
    const maxByTitle = new Map<string, number>();
    const minByTitle = new Map<string, number>();
    for (const { row } of rows) {
      if (row.systemTitle === undefined || row.frameCounter === undefined) continue;
      const hi = maxByTitle.get(row.systemTitle);
      if (hi === undefined || row.frameCounter > hi) maxByTitle.set(row.systemTitle, row.frameCounter);
      const lo = minByTitle.get(row.systemTitle);
      if (lo === undefined || row.frameCounter < lo) minByTitle.set(row.systemTitle, row.frameCounter);
    }
    // Only titles with a frame at or below their previous maximum come back: normally none.
    const previous = new Map<string, number>();
    if (maxByTitle.size) {
      const titles = [...maxByTitle.keys()];
      const res = await c.query<CounterRow>(`WITH u AS (INSERT INTO ${t('frame_counters')} AS f (system_title, frame_counter, updated_at)
          SELECT u.t, u.c, now() FROM unnest($1::text[], $2::bigint[]) AS u(t, c) ORDER BY u.t COLLATE "C"
          ON CONFLICT (system_title) DO UPDATE SET previous_counter = f.frame_counter,
            frame_counter = GREATEST(f.frame_counter, excluded.frame_counter), updated_at = now()
          RETURNING system_title, previous_counter)
        SELECT u.system_title, u.previous_counter FROM u JOIN unnest($1::text[], $3::bigint[]) AS m(t, lo) ON m.t = u.system_title
        WHERE u.previous_counter >= m.lo`, [titles, titles.map((x) => maxByTitle.get(x)!), titles.map((x) => minByTitle.get(x)!)]);
      for (const r of res.rows) if (r.previous_counter !== null) previous.set(r.system_title, Number(r.previous_counter));
    }
    // 2. Frames at or below the previous maximum: stored already, late, or replayed.
    const suspects: StagedRow[] = [];
    const toInsert: StagedRow[] = [];
    for (const s of rows) {
      const { systemTitle, frameCounter } = s.row;
      if (systemTitle !== undefined && frameCounter !== undefined && needsStoredCheck(frameCounter, previous.get(systemTitle))) suspects.push(s);
      else toInsert.push(s);
    }
    const stored = await storedAlready(c, suspects.map((s) => s.row));
    let duplicates = repeats;
    const replays: DeadLetter[] = [];
    suspects.forEach((s, i) => {
      const max = previous.get(s.row.systemTitle!)!;
      const verdict = verdictOf({ frameCounter: s.row.frameCounter!, clockFromMeter: s.row.clockFromMeter, storedMax: max, alreadyStored: stored.has(i) }, reorderWindow);
      if (verdict === 'duplicate') duplicates += 1;
      else if (verdict === 'late' || redecoded) toInsert.push(s);
      else replays.push(replayLetter(s.row, max));
    });
    // 3. Readings and rollups.
    let inserted = 0;
    if (toInsert.length) {
      inserted = await readingsWriter.insert(c, toInsert);
      duplicates += toInsert.length - inserted;
      if (withRollups && inserted > 0) await rollupBookkeeping(c, toInsert, zonesWritten);
    }
    // 4. Dead letters.
    const letters = await insertDeadLetters(c, schema, [...deadLetters, ...replays]);
    return { inserted, duplicates, replays: replays.length, deadLetters: letters };
  }

  /**
   * Zones of meters new to this store (in meter order: two workers writing the same new meters wait, never cycle)
   * and the batch's quarters that may be computed already. Rows that turned out duplicates change nothing in a
   * recomputed quarter, so marking by the rows offered is exact too.
   */
  async function rollupBookkeeping(c: pg.PoolClient, rows: readonly StagedRow[], zonesWritten: Map<string, string>): Promise<void> {
    const quarters = new Set<number>();
    for (const s of rows) {
      quarters.add(s.b15);
      if (zoneWritten.get(s.row.meterId) !== s.zone) zonesWritten.set(s.row.meterId, s.zone);
    }
    if (zonesWritten.size) {
      const meters = [...zonesWritten.keys()];
      await c.query(`INSERT INTO ${t('meter_zones')} AS m (meter_id, time_zone) SELECT u.m, u.z FROM unnest($1::text[], $2::text[]) AS u(m, z) ORDER BY u.m COLLATE "C"
        ON CONFLICT (meter_id) DO UPDATE SET time_zone = excluded.time_zone WHERE m.time_zone <> excluded.time_zone`,
      [meters, meters.map((m) => zonesWritten.get(m)!)]);
    }
    await c.query(markDirtySql(schema), [[...quarters].map((q) => new Date(q).toISOString())]);
  }

  async function refresh(until: number, wait: boolean): Promise<RefreshResult> {
    await ready();
    return withClient((c) => rollupJob(c, until, wait));
  }

  function rowLetter(row: FleetRow, reason: DeadLetter['reason'], detail: string): DeadLetter {
    const received = Number.isFinite(row.receivedAt?.getTime()) ? row.receivedAt : new Date(now());
    return { topic: row.topic ?? '', topicId: row.topicId ?? row.meterId ?? '', meterId: row.meterId, receivedAt: received, payload: payloadOf(row), reason, detail };
  }

  function replayLetter(row: FleetRow, max: number): DeadLetter {
    const why = row.clockFromMeter ? `more than ${reorderWindow} below` : 'at or below';
    return rowLetter(row, 'replay',
      `REPLAY: frame counter ${row.frameCounter} ${why} the stored maximum ${max}${row.clockFromMeter ? '' : ' and the frame has no meter clock'}`);
  }

  return {
    schema,
    ready,
    commit: (batch) => commit(batch),
    commitRedecoded: (batch, r) => commit(batch, r),
    async refreshRollups(opts = {}) {
      const until = opts.until === undefined ? now() - grace : Number(opts.until);
      if (!withRollups) return { quarters: 0, recomputed: 0, ran: false };
      return refresh(until, true);
    },
    async ensurePartitionsAhead() {
      await ready();
      await withClient(aheadOn);
    },
    async retention({ readingsMonths, rollupMonths = readingsMonths }) {
      await ready();
      return withClient(async (c) => {
        const a = await dropPartitionsOlderThan(c, schema, ['readings'], readingsMonths, now());
        const b = await dropPartitionsOlderThan(c, schema, ['rollup_15m'], rollupMonths, now());
        partitions = await listPartitions(c, schema);
        return { dropped: [...a.dropped, ...b.dropped], defaultRowsDeleted: a.defaultRowsDeleted + b.defaultRowsDeleted };
      });
    },
    deadLetters: {
      page: async (query) => (await ready(), readDeadLetters(pool, schema, query)),
      remove: async (ids) => (await ready(), deleteDeadLetters(pool, schema, ids)),
      markFailed: async (ids, reason, detail) => (await ready(), markDeadLetters(pool, schema, ids, reason, detail)),
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await running;
      if (ownPool) await pool.end();
    },
  };
}
