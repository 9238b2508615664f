/**
 * The storage sink: `sqlite:./data/meterwire.db`, `postgres://…`, `mysql://…` (MySQL and MariaDB), one schema
 * in all three, created and migrated on open. Durable: write() throws whenever the batch may not be stored
 * (database unreachable, connection cut), so the fan-out spools and retries; the next open()/write() reconnects
 * through the driver's pool. Raw history older than 90 days (`?retention=30d`, `?retention=forever`) is deleted a
 * slice at a time after writes, so pruning never holds up a write for long. `?tz=Europe/Vienna` cuts local hours,
 * days and months in that zone instead of the zone of each meter's profile.
 */
import type { Sink, SinkContext } from '../types.js';
import { openSqlDb, parseSqlUrl, type SqlDb } from './db.js';
import { migrate } from './migrations.js';
import type { TextMemo } from './texts.js';
import { pruneHistory, writeBatch } from './write-batch.js';
import { createZoneResolver, zoneOfMessage } from './zones.js';
import { receiveClock } from '../receive-clock.js';

export interface SqlSinkOptions {
  /** Wall clock (ms), for the receive time of messages without a timestamp and for retention. */
  now?: () => number;
  /** Minimum time between two retention passes once a pass found nothing more to delete (default 5 minutes). */
  retentionEveryMs?: number;
  /** History rows deleted per slice (default 5000). */
  retentionBatch?: number;
}


function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return describe(e.errors[0]);
  if (e instanceof Error) return e.message || (e as NodeJS.ErrnoException).code || e.name;
  return String(e);
}

export function createSqlSink(url: string, ctx: SinkContext, options: SqlSinkOptions = {}): Sink {
  const parsed = parseSqlUrl(url);
  const now = options.now ?? Date.now;
  const retentionEveryMs = options.retentionEveryMs ?? 5 * 60_000;
  const retentionBatch = options.retentionBatch ?? 5000;
  const receivedAt = receiveClock(now);
  const zones = createZoneResolver(parsed.timeZone);
  const batchContext = { receivedAt, zoneOf: zoneOfMessage(zones), texts: new Map() as TextMemo };
  let db: SqlDb | undefined;
  let migrated = false;
  let lastRetention = Number.NEGATIVE_INFINITY;
  let queue: Promise<unknown> = Promise.resolve();

  /** One operation at a time: a write and a retention run never interleave on the handle. */
  function serial<T>(op: () => Promise<T>): Promise<T> {
    const result = queue.then(op);
    queue = result.catch(() => undefined);
    return result;
  }

  async function ready(): Promise<SqlDb> {
    db ??= await openSqlDb(parsed, (e) => ctx.log.warn(`${parsed.name}: connection lost (${describe(e)}); reconnecting on the next write`));
    if (!migrated) {
      const applied = await migrate(db, undefined, now(), { zoneOf: zones });
      migrated = true;
      if (applied.length) ctx.log.info(`${parsed.name}: schema migrated to version ${applied[applied.length - 1]}`);
    }
    return db;
  }

  /** One slice per write while a backlog lasts, then a pass every `retentionEveryMs`. */
  async function retention(handle: SqlDb): Promise<void> {
    if (parsed.retentionMs === undefined || now() - lastRetention < retentionEveryMs) return;
    try {
      const deleted = await pruneHistory(handle, now() - parsed.retentionMs, retentionBatch);
      if (deleted < retentionBatch) lastRetention = now();
      if (deleted > 0) ctx.log.info(`${parsed.name}: retention deleted ${deleted} history rows`);
    } catch (e) {
      lastRetention = now();
      // The batch is stored; a failed clean-up is retried at the next interval.
      ctx.log.warn(`${parsed.name}: retention failed: ${describe(e)}`);
    }
  }

  const fail = (e: unknown): never => {
    throw new Error(`${parsed.name}: ${describe(e)}`, { cause: e });
  };

  return {
    name: parsed.name,
    durable: true,
    open: () => serial(async () => {
      // A ping as well: open() resolving means "up" to the fan-out, also when the schema was migrated earlier.
      await ready().then((handle) => handle.all('SELECT 1 AS ok')).catch(fail);
    }),
    write: (messages) => serial(async () => {
      if (messages.length === 0) return;
      const handle = await ready().catch(fail);
      await writeBatch(handle, messages, batchContext).catch(fail);
      await retention(handle);
    }),
    close: () => serial(async () => {
      const handle = db;
      db = undefined;
      migrated = false;
      // Another process may write texts while this sink is closed: ask the database again after reopening.
      batchContext.texts.clear();
      await handle?.close();
    }),
  };
}
