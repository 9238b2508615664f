/**
 * What an InfluxDB write response means for the fan-out. Throwing makes the fan-out keep the batch (spooled
 * on disk) and retry it with backoff, which is right for a server that is down or busy and for mistakes the user
 * can fix while the data waits (wrong password or token, missing database or bucket). Points the server refuses
 * for what they are (a field type conflict with older data, a time outside the retention period) would be
 * refused forever and block every later message: they are logged as an error and not retried.
 */
import { redactText } from '../../redact/index.js';

export type WriteOutcome =
  | { kind: 'ok' }
  /** The server will never take these points: log, do not retry. */
  | { kind: 'rejected'; reason: string }
  /** Nothing can be assumed written: throw so the batch is retried. */
  | { kind: 'retry'; reason: string }
  /** Too large for one request: send it in smaller parts. */
  | { kind: 'split' };

const REFUSED_POINTS = /partial write|unable to parse|field type conflict|beyond retention|outside (the )?retention/i;

/** The server's own words: `{"error": …}` (1.x), `{"message": …}` (2.x), the X-Influxdb-Error header, or the text. */
export function serverMessage(body: string, header: string | null): string {
  let text = '';
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown };
    text = typeof json.error === 'string' ? json.error : typeof json.message === 'string' ? json.message : '';
  } catch {
    text = '';
  }
  text ||= header ?? body.trim();
  const oneLine = text.replace(/\s+/g, ' ');
  return redactText(oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine);
}

export interface ResponseContext {
  version: 1 | 2;
  destination: string;
  /** X-Influxdb-Version from the last /ping, when the server sent one. */
  serverVersion?: string;
}

export function outcomeOf(status: number, message: string, c: ResponseContext): WriteOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const said = message === '' ? `HTTP ${status}` : `HTTP ${status}: ${message}`;
  if (status === 401 || status === 403) {
    const fix = c.version === 1 ? 'check the user and password in the URL' : 'check the API token and that it may write to the bucket';
    return { kind: 'retry', reason: `InfluxDB refused the credentials (${said}); ${fix}` };
  }
  if (status === 404) {
    if (c.version === 2 && c.serverVersion !== undefined && /^1\.[0-7]\./.test(c.serverVersion)) {
      return { kind: 'retry', reason: `InfluxDB ${c.serverVersion} has no v2 write API (${said}); use influx://host:8086/<database>` };
    }
    const fix = c.version === 1 ? 'create it (CREATE DATABASE <name>)' : 'check ?org= and ?bucket=';
    return { kind: 'retry', reason: `InfluxDB has no ${c.destination} (${said}); ${fix}` };
  }
  if (status === 413) return { kind: 'split' };
  if (status === 422 || (status === 400 && REFUSED_POINTS.test(message))) {
    return { kind: 'rejected', reason: `InfluxDB refused points of this batch, they are not retried (${said})` };
  }
  return { kind: 'retry', reason: `InfluxDB write failed (${said})` };
}
