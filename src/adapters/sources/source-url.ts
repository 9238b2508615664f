/**
 * Small helpers for source URLs: splitting off the query, reading typed parameters, and redacting secrets so a
 * URL can be logged. Every problem is a MeterError of layer 'config' with a message that names the fix.
 */
import { MeterError } from '../../core/errors.js';

/** Query parameters whose values are secrets wherever they appear. */
const SECRET_PARAMS = /^(password|pass|pwd|secret|token|key|guek|gak|apikey|api_key)$/i;

export function configError(message: string): MeterError {
  return new MeterError('UNKNOWN_FORMAT', 'config', message);
}

/** Splits "scheme:rest?query" into the part before the query and its parameters. */
export function splitQuery(url: string): { base: string; params: URLSearchParams } {
  const q = url.indexOf('?');
  if (q < 0) return { base: url, params: new URLSearchParams() };
  return { base: url.slice(0, q), params: new URLSearchParams(url.slice(q + 1)) };
}

/** Replaces the password of user:pass@ and secret query values with "***"; never throws. */
export function redactUrl(url: string): string {
  // Greedy up to the last "@" of the authority, so an unencoded "@" inside a password cannot leak its tail.
  const redacted = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@?#:]*):[^/?#]*@/i, '$1:***@');
  const { base, params } = splitQuery(redacted);
  if (![...params.keys()].some((name) => SECRET_PARAMS.test(name))) return redacted;
  const parts = [...params].map(([name, value]) => `${name}=${SECRET_PARAMS.test(name) ? '***' : value}`);
  return `${base}?${parts.join('&')}`;
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

/** Parses "host:port" (IPv6 in brackets) for tcp:// and tcp-listen://. */
export function parseHostPort(url: string, defaultHost?: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(`cannot parse ${redactUrl(url)}: expected e.g. tcp://192.168.1.50:2001`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || defaultHost;
  const port = Number(parsed.port);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw configError(`${redactUrl(url)} needs a host and a port from 1 to 65535, e.g. ${parsed.protocol}//192.168.1.50:2001`);
  }
  return { host, port };
}
