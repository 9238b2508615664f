/**
 * Small helpers for source URLs: splitting off the query and reading typed parameters. Every problem is a
 * MeterError BAD_URL (layer 'config') with a message that names the fix; URLs in messages are redacted by the
 * one redaction module (src/redact), re-exported here for the sources and targets.
 */
import { meterError, type MeterError } from '../core/errors.js';
import { redactUrl } from '../redact/index.js';

export { redactUrl };

export function configError(message: string): MeterError {
  return meterError('BAD_URL', message);
}

/** Splits "scheme:rest?query" into the part before the query and its parameters. */
export function splitQuery(url: string): { base: string; params: URLSearchParams } {
  const q = url.indexOf('?');
  if (q < 0) return { base: url, params: new URLSearchParams() };
  return { base: url.slice(0, q), params: new URLSearchParams(url.slice(q + 1)) };
}

export function intParam(params: URLSearchParams, name: string, allowed?: readonly number[]): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || (allowed && !allowed.includes(value))) {
    const hint = allowed ? `one of ${allowed.join(', ')}` : 'a positive integer';
    throw configError(`?${name}=${raw} is not valid: expected ${hint}`);
  }
  return value;
}

export function choiceParam<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const value = raw.toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) {
    throw configError(`?${name}=${raw} is not valid: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function flagParam(params: URLSearchParams, name: string): boolean {
  const raw = params.get(name);
  if (raw === null) return false;
  if (['1', 'true', 'yes', ''].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw configError(`?${name}=${raw} is not valid: expected 1 or 0`);
}

/** The address listeners (tcp-listen://, dsmr-tcp://, prometheus://) take when the URL names none: loopback only. */
export const LOOPBACK = '127.0.0.1';

const HOST_PORT = /^([a-z][a-z0-9+.-]*:)\/\/(\[[0-9a-f:.]*\]|[^/:?#@[\]]*)(?::([^/?#]*))?\/?(?:\?.*)?$/i;

/**
 * Parses "scheme://host:port[?query]" (IPv6 in brackets) for tcp:// and tcp-listen://; "scheme://:port" takes
 * `defaultHost` (listeners: LOOPBACK), and without one a host is required.
 */
export function parseHostPort(url: string, defaultHost?: string): { host: string; port: number } {
  const m = HOST_PORT.exec(url.trim());
  const example = `${m?.[1] ?? /^[a-z][a-z0-9+.-]*:/i.exec(url.trim())?.[0] ?? 'tcp:'}//192.168.1.50:2001`;
  if (!m) throw configError(`cannot parse ${redactUrl(url)}: expected e.g. ${example}`);
  const host = m[2].replace(/^\[(.*)\]$/, '$1') || defaultHost;
  const port = /^\d{1,5}$/.test(m[3] ?? '') ? Number(m[3]) : NaN;
  if (!host || !(port >= 1 && port <= 65535)) {
    throw configError(`${redactUrl(url)} needs ${host ? '' : 'a host and '}a port from 1 to 65535, e.g. ${example}`);
  }
  return { host, port };
}
