/**
 * MeterDirectory over the PostgreSQL registry: decrypted meters cached by topic id for `ttlMs`, unknown topic
 * ids in a small bounded negative cache, and a LISTEN connection that evicts a meter the moment a change to it
 * commits (any notification also clears the negative cache: a new meter may own one of those topic ids). When
 * that connection drops, notifications may have been missed, so everything is evicted once it is back.
 *
 * Concurrent lookups of one topic id share one query. A query that was running when an eviction arrived is
 * not cached (its row may predate the change) and later lookups do not join it.
 */
import pg from 'pg';
import type { FleetMeter, MeterDirectory } from '../contracts.js';
import { openMeterKeys } from './envelope.js';
import { isKeyStoreError } from './key-store-error.js';
import { MeterTable, type MeterFields } from './meter-table.js';
import { CachedMeter } from './cached-meter.js';
import type { MasterKey } from './master-key.js';
import { sealedOf, type StoredMeterRow } from './meter-registry.js';
import { NegativeCache } from './negative-cache.js';
import { startNotifyListener, type NotifyListener } from './notify-listener.js';
import { assertMasterKey, checkSchemaName, DEFAULT_SCHEMA, ensureRegistrySchema, metersChannel } from './registry-schema.js';

/** Longer topic ids are never registered (the import refuses them): answered without a query. */
const MAX_TOPIC_ID = 128;

export interface PgMeterDirectoryOptions {
  /** A pool to query through (not closed by the directory)… */
  pool?: pg.Pool;
  /** …or a connection string (the directory opens and closes its own pool). */
  connectionString?: string;
  schema?: string;
  masterKey: MasterKey;
  /** How long a decrypted meter is served without asking the database again (default 10 min). */
  ttlMs?: number;
  /** How long an unknown topic id is answered from memory (default 30 s). */
  negativeTtlMs?: number;
  /** At most this many unknown topic ids are remembered (default 10,000). */
  negativeMax?: number;
  /**
   * Rows per query of `preload()` (default 1,000): each page's rows, blobs and ciphers are garbage right after it,
   * so a small page keeps the transient small (100,000 meters: RSS after preload 141 → 132 MB with 5,000 → 1,000).
   */
  pageSize?: number;
  /** LISTEN connection problems; it reconnects by itself. */
  onError?(e: Error): void;
  /** Clock of the TTLs (tests). */
  now?: () => number;
  /** Retry delays of the LISTEN connection (tests shorten them). */
  listenRetryMinMs?: number;
  listenHeartbeatMs?: number;
}

export interface DirectoryStats {
  cached: number;
  negative: number;
  hits: number;
  negativeHits: number;
  /** Lookups that joined a query already running for the same topic id. */
  shared: number;
  queries: number;
  /** Notifications received. */
  notifications: number;
  /** Times the LISTEN connection came back (each evicted everything). */
  reconnects: number;
  listening: boolean;
}

export interface PgMeterDirectory extends MeterDirectory {
  /**
   * Loads and decrypts every registered meter in pages; resolves to the number cached. A row that does not open
   * (tampered) is reported to onError and skipped; a wrong master key rejects.
   */
  preload(): Promise<number>;
  stats(): DirectoryStats;
}

const COLUMNS = 'meter_id, topic_id, system_title, profile, time_zone, master_key_id, wrapped_data_key, encrypted_keys';

