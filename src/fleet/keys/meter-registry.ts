/**
 * Writes and reads of the meter registry (the CLI's side; workers read through the MeterDirectory). Every write is
 * one transaction that also queues `NOTIFY meterwire_fleet_meters, '<meter id>'` for each meter it changed, so
 * workers evict their cached copy when it commits — and never before.
 */
import type pg from 'pg';
import { meterError } from '../../core/errors.js';
import { openMeterKeys, rewrapDataKey, sealMeterKeys, type MeterKeys, type SealedKeys } from './envelope.js';
import { keyFingerprint, type MasterKey } from './master-key.js';
import type { MeterRecord } from './meters-csv.js';
import { claimMasterKey, ensureRegistrySchema, notifyMeters, setMasterKeyId } from './registry-schema.js';

const CHUNK = 1000;

/** A row as stored (keys still sealed). */
export interface StoredMeterRow {
  meter_id: string;
  topic_id: string;
  system_title: string | null;
  profile: string | null;
  time_zone: string;
  master_key_id: string;
  wrapped_data_key: Buffer;
  encrypted_keys: Buffer;
}

export const sealedOf = (r: StoredMeterRow): SealedKeys =>
  ({ masterKeyId: r.master_key_id, wrappedDataKey: r.wrapped_data_key, encryptedKeys: r.encrypted_keys });

/** What `list` shows: never a key, only whether it is set and a fingerprint under the master key. */
export interface ListedMeter {
  meterId: string;
  topicId: string;
  systemTitle?: string;
  profile?: string;
  timeZone: string;
  /** HMAC-SHA256 prefix of the key under the master key, or undefined when the meter has none. */
  guekFingerprint?: string;
  gakFingerprint?: string;
  masterKeyId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ImportResult {
  inserted: number;
  updated: number;
}

async function inTransaction<T>(pool: pg.Pool, schema: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await ensureRegistrySchema(client, schema);
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    broken = await client.query('ROLLBACK').then(() => undefined, (re: Error) => re);
    throw deferredConflict(e);
  } finally {
    client.release(broken);
  }
}

/** A unique violation found at COMMIT (a concurrent write took the topic id or system title): one clear line. */
function deferredConflict(e: unknown): unknown {
  const err = e as { code?: string; constraint?: string; detail?: string };
  if (err?.code !== '23505') return e;
  const what = err.constraint === 'meters_system_title_key' ? 'system title' : err.constraint === 'meters_topic_id_key' ? 'topic id' : 'meter';
  return meterError('BAD_INPUT', `another meter already has this ${what} (${err.detail ?? 'unique violation'}); nothing was changed`);
}

function fingerprints(master: MasterKey, keys: MeterKeys): [string | null, string | null] {
  return [keys.guek ? keyFingerprint(master, keys.guek) : null, keys.gak ? keyFingerprint(master, keys.gak) : null];
}

/** Refuses records whose topic id or system title belongs to a registered meter that this import leaves alone. */
async function checkConflicts(client: pg.ClientBase, schema: string, records: readonly MeterRecord[]): Promise<void> {
  const ids = new Set(records.map((r) => r.meterId));
  const topics = records.map((r) => r.topicId);
  const titles = records.flatMap((r) => (r.systemTitle ? [r.systemTitle] : []));
  const held = (await client.query<{ meter_id: string; topic_id: string; system_title: string | null }>(
    `SELECT meter_id, topic_id, system_title FROM ${schema}.meters WHERE topic_id = ANY($1) OR system_title = ANY($2)`,
    [topics, titles])).rows.filter((r) => !ids.has(r.meter_id));
  if (held.length === 0) return;
  const byTopic = new Map(held.map((r) => [r.topic_id, r.meter_id]));
  const byTitle = new Map(held.flatMap((r) => (r.system_title ? [[r.system_title, r.meter_id] as const] : [])));
  const errors: string[] = [];
  for (const r of records) {
    const t = byTopic.get(r.topicId);
    if (t !== undefined) errors.push(`line ${r.line}: topic id "${r.topicId}" is registered to meter "${t}"`);
    const s = r.systemTitle ? byTitle.get(r.systemTitle) : undefined;
    if (s !== undefined) errors.push(`line ${r.line}: system title ${r.systemTitle} is registered to meter "${s}"`);
  }
  throw meterError('BAD_INPUT', `${errors.length} conflict(s) with registered meters, nothing imported ` +
    `(remove those meters first, or import them too):\n  ${errors.slice(0, 20).join('\n  ')}`);
}

/** Upserts every record on its meter id, all or nothing. */
export async function importMeters(pool: pg.Pool, schema: string, master: MasterKey, records: readonly MeterRecord[]): Promise<ImportResult> {
  return inTransaction(pool, schema, async (client) => {
    await claimMasterKey(client, schema, master);
    await checkConflicts(client, schema, records);
    let inserted = 0;
    let updated = 0;
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      const cols: unknown[][] = Array.from({ length: 10 }, () => []);
      for (const r of chunk) {
        const sealed = sealMeterKeys(master, r.meterId, r);
        const [gf, af] = fingerprints(master, r);
        [r.meterId, r.topicId, r.systemTitle ?? null, r.profile ?? null, r.timeZone, sealed.masterKeyId,
          sealed.wrappedDataKey, sealed.encryptedKeys, gf, af].forEach((v, j) => cols[j].push(v));
      }
      const rows = (await client.query<{ inserted: boolean }>(`
        INSERT INTO ${schema}.meters AS m (meter_id, topic_id, system_title, profile, time_zone, master_key_id,
          wrapped_data_key, encrypted_keys, guek_fingerprint, gak_fingerprint)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
          $7::bytea[], $8::bytea[], $9::text[], $10::text[])
        ON CONFLICT (meter_id) DO UPDATE SET topic_id = excluded.topic_id, system_title = excluded.system_title,
          profile = excluded.profile, time_zone = excluded.time_zone, master_key_id = excluded.master_key_id,
          wrapped_data_key = excluded.wrapped_data_key, encrypted_keys = excluded.encrypted_keys,
          guek_fingerprint = excluded.guek_fingerprint, gak_fingerprint = excluded.gak_fingerprint, updated_at = now()
        RETURNING (xmax = 0) AS inserted`, cols)).rows;
      for (const r of rows) if (r.inserted) inserted++; else updated++;
      await notifyMeters(client, schema, chunk.map((r) => r.meterId));
    }
    return { inserted, updated };
  });
}

