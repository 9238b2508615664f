/**
 * MongoDB sink (`mongodb://…/db?collection=telegrams`), official driver. Durable: while the server is down the
 * fan-out spools to disk and retries whole batches, so inserts are idempotent (documents.ts: `_id` is the
 * message's identity) and duplicates of a retried batch are ignored rather than failing it again.
 */
import type { Collection, MongoClient, MongoClientOptions } from 'mongodb';
import type { MeterMessage } from '../../core/model/message.js';
import type { Sink, SinkContext } from '../types.js';
import { messageDocument, parseMongoUrl, redactMongoUrl, type MessageDocument } from './documents.js';

const DUPLICATE_KEY = 11000;

/** The part of a driver collection the sink uses (a fake one in tests). */
export type InsertTarget = Pick<Collection<MessageDocument>, 'insertMany'>;

/** True when every failure in a (bulk) write error is a duplicate key: the documents are already stored. */
export function isOnlyDuplicateKeys(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: unknown };
  if (e.writeErrors !== undefined) {
    const list = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return list.length > 0 && list.every((w) => (w as { code?: unknown }).code === DUPLICATE_KEY);
  }
  return e.code === DUPLICATE_KEY;
}

/**
 * Inserts unordered (one duplicate must not stop the rest) and treats "already there" as delivered. Any other
 * failure throws, so the fan-out retries the batch. Returns how many documents were new.
 */
export async function insertIdempotent(target: InsertTarget, docs: MessageDocument[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await target.insertMany(docs, { ordered: false })).insertedCount;
  } catch (err) {
    if (!isOnlyDuplicateKeys(err)) throw err;
    const inserted = (err as { result?: { insertedCount?: number } }).result?.insertedCount;
    return typeof inserted === 'number' ? inserted : 0;
  }
}

export interface MongoSinkOptions {
  /** Driver options (tests: short server selection timeout). */
  client?: MongoClientOptions;
}

export function createMongoSink(url: string, ctx: SinkContext, options: MongoSinkOptions = {}): Sink {
  const target = parseMongoUrl(url);
  const name = redactMongoUrl(url);
  let client: MongoClient | undefined;
  let collection: Collection<MessageDocument> | undefined;

  return {
    name,
    durable: true,
    async open() {
      if (collection) return;
      // The driver is an optional dependency, loaded on first use (src/sinks/drivers.ts checks it is there).
      const { MongoClient } = await import('mongodb');
      const c = new MongoClient(target.connectionString, { appName: 'meterwire', serverSelectionTimeoutMS: 10_000, ...options.client });
      try {
        await c.connect();
        const col = c.db(target.database).collection<MessageDocument>(target.collection);
        await col.createIndex({ 'meter.id': 1, ts: 1 }, { name: 'meter_id_ts' });
        client = c;
        collection = col;
      } catch (err) {
        await c.close().catch(() => undefined);
        // Driver messages name hosts, never the password; the URL is redacted all the same.
        throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      ctx.log.info(`${name}: writing to ${target.database}.${target.collection}`);
    },
    async write(messages: readonly MeterMessage[]) {
      if (!collection) throw new Error(`${name} is not open`);
      const receivedAt = new Date();
      await insertIdempotent(collection, messages.map((m) => messageDocument(m, receivedAt)));
    },
    async close() {
      const c = client;
      client = undefined;
      collection = undefined;
      await c?.close();
    },
  };
}