export async function createPgMeterDirectory(o: PgMeterDirectoryOptions): Promise<PgMeterDirectory> {
  const schema = checkSchemaName(o.schema ?? DEFAULT_SCHEMA);
  if (!o.pool && !o.connectionString) throw new TypeError('createPgMeterDirectory needs a pool or a connectionString');
  const ownPool = o.pool === undefined;
  const pool = o.pool ?? new pg.Pool({ connectionString: o.connectionString, max: 4, keepAlive: true, connectionTimeoutMillis: 5_000 });
  if (ownPool) pool.on('error', (e) => o.onError?.(e));
  const master = o.masterKey;
  const ttlMs = o.ttlMs ?? 600_000;
  const now = o.now ?? Date.now;
  const pageSize = o.pageSize ?? 1_000;

  const epoch = now();
  const second = (t: number): number => Math.floor((t - epoch) / 1000);
  const table = new MeterTable();
  const negative = new NegativeCache(o.negativeTtlMs ?? 30_000, o.negativeMax ?? 10_000);
  const inflight = new Map<string, Promise<FleetMeter | undefined>>();
  // Opened keys land here, are copied into the table and wiped: no key copy is left to the GC.
  const scratch = new Uint8Array(32);
  let scratchUsed = 0;
  const take = (bytes: number): Uint8Array => scratch.subarray(scratchUsed, (scratchUsed += bytes));
  const stats = { hits: 0, negativeHits: 0, shared: 0, queries: 0, notifications: 0, reconnects: 0 };
  // Bumped by every eviction: a query begun under an older generation must not fill the cache.
  let generation = 0;
  let closed = false;

  const evictMeter = (meterId: string): void => {
    generation++;
    inflight.clear();
    negative.clear();
    table.deleteMeter(meterId);
  };
  const evictAll = (): void => {
    generation++;
    inflight.clear();
    negative.clear();
    table.clear();
  };

  const fieldsOf = (r: StoredMeterRow): MeterFields => ({
    meterId: r.meter_id, topicId: r.topic_id === r.meter_id ? r.meter_id : r.topic_id, timeZone: r.time_zone,
    ...(r.system_title !== null ? { systemTitle: r.system_title } : {}),
    ...(r.profile !== null ? { profile: r.profile } : {}),
  });

  /** Opens the row's keys into the table; returns the slot. */
  const cacheRow = (r: StoredMeterRow): number => {
    scratchUsed = 0;
    try {
      return table.set(fieldsOf(r), openMeterKeys(master, r.meter_id, sealedOf(r), take), second(now() + ttlMs));
    } finally {
      scratch.fill(0);
    }
  };

  /** The row's meter as a lookup hands it out: cached when `cache`, else with keys of its own (a row that may predate an eviction). */
  const meterOf = (r: StoredMeterRow, cache: boolean): CachedMeter => {
    if (!cache) return new CachedMeter(fieldsOf(r), openMeterKeys(master, r.meter_id, sealedOf(r)));
    return table.meter(cacheRow(r), r.topic_id);
  };

  const fetch = async (topicId: string): Promise<FleetMeter | undefined> => {
    const gen = generation;
    stats.queries++;
    const row = (await pool.query<StoredMeterRow>(`SELECT ${COLUMNS} FROM ${schema}.meters WHERE topic_id = $1`, [topicId])).rows[0];
    const fresh = gen === generation && !closed;
    if (row === undefined) {
      if (fresh) negative.add(topicId, now());
      return undefined;
    }
    return meterOf(row, fresh);
  };

  // The registry must exist and be wrapped by this master key: a worker with the wrong key stops at start.
  try {
    const setup = await pool.connect();
    try {
      assertMasterKey(await ensureRegistrySchema(setup, schema), master);
    } finally {
      setup.release();
    }
  } catch (e) {
    if (ownPool) await pool.end();
    throw e;
  }

  let listener: NotifyListener;
  try {
    listener = await startNotifyListener({
      client: { ...(ownPool ? { connectionString: o.connectionString } : pool.options), application_name: `meterwire-fleet-keys-${schema}` },
      channel: metersChannel(schema),
      onNotification(payload) {
        stats.notifications++;
        evictMeter(payload);
      },
      onListening(reconnected) {
        if (!reconnected) return;
        stats.reconnects++;
        evictAll();
      },
      onError: o.onError,
      retryMinMs: o.listenRetryMinMs,
      heartbeatMs: o.listenHeartbeatMs,
    });
  } catch (e) {
    if (ownPool) await pool.end();
    throw e;
  }

  return {
    lookup(topicId: string): Promise<FleetMeter | undefined> {
      if (closed) return Promise.reject(new Error('the meter directory is closed'));
      if (topicId.length > MAX_TOPIC_ID) return Promise.resolve(undefined);
      const t = now();
      const slot = table.slotOf(topicId);
      if (slot >= 0 && table.freshAt(slot, second(t))) {
        stats.hits++;
        return Promise.resolve(table.meter(slot, topicId));
      }
      if (negative.has(topicId, t)) {
        stats.negativeHits++;
        return Promise.resolve(undefined);
      }
      const running = inflight.get(topicId);
      if (running !== undefined) {
        stats.shared++;
        return running;
      }
      const p = fetch(topicId).finally(() => { if (inflight.get(topicId) === p) inflight.delete(topicId); });
      inflight.set(topicId, p);
      return p;
    },

    async preload(): Promise<number> {
      let after = '';
      let count = 0;
      for (;;) {
        const gen = generation;
        const rows = (await pool.query<StoredMeterRow>(
          `SELECT ${COLUMNS} FROM ${schema}.meters WHERE meter_id > $1 ORDER BY meter_id LIMIT $2`, [after, pageSize])).rows;
        if (rows.length === 0) return count;
        if (gen === generation && !closed) {
          for (const r of rows) {
            try {
              cacheRow(r);
              count++;
            } catch (e) {
              // One damaged row must not keep a worker from starting: its lookups throw (and dead-letter) instead.
              if (!isKeyStoreError(e) || e.reason !== 'tampered') throw e;
              o.onError?.(e);
            }
          }
        }
        after = rows[rows.length - 1].meter_id;
      }
    },

    cachedCount: () => table.size,

    stats(): DirectoryStats {
      return { ...stats, cached: table.size, negative: negative.size, listening: listener.listening };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      evictAll();
      await listener.close();
      if (ownPool) await pool.end();
    },
  };
}
