/**
 * A minimal database handle over better-sqlite3, pg and mysql2, so the storage sink, the migrations and the query
 * API are written once. SQL is written with `?` placeholders (the pg driver numbers them); every statement used
 * by the sink is plain enough to run on SQLite ≥ 3.35, PostgreSQL ≥ 12, MySQL ≥ 8 and MariaDB ≥ 10.3.
 */
import { meterError } from '../../core/errors.js';
import { redactUrl } from '../../redact/index.js';
import { driverHint, missingDriver } from '../drivers.js';
import { checkTimeZone } from './local-time.js';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';
export type Param = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  all<T = Row>(sql: string, params?: readonly Param[]): Promise<T[]>;
  /** Runs a statement and resolves to the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface SqlDb extends SqlExecutor {
  readonly dialect: Dialect;
  /** The URL with credentials redacted, safe for logs. */
  readonly name: string;
  /** PostgreSQL schema the handle uses (created by the migrations when missing). */
  readonly schema?: string;
  /** Runs `fn` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqlUrl {
  dialect: Dialect;
  /** Redacted URL for logs and metrics labels. */
  name: string;
  /** What the driver gets: a file path (SQLite) or the URL without meterwire's own options. */
  target: string;
  /** PostgreSQL schema to create and use (`?schema=`), instead of the user's default search_path. */
  schema?: string;
  /**
   * Raw history older than this is deleted (`?retention=30d`; default 90 days); rollups and texts are kept.
   * Undefined with `?retention=forever` or `?retention=0`.
   */
  retentionMs?: number;
  /** IANA zone for local hour/day/month rollups (`?tz=Europe/Vienna`); default: the meter profile's zone. */
  timeZone?: string;
}

/** Raw history kept by default: about 22 GB for a DSMR 5 meter pushing every second, rollups forever. */
export const DEFAULT_RETENTION_MS = 90 * 86_400_000;

function parseRetention(text: string | null): number | undefined {
  if (text === null) return DEFAULT_RETENTION_MS;
  if (text === '0' || text.toLowerCase() === 'forever') return undefined;
  return parseDuration(text);
}

function parseZone(text: string | null): string | undefined {
  return text === null ? undefined : checkTimeZone(text);
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `30d`, `12h`, `90m`, `2w`, `45s`. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}": use a number and s, m, h, d or w (e.g. 30d)`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** The URL without its password or secret options, for logs (the one redaction rule, src/redact). */
export { redactUrl };

function dialectOf(protocol: string): Dialect | undefined {
  if (protocol === 'sqlite:') return 'sqlite';
  if (protocol === 'postgres:' || protocol === 'postgresql:') return 'postgres';
  if (protocol === 'mysql:' || protocol === 'mariadb:') return 'mysql';
  return undefined;
}

/** Splits a sink URL into dialect, driver target and meterwire's own options (`retention`, `schema`, `tz`). */
export function parseSqlUrl(url: string): SqlUrl {
  const protocol = /^[a-z]+:/i.exec(url)?.[0].toLowerCase() ?? '';
  const dialect = dialectOf(protocol);
  if (!dialect) throw new Error(`unsupported database URL ${redactUrl(url)}: use sqlite:FILE, postgres://… or mysql://…`);
  if (dialect === 'sqlite') return parseSqliteUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`cannot parse the database URL ${redactUrl(url)}: expected e.g. ${protocol}//user:password@host/database (percent-encode @ : / ? # in the password)`);
  }
  try {
    decodeURIComponent(u.username);
    decodeURIComponent(u.password);
  } catch {
    throw new Error(`the user or password of ${redactUrl(url)} is not valid percent-encoding: write "%" as %25`);
  }
  if (protocol === 'mariadb:') u.protocol = 'mysql:';
  const retention = u.searchParams.get('retention');
  const tz = u.searchParams.get('tz');
  const schema = u.searchParams.get('schema') ?? undefined;
  // meterwire's own options (`name` labels the output in metrics) are not for the driver.
  for (const own of ['retention', 'schema', 'name', 'tz']) u.searchParams.delete(own);
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  if (schema !== undefined && dialect !== 'postgres') throw new Error('?schema= is for PostgreSQL; for MySQL name the database in the URL path');
  return { dialect, name: redactUrl(url), target: u.toString(), schema, retentionMs: parseRetention(retention), timeZone: parseZone(tz) };
}

/** `sqlite:./data/x.db`, `sqlite:data/x.db`, `sqlite:///abs/x.db`, `sqlite::memory:`; relative paths from the cwd. */
function parseSqliteUrl(url: string): SqlUrl {
  const rest = url.slice('sqlite:'.length);
  const q = rest.indexOf('?');
  const pathPart = q >= 0 ? rest.slice(0, q) : rest;
  const params = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '');
  const file = pathPart.startsWith('//') ? pathPart.slice(2) : pathPart;
  if (!file) throw new Error('sqlite URL needs a file, e.g. sqlite:./data/meterwire.db');
  return { dialect: 'sqlite', name: redactUrl(url), target: file, retentionMs: parseRetention(params.get('retention')), timeZone: parseZone(params.get('tz')) };
}

/** Opens a handle for a URL (no schema work: see `openSqlStore`). Drivers are loaded on demand. */
export async function openSqlDb(url: string | SqlUrl, onIdleError?: (e: Error) => void): Promise<SqlDb> {
  const parsed = typeof url === 'string' ? parseSqlUrl(url) : url;
  const warn = onIdleError ?? (() => undefined);
  const missing = missingDriver(parsed.name);
  if (missing) throw meterError('BAD_CONFIG', driverHint(missing));
  if (parsed.dialect === 'sqlite') return (await import('./sqlite-db.js')).openSqliteDb(parsed);
  if (parsed.dialect === 'postgres') return (await import('./pg-db.js')).openPgDb(parsed, warn);
  return (await import('./mysql-db.js')).openMysqlDb(parsed, warn);
}
