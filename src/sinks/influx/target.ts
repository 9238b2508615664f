/**
 * The InfluxDB output URL → where and how to write. Pure (no I/O), so every URL rule is tested without a server.
 *
 * - 1.x: `influx://[user:pass@]host[:8086][/db][?rp=…]` → `POST /write?db=…&precision=ms[&rp=…]`, the
 *   credentials as HTTP Basic authentication (never in the request URL, where proxies log it). Database default
 *   `meterwire`.
 * - 2.x: `influx2://host[:8086]?org=…&bucket=…&token=…` → `POST /api/v2/write?org=…&bucket=…&precision=ms`
 *   with `Authorization: Token …`.
 * - HTTPS: `influxs://`, `influx2s://` or `?tls=1`. `?measurement=` (default `meterwire`); `?name=` labels the
 *   output in metrics. Any other option is a BAD_URL error, so a typo is not silently ignored.
 */
import { meterError } from '../../core/errors.js';
import { redactUrl } from '../../redact/index.js';
import { DEFAULT_MEASUREMENT } from './points.js';

export const DEFAULT_PORT = 8086;
export const DEFAULT_DATABASE = 'meterwire';

export interface InfluxTarget {
  version: 1 | 2;
  /** The output URL with its secrets masked: the sink's name in logs, errors and the outbox. */
  name: string;
  writeUrl: string;
  pingUrl: string;
  /** Request headers of a write, credentials included: never log them. */
  headers: Record<string, string>;
  measurement: string;
  /** Where the points go, for the log: `database "x"`, `bucket "b" of org "o"`. */
  destination: string;
}

const SCHEMES: Record<string, { version: 1 | 2; tls: boolean }> = {
  influx: { version: 1, tls: false }, influxs: { version: 1, tls: true },
  influx2: { version: 2, tls: false }, influx2s: { version: 2, tls: true },
};
const OPTIONS = { 1: ['rp', 'tls', 'measurement', 'name'], 2: ['org', 'bucket', 'token', 'tls', 'measurement', 'name'] } as const;
const MEASUREMENT = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const EXAMPLE = { 1: 'influx://user:pass@127.0.0.1:8086/meterwire', 2: 'influx2://127.0.0.1:8086?org=home&bucket=meterwire&token=…' };

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A query value as written, percent-decoded but with "+" kept (API tokens may hold it). */
function rawParam(search: string, key: string): string {
  const m = new RegExp(`[?&]${key}=([^&#]*)`).exec(search);
  return m ? decoded(m[1]) : '';
}

function flag(value: string | null, what: string, url: string): boolean {
  if (value === null) return false;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw meterError('BAD_URL', `${redactUrl(url)}: ${what} must be 1 or 0`);
}

export function parseInfluxUrl(url: string): InfluxTarget {
  const name = redactUrl(url);
  const scheme = /^([a-z0-9]+):\/\//i.exec(url.trim())?.[1]?.toLowerCase() ?? '';
  const kind = SCHEMES[scheme];
  if (!kind) throw meterError('BAD_URL', `${name} is not an InfluxDB URL: expected e.g. ${EXAMPLE[1]} or ${EXAMPLE[2]}`);
  const example = EXAMPLE[kind.version];
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw meterError('BAD_URL', `cannot read ${name} as a URL (percent-encode special characters of a password): expected e.g. ${example}`);
  }
  if (u.hostname === '') throw meterError('BAD_URL', `${name}: name the InfluxDB host, e.g. ${example}`);
  const known: readonly string[] = OPTIONS[kind.version];
  for (const key of u.searchParams.keys()) {
    if (!known.includes(key)) throw meterError('BAD_URL', `${name}: unknown option "${key}" (an ${scheme}:// output takes ${known.join(', ')})`);
  }
  const p = u.searchParams;
  const tls = kind.tls || flag(p.get('tls'), 'tls', url);
  const base = `${tls ? 'https' : 'http'}://${u.hostname}:${u.port === '' ? DEFAULT_PORT : u.port}`;
  const measurement = p.get('measurement') ?? DEFAULT_MEASUREMENT;
  if (!MEASUREMENT.test(measurement)) {
    throw meterError('BAD_URL', `${name}: measurement must be a letter then up to 63 letters, digits, "_", "." or "-"`);
  }
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', Accept: 'application/json' };
  const path = decoded(u.pathname.replace(/^\//, ''));

  if (kind.version === 1) {
    const database = path || DEFAULT_DATABASE;
    if (database.includes('/')) throw meterError('BAD_URL', `${name}: the path is the database name, e.g. ${example}`);
    if (u.username !== '' || u.password !== '') {
      const credentials = `${decoded(u.username)}:${decoded(u.password)}`;
      headers.Authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    }
    const query = new URLSearchParams({ db: database, precision: 'ms' });
    const rp = p.get('rp');
    if (rp !== null && rp !== '') query.set('rp', rp);
    return {
      version: 1, name, measurement, headers,
      writeUrl: `${base}/write?${query.toString()}`,
      pingUrl: `${base}/ping`,
      destination: `database "${database}"${rp ? ` (retention policy "${rp}")` : ''}`,
    };
  }

  if (u.username !== '' || u.password !== '') throw meterError('BAD_URL', `${name}: InfluxDB 2 takes an API token, not a user: ${example}`);
  if (path !== '') throw meterError('BAD_URL', `${name}: the bucket is an option, not the path: ${example}`);
  const missing = (['org', 'bucket', 'token'] as const).filter((k) => (p.get(k) ?? '') === '');
  if (missing.length > 0) throw meterError('BAD_URL', `${name}: missing ${missing.map((k) => `?${k}=`).join(', ')}: expected e.g. ${example}`);
  const org = p.get('org')!;
  const bucket = p.get('bucket')!;
  headers.Authorization = `Token ${rawParam(u.search, 'token')}`;
  return {
    version: 2, name, measurement, headers,
    writeUrl: `${base}/api/v2/write?${new URLSearchParams({ org, bucket, precision: 'ms' }).toString()}`,
    pingUrl: `${base}/ping`,
    destination: `bucket "${bucket}" of org "${org}"`,
  };
}
