/**
 * The storage sink: `sqlite:./data/meterwire.db`, `postgres://…`, `mysql://…` (MySQL and MariaDB), one schema
 * in all three, created and migrated on open. Durable: write() throws whenever the batch may not be stored
 * (database unreachable, connection cut), so the fan-out spools and retries; the next open()/write() reconnects
 * through the driver's pool. `?retention=30d` deletes raw history older than that, at most every few minutes.
 */
import type { MeterMessage } from '../../core/model/message.js';
import type { Sink, SinkContext } from '../types.js';
import { openSqlDb, parseSqlUrl, type SqlDb } from './db.js';
import { migrate } from './migrations.js';
import { deleteHistoryBefore, writeBatch } from './write-batch.js';

export interface SqlSinkOptions {
  /** Wall clock (ms), for the receive time of messages without a timestamp and for retention. */
  now?: () => number;
  /** Minimum time between two retention runs (default 5 minutes). */
  retentionEveryMs?: number;
}

/** Receive times are fixed per message object, so a retried batch gets the same keys and no duplicates. */
function receiveClock(now: () => number): (m: MeterMessage) => number {
  const seen = new WeakMap<MeterMessage, number>();
  let last = 0;
  return (m) => {
    let t = seen.get(m);
    if (t === undefined) {
      // Strictly increasing, so two untimestamped messages in the same millisecond stay two rows.
      t = Math.max(now(), last + 1);
      last = t;
      seen.set(m, t);
    }
    return t;
  };
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
  const receivedAt = receiveClock(now);
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
      const applied = await migrate(db);
      migrated = true;
      if (applied.length) ctx.log.info(`${parsed.name}: schema migrated to version ${applied[applied.length - 1]}`);
    }
    return db;
  }

  async function retention(handle: SqlDb): Promise<void> {
    if (parsed.retentionMs === undefined || now() - lastRetention < retentionEveryMs) return;
    lastRetention = now();
    try {
      const deleted = await deleteHistoryBefore(handle, now() - parsed.retentionMs);
      if (deleted > 0) ctx.log.info(`${parsed.name}: retention deleted ${deleted} history rows`);
    } catch (e) {
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
      await writeBatch(handle, messages, receivedAt).catch(fail);
      await retention(handle);
    }),
    close: () => serial(async () => {
      const handle = db;
      db = undefined;
      migrated = false;
      await handle?.close();
    }),
  };
}
