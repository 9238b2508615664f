/**
 * The meter registry's tables in a PostgreSQL schema (default `meterwire_fleet`), created idempotently under an
 * advisory lock so several workers starting at once do not race on CREATE. `meters_meta` holds the schema version
 * and the id of the master key that wraps the rows (a wrong master key is refused before anything is written).
 *
 * topic_id and system_title are unique but DEFERRABLE: one import may move topic ids between meters (checked at
 * commit); the primary key stays immediate because it is the upsert's conflict target.
 */
import type pg from 'pg';
import { meterError } from '../../core/errors.js';
import { KeyStoreError, wrongMasterKey } from './key-store-error.js';
import type { MasterKey } from './master-key.js';

export const DEFAULT_SCHEMA = 'meterwire_fleet';
/**
 * Every change to a meter sends `NOTIFY meterwire_fleet_meters, '<meter id>'` (the default schema). Registries in
 * other schemas of the same database notify `meterwire_fleet_meters_<schema>`, so one registry's changes do not
 * evict (and stall the preload of) another's directories.
 */
export const METERS_CHANNEL = 'meterwire_fleet_meters';
/** Channel names are identifiers (< 64 bytes): this leaves 40 for a schema name. */
const MAX_SCHEMA_NAME = 63 - METERS_CHANNEL.length - 1;

export function metersChannel(schema: string): string {
  return schema === DEFAULT_SCHEMA ? METERS_CHANNEL : `${METERS_CHANNEL}_${schema}`;
}
export const REGISTRY_SCHEMA_VERSION = 1;

/** A schema name safe to splice into SQL unquoted (lower case, as PostgreSQL folds it). */
export function checkSchemaName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || name.length > MAX_SCHEMA_NAME) {
    throw meterError('BAD_CONFIG', `schema name "${name}" is not usable: at most ${MAX_SCHEMA_NAME} lower-case letters, digits and _, ` +
      'starting with a letter or _');
  }
  return name;
}

export interface RegistryMeta {
  schemaVersion: number;
  /** Undefined until the first meter is written. */
  masterKeyId?: string;
}

const createMeters = (s: string): string => `
  CREATE TABLE IF NOT EXISTS ${s}.meters (
    meter_id text PRIMARY KEY,
    topic_id text NOT NULL CONSTRAINT meters_topic_id_key UNIQUE DEFERRABLE INITIALLY DEFERRED,
    system_title text CONSTRAINT meters_system_title_key UNIQUE DEFERRABLE INITIALLY DEFERRED,
    profile text,
    time_zone text NOT NULL,
    master_key_id text NOT NULL,
    wrapped_data_key bytea NOT NULL,
    encrypted_keys bytea NOT NULL,
    guek_fingerprint text,
    gak_fingerprint text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`;

async function readMeta(client: pg.ClientBase, schema: string): Promise<RegistryMeta> {
  const rows = (await client.query<{ name: string; value: string }>(`SELECT name, value FROM ${schema}.meters_meta`)).rows;
  const get = (name: string): string | undefined => rows.find((r) => r.name === name)?.value;
  return { schemaVersion: Number(get('schema_version') ?? 0), masterKeyId: get('master_key_id') };
}

/** Creates the schema and tables when missing; refuses a registry written by a newer meterwire. */
export async function ensureRegistrySchema(client: pg.ClientBase, schema: string): Promise<RegistryMeta> {
  checkSchemaName(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meterwire fleet registry ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.meters_meta (name text PRIMARY KEY, value text NOT NULL)`);
    let meta = await readMeta(client, schema);
    if (meta.schemaVersion > REGISTRY_SCHEMA_VERSION) {
      throw new KeyStoreError('schema', `the meter registry in schema ${schema} has version ${meta.schemaVersion}, ` +
        `newer than this meterwire knows (${REGISTRY_SCHEMA_VERSION}): upgrade meterwire`);
    }
    if (meta.schemaVersion < 1) {
      await client.query(createMeters(schema));
      await client.query(`INSERT INTO ${schema}.meters_meta (name, value) VALUES ('schema_version', $1)
        ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [String(REGISTRY_SCHEMA_VERSION)]);
      meta = { ...meta, schemaVersion: REGISTRY_SCHEMA_VERSION };
    }
    await client.query('COMMIT');
    return meta;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Throws the one "wrong master key" error when the registry is wrapped by another master key. */
export function assertMasterKey(meta: RegistryMeta, master: MasterKey): void {
  if (meta.masterKeyId !== undefined && meta.masterKeyId !== master.id) throw wrongMasterKey(meta.masterKeyId, master);
}

/** Inside a transaction: locks the meta rows, checks the master key and records it on the first write. */
export async function claimMasterKey(client: pg.ClientBase, schema: string, master: MasterKey): Promise<void> {
  const row = (await client.query<{ value: string }>(
    `SELECT value FROM ${schema}.meters_meta WHERE name = 'master_key_id' FOR UPDATE`)).rows[0];
  if (row === undefined) {
    await client.query(`INSERT INTO ${schema}.meters_meta (name, value) VALUES ('master_key_id', $1)`, [master.id]);
  } else if (row.value !== master.id) {
    throw wrongMasterKey(row.value, master);
  }
}

export async function setMasterKeyId(client: pg.ClientBase, schema: string, keyId: string): Promise<void> {
  await client.query(`INSERT INTO ${schema}.meters_meta (name, value) VALUES ('master_key_id', $1)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [keyId]);
}

/** Queues one notification per meter id; PostgreSQL delivers them when the transaction commits. */
export async function notifyMeters(client: pg.ClientBase, schema: string, meterIds: readonly string[]): Promise<void> {
  if (meterIds.length === 0) return;
  await client.query('SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id', [metersChannel(schema), meterIds]);
}
