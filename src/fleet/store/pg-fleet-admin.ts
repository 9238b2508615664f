/**
 * The queries of `meterwire fleet status` and the transaction of `fleet redecode` (FleetAdmin) over the fleet
 * store's tables and the meter registry (the `meters` table of src/fleet/keys, in the same schema). Status reads
 * the last day of readings by meter time, so its queries touch this month's partitions at most (a meter missing
 * from that day gets one primary-key look at its newest row before it is called silent).
 */
import pg from 'pg';
import { meterError } from '../../core/errors.js';
import type { CommitResult, DeadLetterReason, FleetBatch } from '../contracts.js';
import type { FleetAdmin, MeterActivity, StoredDeadLetter } from '../worker/fleet-admin.js';
import { createPgFleetStore } from './pg-fleet-store.js';
import { checkSchemaName, DEFAULT_FLEET_SCHEMA, qualified } from './schema.js';

export interface PgFleetAdminOptions {
  connectionString: string;
  schema?: string;
}

const LOOKBACK_MS = 86_400_000;

export function createPgFleetAdmin(o: PgFleetAdminOptions): FleetAdmin {
  const schema = checkSchemaName(o.schema ?? DEFAULT_FLEET_SCHEMA);
  const pool = new pg.Pool({ connectionString: o.connectionString, max: 2, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  const store = createPgFleetStore({ pool, schema });
  const t = (name: string): string => qualified(schema, name);
  // Status and redecode work on a store a worker made: a mistyped --schema must fail, not create an empty store
  // (store.ready() creates what is missing) and then stop on the absent registry with an internal error.
  let present: Promise<void> | undefined;
  const existing = (): Promise<void> => (present ??= (async () => {
    const { rows } = await pool.query<{ readings: string | null; meters: string | null }>(
      'SELECT to_regclass($1) AS readings, to_regclass($2) AS meters', [t('readings'), t('meters')]);
    const missing = [rows[0]?.readings ? undefined : 'readings (a worker creates it)', rows[0]?.meters ? undefined : 'meters (`fleet meters import` creates it)']
      .filter((x) => x !== undefined);
    if (missing.length) throw meterError('BAD_CONFIG', `schema "${schema}" holds no fleet store: no table ${missing.join(', no table ')}; check --schema`);
    await store.ready();
  })());

  return {
    async framesPerMinute(since) {
      await existing();
      const { rows } = await pool.query<{ minute: Date; frames: string }>(`SELECT date_trunc('minute', received_at) AS minute, count(*) AS frames
        FROM ${t('readings')} WHERE meter_time >= $1::timestamptz - interval '1 day' AND received_at >= $1
        GROUP BY 1 ORDER BY 1`, [since.toISOString()]);
      return rows.map((r) => ({ minute: r.minute, frames: Number(r.frames) }));
    },
    async deadLetterCounts() {
      await existing();
      const { rows } = await pool.query<{ reason: DeadLetterReason; count: string }>(
        `SELECT reason, count(*) AS count FROM ${t('dead_letters')} GROUP BY reason ORDER BY reason`);
      return rows.map((r) => ({ reason: r.reason, count: Number(r.count) }));
    },
    async silentMeters(cutoffByProfile, limit) {
      await existing();
      const profiles = Object.keys(cutoffByProfile);
      const fallback = cutoffByProfile[''] ?? Date.now() - LOOKBACK_MS;
      // `recent` reads one day of partitions by meter time; a meter it misses (silent, or its clock more than a day
      // behind) gets one look at its newest row by the primary key, so a lagging clock is not taken for silence.
      const { rows } = await pool.query<{ meter_id: string; topic_id: string; profile: string | null; last: Date | null }>(`
        WITH cut AS (SELECT * FROM unnest($1::text[], $2::double precision[]) AS c(profile, ms)),
        recent AS (SELECT meter_id, max(received_at) AS last FROM ${t('readings')}
          WHERE meter_time >= now() - interval '1 day' GROUP BY meter_id),
        candidates AS (SELECT m.meter_id, m.topic_id, m.profile, r.last, to_timestamp(coalesce(c.ms, $3) / 1000.0) AS cutoff
          FROM ${t('meters')} m
          LEFT JOIN recent r ON r.meter_id = m.meter_id
          LEFT JOIN cut c ON c.profile = coalesce(m.profile, '')
          WHERE r.last IS NULL OR r.last < to_timestamp(coalesce(c.ms, $3) / 1000.0))
        SELECT k.meter_id, k.topic_id, k.profile, greatest(k.last, n.received_at) AS last FROM candidates k
          LEFT JOIN LATERAL (SELECT received_at FROM ${t('readings')} x WHERE x.meter_id = k.meter_id ORDER BY x.meter_time DESC LIMIT 1) n ON true
        WHERE greatest(k.last, n.received_at) IS NULL OR greatest(k.last, n.received_at) < k.cutoff
        ORDER BY 4 DESC NULLS FIRST LIMIT $4`, [profiles, profiles.map((p) => cutoffByProfile[p]), fallback, limit]);
      return rows.reverse().map((r): MeterActivity => ({
        meterId: r.meter_id, topicId: r.topic_id, ...(r.profile ? { profile: r.profile } : {}), ...(r.last ? { lastReceivedAt: r.last } : {}),
      }));
    },
    async deadLettersPage({ reasons, afterId, limit }) {
      await existing();
      const page = await store.deadLetters.page({ reasons, afterId: afterId === undefined ? 0 : Number(afterId), limit });
      return page.map((l): StoredDeadLetter => ({ ...l, id: String(l.id) }));
    },
    resolveDeadLetters(batch: FleetBatch, resolvedIds: readonly string[]): Promise<CommitResult> {
      return store.commitRedecoded(batch, { resolvedIds: resolvedIds.map(Number) });
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
