/**
 * `web://[host][:port][?token=…][&cert=FILE&key=FILE][&tz=ZONE][&store=URL]`: where the dashboard listens (loopback
 * when no host is given), its token (required off loopback), HTTPS files, the time zone of its days and months and
 * the SQL store its history charts read (percent-encoded, e.g. `store=sqlite%3A.%2Fdata%2Fmeterwire.db`; without
 * one the charts show the last 24 hours the output itself kept in memory).
 */
import { meterError } from '../../core/errors.js';
import { redactUrl } from '../../redact/index.js';
import { checkDashboardOptions } from '../../dashboard/dashboard-options.js';
import { checkTimeZone } from '../../dashboard/local-time.js';
import { checkStoreUrl } from '../../dashboard/sql-history.js';
import { parseListenUrl } from '../server-url.js';

export const DEFAULT_WEB_PORT = 8080;

export interface WebUrl {
  host: string;
  port: number;
  token?: string;
  tls?: { certFile: string; keyFile: string };
  timeZone?: string;
  /** SQL store URL for the history charts. */
  store?: string;
}

/**
 * The URL safe for logs and metrics labels: redactUrl, after the percent-encoded store URL inside it had its own
 * password masked (redactUrl sees the encoded one as plain text).
 */
export function redactWebUrl(url: string): string {
  const masked = url.replace(/([?&]store=)([^&#]*)/g, (_m, key: string, value: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return `${key}***`;
    }
    return `${key}${encodeURIComponent(redactUrl(decoded))}`;
  });
  return redactUrl(masked);
}

const KNOWN = new Set(['token', 'cert', 'key', 'tz', 'name', 'store']);

export function parseWebUrl(url: string): WebUrl {
  const { host, port, path, params } = parseListenUrl(url, 'web', DEFAULT_WEB_PORT);
  const shown = redactWebUrl(url);
  if (path !== '/') throw meterError('BAD_URL', `${shown}: the dashboard is served at /, e.g. web://127.0.0.1:${DEFAULT_WEB_PORT}`);
  for (const k of params.keys()) {
    if (!KNOWN.has(k)) throw meterError('BAD_URL', `${shown}: unknown option "${k}" (web:// takes token, cert, key, tz, store)`);
  }
  const token = params.get('token') ?? undefined;
  const cert = params.get('cert') ?? undefined;
  const key = params.get('key') ?? undefined;
  if ((cert === undefined) !== (key === undefined)) {
    throw meterError('BAD_URL', `${shown}: HTTPS needs both ?cert=FILE and ?key=FILE (PEM)`);
  }
  const timeZone = params.get('tz') ?? undefined;
  if (timeZone !== undefined) {
    try {
      checkTimeZone(timeZone);
    } catch {
      throw meterError('BAD_URL', `${shown}: unknown time zone "${timeZone}" (an IANA name, e.g. Europe/Vienna)`);
    }
  }
  const store = params.get('store') ?? undefined;
  if (store !== undefined) {
    try {
      checkStoreUrl(store);
    } catch (e) {
      throw meterError('BAD_URL', `${shown}: ?store= ${(e as Error).message}`);
    }
  }
  checkDashboardOptions({ host, token });
  return { host, port, token, tls: cert && key ? { certFile: cert, keyFile: key } : undefined, timeZone, store };
}