export async function listMeters(pool: pg.Pool, schema: string): Promise<ListedMeter[]> {
  const client = await pool.connect();
  try {
    await ensureRegistrySchema(client, schema);
    const rows = (await client.query(`SELECT meter_id, topic_id, system_title, profile, time_zone, master_key_id,
      guek_fingerprint, gak_fingerprint, created_at, updated_at FROM ${schema}.meters ORDER BY meter_id`)).rows;
    return rows.map((r) => ({
      meterId: r.meter_id, topicId: r.topic_id, timeZone: r.time_zone, masterKeyId: r.master_key_id,
      createdAt: r.created_at, updatedAt: r.updated_at,
      ...(r.system_title !== null ? { systemTitle: r.system_title } : {}),
      ...(r.profile !== null ? { profile: r.profile } : {}),
      ...(r.guek_fingerprint !== null ? { guekFingerprint: r.guek_fingerprint } : {}),
      ...(r.gak_fingerprint !== null ? { gakFingerprint: r.gak_fingerprint } : {}),
    }));
  } finally {
    client.release();
  }
}

/** True when the meter was registered. */
export async function removeMeter(pool: pg.Pool, schema: string, meterId: string): Promise<boolean> {
  return inTransaction(pool, schema, async (client) => {
    const n = (await client.query(`DELETE FROM ${schema}.meters WHERE meter_id = $1`, [meterId])).rowCount ?? 0;
    if (n > 0) await notifyMeters(client, schema, [meterId]);
    return n > 0;
  });
}

export interface KeyChange {
  guek?: Uint8Array;
  /** Undefined keeps the stored GAK; null removes it. */
  gak?: Uint8Array | null;
}

/** Replaces a meter's keys under a fresh data key. BAD_INPUT when the meter is not registered. */
export async function rotateMeterKeys(pool: pg.Pool, schema: string, master: MasterKey, meterId: string, change: KeyChange): Promise<void> {
  await inTransaction(pool, schema, async (client) => {
    await claimMasterKey(client, schema, master);
    const row = (await client.query<StoredMeterRow>(`SELECT * FROM ${schema}.meters WHERE meter_id = $1 FOR UPDATE`, [meterId])).rows[0];
    if (row === undefined) throw meterError('BAD_INPUT', `no meter "${meterId}" in the registry (schema ${schema})`);
    const old = openMeterKeys(master, meterId, sealedOf(row));
    const keys: MeterKeys = {
      guek: change.guek ?? old.guek,
      gak: change.gak === null ? undefined : change.gak ?? old.gak,
    };
    const sealed = sealMeterKeys(master, meterId, keys);
    const [gf, af] = fingerprints(master, keys);
    await client.query(`UPDATE ${schema}.meters SET master_key_id = $2, wrapped_data_key = $3, encrypted_keys = $4,
      guek_fingerprint = $5, gak_fingerprint = $6, updated_at = now() WHERE meter_id = $1`,
    [meterId, sealed.masterKeyId, sealed.wrappedDataKey, sealed.encryptedKeys, gf, af]);
    await notifyMeters(client, schema, [meterId]);
  });
}

/**
 * Rewraps every row's data key from one master key to another, in one transaction (a failure leaves all rows
 * under the old key). Fingerprints are recomputed: they are keyed by the master key.
 */
export async function rewrapRegistry(pool: pg.Pool, schema: string, from: MasterKey, to: MasterKey): Promise<number> {
  return inTransaction(pool, schema, async (client) => {
    await claimMasterKey(client, schema, from);
    const rows = (await client.query<StoredMeterRow>(`SELECT * FROM ${schema}.meters ORDER BY meter_id FOR UPDATE`)).rows;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const cols: unknown[][] = [[], [], [], [], []];
      for (const r of rows.slice(i, i + CHUNK)) {
        const sealed = rewrapDataKey(from, to, r.meter_id, sealedOf(r));
        const [gf, af] = fingerprints(to, openMeterKeys(to, r.meter_id, sealed));
        [r.meter_id, sealed.masterKeyId, sealed.wrappedDataKey, gf, af].forEach((v, j) => cols[j].push(v));
      }
      await client.query(`UPDATE ${schema}.meters AS m SET master_key_id = u.k, wrapped_data_key = u.w,
          guek_fingerprint = u.g, gak_fingerprint = u.a
        FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::text[]) AS u(id, k, w, g, a) WHERE m.meter_id = u.id`, cols);
    }
    await setMasterKeyId(client, schema, to.id);
    return rows.length;
  });
}
