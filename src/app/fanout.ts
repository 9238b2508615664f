/**
 * The fan-out from the reader to its outputs (DESIGN §2 and §6): every sink gets its own bounded queue and
 * worker (fanout-worker.ts), so one slow or broken output never delays another, and `publish` never blocks or
 * throws. Durable sinks spool to a SQLite outbox (outbox.ts) while they are down and get their backlog, in order,
 * when they return, also after a restart.
 *
 * Stats per output: `queued` and `spooled` are what waits now (in memory / on disk), `delivered`, `dropped`
 * and `failures` count since start. `dropped` only grows when a configured bound (maxQueue for servers,
 * maxSpool for durable sinks) is hit.
 */
import type { MeterMessage } from '../core/model/message.js';
import type { OutputStats, Sink, SinkLog } from '../sinks/types.js';
import { openOutbox } from './outbox.js';
import { startSinkWorker, type SinkWorker } from './fanout-worker.js';

export interface FanoutOptions {
  /** SQLite file for the durable sinks' spool (created with its directory when missing). */
  outboxPath: string;
  log: SinkLog;
  /** Messages held in memory per output (default 10 000); durable sinks spool beyond it. */
  maxQueue?: number;
  /** Messages kept on disk per durable output (default 1 000 000); beyond it the oldest are dropped. */
  maxSpool?: number;
  /** Retry delays after a failed open() or write() (default 500 ms doubling up to 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Messages per write() call (default 100). */
  batchSize?: number;
}

export interface Fanout {
  publish(msg: MeterMessage): void;
  stats(): OutputStats[];
  /**
   * Waits up to `timeoutMs` (default 5000) for the queues to drain, then stops the workers, leaves what is
   * left of durable outputs in the outbox and closes the sinks.
   */
  close(timeoutMs?: number): Promise<void>;
}

const POLL_MS = 10;

export function createFanout(sinks: Sink[], opts: FanoutOptions): Fanout {
  const names = new Set<string>();
  for (const s of sinks) {
    // Outbox rows are keyed by the output's name: two outputs with one name would share (and steal) a backlog.
    if (names.has(s.name)) throw new Error(`output ${s.name} is configured twice`);
    names.add(s.name);
  }
  const outbox = openOutbox(opts.outboxPath);
  const workerOptions = {
    outbox,
    log: opts.log,
    maxQueue: Math.max(1, opts.maxQueue ?? 10_000),
    maxSpool: Math.max(1, opts.maxSpool ?? 1_000_000),
    backoff: opts.backoff ?? { initialMs: 500, maxMs: 30_000 },
    batchSize: Math.max(1, opts.batchSize ?? 100),
  };
  const workers: SinkWorker[] = sinks.map((s) => startSinkWorker(s, workerOptions));
  let closing: Promise<void> | undefined;

  async function shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !workers.every((w) => w.settled())) {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await Promise.all(workers.map((w) => w.stop(Math.max(0, deadline - Date.now()))));
    await Promise.all(sinks.map((s) => closeSink(s, Math.max(1000, deadline - Date.now()), opts.log)));
    outbox.close();
    const left = workers.map((w) => w.stats()).filter((s) => s.spooled > 0);
    for (const s of left) opts.log.info(`output ${s.name}: ${s.spooled} messages left in the outbox for the next start`);
  }

  return {
    publish(msg) {
      if (closing) return;
      for (const w of workers) w.publish(msg);
    },
    stats: () => workers.map((w) => w.stats()),
    close(timeoutMs = 5000) {
      closing ??= shutdown(timeoutMs);
      return closing;
    },
  };
}

/** A sink whose close() hangs (dead TCP peer) must not keep the process from exiting. */
async function closeSink(sink: Sink, timeoutMs: number, log: SinkLog): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
  try {
    const result = await Promise.race([sink.close().then(() => 'ok' as const), timeout]);
    if (result === 'timeout') log.warn(`output ${sink.name}: close did not finish within ${timeoutMs} ms`);
  } catch (e) {
    log.warn(`output ${sink.name}: close failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}
