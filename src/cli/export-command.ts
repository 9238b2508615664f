/**
 * `meterwire export --db URL --reading energy_import [--meter M] --from ISO --to ISO --resolution 1h
 * [--base-units] [--tz ZONE] --format csv|json`: a series from the storage sink's database on stdout, the same
 * numbers the dashboard charts (both use querySeries). Rollup rows carry the bucket start in UTC (`ts`) and on the
 * meter's wall clock (`local`). Dates written without an offset are wall-clock times in --tz (default: this
 * machine's zone). Problems are one line on stderr and exit code 1; stdout carries only data.
 */
import { openSqlStore, querySeries, RESOLUTIONS, type Point, type Resolution } from '../sinks/sql/query.js';
import { existsSync } from 'node:fs';
import { parseSqlUrl } from '../sinks/sql/db.js';
import { checkTimeZone, instantOfWall, machineTimeZone } from '../sinks/sql/local-time.js';
import { createRedactor, redactUrl } from '../redact/index.js';

export interface ExportFlags {
  /** Database URL (default: the reader's default store, sqlite:./data/meterwire.db). */
  db?: string;
  reading?: string;
  meter?: string;
  /** ISO 8601; default 24 hours before --to. */
  from?: string;
  /** ISO 8601, exclusive; default now. */
  to?: string;
  resolution?: string;
  format?: string;
  /** Values in base units (Wh, W, V, A, m3 …) instead of each meter's own unit. */
  baseUnits?: boolean;
  /** Zone of --from/--to written without an offset (default: the machine's). */
  tz?: string;
}

export const DEFAULT_DB = 'sqlite:./data/meterwire.db';
const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface ExportRequest {
  db: string;
  reading: string;
  meter?: string;
  from: Date;
  to: Date;
  resolution: Resolution;
  format: Format;
  baseUnits: boolean;
}

class UsageError extends Error {}

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;

/** ISO 8601 with Z or an offset as written; without one, a wall-clock time (or midnight) in `zone`. */
function parseDate(text: string, flag: string, zone: string): Date {
  const wall = WALL.exec(text.trim());
  if (wall) {
    const [y, mo, d, h, mi, s, ms] = wall.slice(1).map((x) => Number(x ?? 0));
    const utc = Date.UTC(y, mo - 1, d, h, mi, s, Number(String(ms).padEnd(3, '0')));
    if (!Number.isNaN(utc)) return new Date(instantOfWall(zone, utc));
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${flag} "${text}" is not a date: use ISO 8601, e.g. 2024-03-01T00:00:00Z`);
  return d;
}

function parseFlags(f: ExportFlags, now: Date): ExportRequest {
  if (!f.reading) throw new UsageError('--reading is required (a reading id such as energy_import, power_import, voltage_l1)');
  const resolution = (f.resolution ?? '1h') as Resolution;
  if (!RESOLUTIONS.includes(resolution)) throw new UsageError(`--resolution must be one of ${RESOLUTIONS.join(', ')}`);
  const format = (f.format ?? 'csv') as Format;
  if (!FORMATS.includes(format)) throw new UsageError('--format must be csv or json');
  let zone: string;
  try {
    zone = f.tz === undefined ? machineTimeZone() : checkTimeZone(f.tz);
  } catch (e) {
    throw new UsageError(`--tz: ${(e as Error).message}`);
  }
  const to = f.to ? parseDate(f.to, 'to', zone) : now;
  const from = f.from ? parseDate(f.from, 'from', zone) : new Date(to.getTime() - 86_400_000);
  if (from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');
  return { db: f.db ?? DEFAULT_DB, reading: f.reading, meter: f.meter, from, to, resolution, format, baseUnits: f.baseUnits === true };
}

const RAW_COLUMNS = ['meter', 'ts', 'value', 'unit', 'text', 'quality'] as const;
const ROLLUP_COLUMNS = ['meter', 'ts', 'local', 'value', 'unit', 'kind', 'min', 'avg', 'max', 'last', 'count', 'reset'] as const;

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = Array.isArray(v) ? v.join(' ') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV with a header; `value` is the reading (raw), the delta (counters) or the average (measurements); a counter
 * bucket in which the register went backwards has an empty value and `reset` true.
 */
export function formatCsv(points: readonly Point[], resolution: Resolution): string {
  const cols = resolution === 'raw' ? RAW_COLUMNS : ROLLUP_COLUMNS;
  const lines = [cols.join(',')];
  for (const p of points) lines.push(cols.map((c) => csvCell((p as unknown as Record<string, unknown>)[c])).join(','));
  return lines.join('\n') + '\n';
}

/** A JSON array, one point per line, so large exports stay diffable and greppable. */
export function formatJson(points: readonly Point[]): string {
  if (points.length === 0) return '[]\n';
  return '[\n' + points.map((p) => JSON.stringify(p)).join(',\n') + '\n]\n';
}

export async function runExport(flags: ExportFlags, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let request: ExportRequest;
  try {
    request = parseFlags(flags, new Date());
  } catch (e) {
    err.write(`meterwire export: ${(e as Error).message}\n`);
    return 1;
  }
  let db: Awaited<ReturnType<typeof openSqlStore>> | undefined;
  try {
    // Opening a SQLite store creates it; an export from a mistyped path should say so instead.
    const target = parseSqlUrl(request.db);
    if (target.dialect === 'sqlite' && target.target !== ':memory:' && !existsSync(target.target)) {
      throw new Error(`no database file ${target.target}: the reader creates it when run with this storage output`);
    }
    db = await openSqlStore(request.db);
    const points = await querySeries(db, request);
    out.write(request.format === 'csv' ? formatCsv(points, request.resolution) : formatJson(points));
    return 0;
  } catch (e) {
    // A driver's message may quote the connection string: mask this URL's secrets wherever they appear.
    const secrets = createRedactor();
    secrets.addUrl(request.db);
    err.write(`meterwire export: ${redactUrl(request.db)}: ${secrets.text(e instanceof Error ? e.message : String(e))}\n`);
    return 1;
  } finally {
    await db?.close();
  }
}
