/**
 * How a message becomes a MongoDB document, and the URL handling of the MongoDB sink. Pure functions (no driver),
 * so the mapping and the idempotency key are tested without a server.
 *
 * Document: the message JSON as the reader prints it (DESIGN §4), plus `ts` (the meter's time stamp as a Date,
 * for range queries and the meter+time index), `receivedAt` (when this output stored it) and `_id`, the
 * idempotency key: a retried batch (the fan-out retries whole batches) hits the same `_id`s and adds nothing.
 */
import { createHash } from 'node:crypto';
import type { MeterMessage } from '../../core/model/message.js';
import { redactUrl } from '../../redact/index.js';

export interface MessageDocument extends Record<string, unknown> {
  _id: string;
  ts: Date;
  receivedAt: Date;
}

/**
 * `meter|timestamp|frameCounter`: what identifies one message of one meter. DSMR messages have no frame counter
 * (`-`), but their time stamps are unique per meter. A message with neither time stamp nor frame counter
 * (DSMR 2.2) gets a hash of its content, which is the same on every retry of the same message.
 */
export function idempotencyKey(msg: MeterMessage): string {
  const meter = msg.meter.id ?? msg.meter.systemTitle ?? 'unknown';
  const counter = msg.security?.frameCounter;
  if (msg.timestamp === undefined && counter === undefined) {
    return `${meter}|sha256:${createHash('sha256').update(JSON.stringify(msg)).digest('hex').slice(0, 32)}`;
  }
  return `${meter}|${msg.timestamp ?? '-'}|${counter ?? '-'}`;
}

/** The document for a message; `ts` falls back to `receivedAt` when the meter sent no time stamp. */
export function messageDocument(msg: MeterMessage, receivedAt: Date): MessageDocument {
  // Through JSON, like every other output: non-enumerable extras (the DSMR telegram) and undefineds stay out.
  const json = JSON.parse(JSON.stringify(msg)) as Record<string, unknown>;
  const ms = msg.timestamp === undefined ? NaN : Date.parse(msg.timestamp);
  return { _id: idempotencyKey(msg), ...json, ts: Number.isFinite(ms) ? new Date(ms) : receivedAt, receivedAt };
}

export interface MongoTarget {
  /** The connection string for the driver, without meterwire's own `collection` option. */
  connectionString: string;
  database: string;
  collection: string;
}

const SCHEME = /^mongodb(\+srv)?:\/\//;

/**
 * `mongodb://user:pass@host[:port][,host2…]/db?collection=telegrams&…`. Parsed by hand because the WHATWG URL
 * parser rejects MongoDB's multi-host seed lists. Database default `meterwire`, collection default `telegrams`.
 */
export function parseMongoUrl(url: string): MongoTarget {
  const scheme = SCHEME.exec(url);
  if (!scheme) throw new Error(`not a MongoDB URL (mongodb:// or mongodb+srv://): ${redactMongoUrl(url)}`);
  const q = url.indexOf('?');
  const base = q < 0 ? url : url.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const slash = base.indexOf('/', scheme[0].length);
  const database = slash < 0 ? '' : decodeURIComponent(base.slice(slash + 1));
  const collection = params.get('collection') ?? 'telegrams';
  params.delete('collection');
  params.delete('name'); // meterwire's label for the output in metrics, not a driver option
  if (!/^[^/\\. "$*<>:|?]+$/.test(database || 'meterwire')) throw new Error(`invalid MongoDB database name "${database}"`);
  if (collection === '' || collection.includes('$') || collection.startsWith('system.')) {
    throw new Error(`invalid MongoDB collection name "${collection}"`);
  }
  const rest = params.toString();
  // The database stays in the string: with credentials it is also the driver's default authSource.
  const path = slash < 0 ? `${base}/` : base;
  return { connectionString: rest === '' ? path : `${path}?${rest}`, database: database || 'meterwire', collection };
}

/** The URL with its password and secret options replaced by `***`, for logs (the one rule, src/redact). */
export const redactMongoUrl = redactUrl;
