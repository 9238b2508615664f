/**
 * The fleet worker (DESIGN §9): takes messages from the FleetConsumer, decodes each with its meter's keys from the
 * MeterDirectory, gathers rows and dead letters into a batch (up to `maxBatch`, or `maxWaitMs` after the batch's
 * first message), commits it through the FleetStore, and only then acknowledges every message of the batch, in
 * arrival order. A commit that throws (database down) is retried, the same batch, with backoff until it commits:
 * nothing of it is acknowledged before, so a worker killed meanwhile loses nothing (the broker redelivers) and the
 * store's idempotent writes double nothing.
 *
 * Memory stays bounded by the consumer's in-flight limit: unacknowledged messages are what the broker lets a
 * session hold (MQTT receive maximum), and a consumer that can pause is paused while `maxQueued` messages wait.
 * Messages are never dropped unacknowledged: a consumer sends PUBACKs in arrival order, so one message left
 * unacknowledged would hold back the acknowledgement of all that came after it.
 *
 * stop(): takes no new message, decodes and commits those already received, acknowledges, then closes the
 * consumer. While the store is down, stop keeps retrying for `drainTimeoutMs`, then leaves the rest to redelivery.
 */
import type { ConsumedMessage, DeadLetter, FleetConsumer, FleetMeter, FleetRow, FleetStore, MeterDirectory } from '../contracts.js';
import { createBackoff, type BackoffSettings } from '../../net/backoff.js';
import { redactText } from '../../redact/index.js';
import { classifyPayload, type PayloadContext } from './classify.js';
import { createFrameErrorLog, type WorkerLog } from './error-log.js';
import { createFrameDecoder, type FrameDecoder } from './frame-decoder.js';
import { createTopicIdReader } from './topic-id.js';
import { LOOKUP_FAILED, lookupAll } from './lookup-all.js';
import { createWorkerInbox } from './worker-inbox.js';
import { NO_METRICS, type WorkerMetrics } from './worker-metrics.js';

/** A consumer that can stop reading its socket while the worker's queue is full (optional). */
export interface PausableConsumer extends FleetConsumer {
  pause?(): void;
  resume?(): void;
}

export interface FleetWorkerOptions {
  consumer: PausableConsumer;
  directory: MeterDirectory;
  store: FleetStore;
  /** The subscription's topic pattern with one `+` level for the meter, e.g. `meters/+/raw`. */
  topicPattern: string;
  log: WorkerLog;
  metrics?: WorkerMetrics;
  decoder?: FrameDecoder;
  /** Rows and dead letters per commit (default 2,000). */
  maxBatch?: number;
  /** How long a batch waits for more after its first message (default 100 ms). */
  maxWaitMs?: number;
  /** Received messages waiting to be decoded before the consumer is paused (default 4 × maxBatch). */
  maxQueued?: number;
  /** Delays between commit (and key lookup) attempts (default 200 ms doubling to 10 s). */
  retry?: BackoffSettings;
  /** How long stop() keeps retrying a failing commit before leaving the batch to redelivery (default 15 s). */
  drainTimeoutMs?: number;
  /** Clock for the rate-limited log and the drain deadline (tests pass a fake one). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WorkerStats {
  received: number;
  acked: number;
  rows: number;
  deadLetters: number;
  /** Of `rows`: newly stored, already stored (redeliveries, or a second frame in one meter-clock second), refused as replays. */
  inserted: number;
  duplicates: number;
  replays: number;
  batches: number;
  commitFailures: number;
  /** Messages that arrived after stop(): left unacknowledged for redelivery. */
  refusedWhileStopping: number;
  /** Messages waiting to be decoded now. */
  readonly queued: number;
  /** Messages decoded into the batch that is being gathered or committed, not yet acknowledged. */
  readonly inBatch: number;
}

export interface FleetWorker {
  /** Subscribes; resolves once the consumer is subscribed. */
  start(): Promise<void>;
  /** Graceful stop (see above); resolves when the consumer is closed. Safe to call more than once. */
  stop(): Promise<void>;
  /** Settles when the worker has stopped; rejects if its loop failed (a bug). */
  readonly done: Promise<void>;
  readonly stats: WorkerStats;
}

/** The batch being gathered: its messages (to ack) and what they became, already flat for the store. */
interface Batch {
  messages: ConsumedMessage[];
  rows: FleetRow[];
  deadLetters: DeadLetter[];
}

const newBatch = (): Batch => ({ messages: [], rows: [], deadLetters: [] });

const DEFAULT_RETRY: BackoffSettings = { initialMs: 200, maxMs: 10_000 };

const NO_CODES: readonly string[] = [];

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createFleetWorker(o: FleetWorkerOptions): FleetWorker {
  const maxBatch = Math.max(1, o.maxBatch ?? 2000);
  const maxWaitMs = Math.max(0, o.maxWaitMs ?? 100);
  const maxQueued = Math.max(1, o.maxQueued ?? 4 * maxBatch);
  const drainTimeoutMs = o.drainTimeoutMs ?? 15_000;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? delay;
  const metrics = o.metrics ?? NO_METRICS;
  const decoder = o.decoder ?? createFrameDecoder();
  const topicIdOf = createTopicIdReader(o.topicPattern);
  const errorLog = createFrameErrorLog(o.log);

  const inbox = createWorkerInbox(o.consumer, maxQueued);
  let stopping = false;
  let stopDeadline = Infinity;
  let wakeUp: (() => void) | undefined;
  let batch = newBatch();
  /** The batch being committed (its messages unacknowledged until it has), while `batch` is gathered. */
  let inCommit: { batch: Batch; committed: Promise<boolean> } | undefined;
  const stats: WorkerStats = {
    received: 0, acked: 0, rows: 0, deadLetters: 0, inserted: 0, duplicates: 0, replays: 0, batches: 0, commitFailures: 0, refusedWhileStopping: 0,
    get queued() { return inbox.queued; },
    get inBatch() { return batch.messages.length + (inCommit?.batch.messages.length ?? 0); },
  };

  function wake(): void {
    const w = wakeUp;
    wakeUp = undefined;
    w?.();
  }

  /** Resolves on the next message or stop, or after `ms` (undefined: no time limit). */
  function waitForWork(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => { wakeUp = undefined; resolve(); }, ms);
      wakeUp = () => { if (timer) clearTimeout(timer); resolve(); };
    });
  }

  function onMessage(message: ConsumedMessage): void {
    if (stopping) {
      stats.refusedWhileStopping++;
      return;
    }
    stats.received++;
    inbox.push(message);
    wake();
  }

  const pastDeadline = (): boolean => stopping && now() >= stopDeadline;

  /** The registry's meter; a directory that throws (its database is down) is retried, never taken for "unknown". */
  async function lookup(topicId: string): Promise<FleetMeter | undefined | 'gave-up'> {
    const backoff = createBackoff(o.retry ?? DEFAULT_RETRY);
    for (;;) {
      try {
        return await o.directory.lookup(topicId);
      } catch (e) {
        errorLog.report('directory', 'LOOKUP_FAILED', `meter lookup failed, retrying: ${redactText(e instanceof Error ? e.message : String(e))}`, now());
        if (pastDeadline()) return 'gave-up';
        await sleep(backoff.next());
      }
    }
  }

  // Messages of one socket read share their receive time: one Date for them, not one each.
  let lastAt = NaN;
  let lastDate = new Date(0);
  // One context for every payload: classifyPayload copies what it keeps.
  const ctx: PayloadContext = { topic: '', topicId: undefined, meter: undefined, payload: new Uint8Array(0), receivedAt: lastDate };

  /** Decodes one message into the batch, synchronously. */
  function decodeInto(message: ConsumedMessage, topicId: string | undefined, meter: FleetMeter | undefined): void {
    if (message.receivedAt !== lastAt) {
      lastAt = message.receivedAt;
      lastDate = new Date(lastAt);
    }
    ctx.topic = message.topic;
    ctx.topicId = topicId;
    ctx.meter = meter;
    ctx.payload = message.payload;
    ctx.receivedAt = lastDate;
    const outcome = classifyPayload(ctx, meter ? decoder.decode(message.payload, meter) : []);
    const errors = outcome.errors;
    metrics.payload(errors.length === 0 ? NO_CODES : errors.map((e) => e.code), message.redelivered);
    if (errors.length > 0) {
      const who = meter?.meterId ?? `topic ${topicId ?? message.topic}`;
      for (const e of errors) errorLog.report(who, e.code, e.message, now());
    }
    batch.messages.push(message);
    for (const r of outcome.rows) batch.rows.push(r);
    if (outcome.deadLetter) {
      metrics.deadLetter(outcome.deadLetter.reason);
      batch.deadLetters.push(outcome.deadLetter);
    }
  }

  /** Messages taken from the inbox but not decoded when stop gave up on the directory. */
  let abandoned = 0;

  /** Decodes what is queued now (up to the batch's room) into the batch; false when stop gave up on the directory. */
  async function processQueued(): Promise<boolean> {
    const group = inbox.take(Math.min(stats.queued, maxBatch - batch.messages.length));
    const topicIds = group.map((m) => topicIdOf(m.topic));
    const meters = await lookupAll(o.directory, topicIds);
    for (let i = 0; i < group.length; i++) {
      let meter = meters[i];
      if (meter === LOOKUP_FAILED) {
        const retried = await lookup(topicIds[i] as string);
        if (retried === 'gave-up') {
          abandoned = group.length - i;
          return false;
        }
        meter = retried;
      }
      decodeInto(group[i], topicIds[i], meter);
    }
    return true;
  }

  /** Gathers up to maxBatch messages; returns early on stop once the inbox is empty. False: stop gave up. */
  async function gather(): Promise<boolean> {
    let deadline = 0;
    while (batch.messages.length < maxBatch) {
      if (stats.queued === 0) {
        if (stopping) return true;
        if (batch.messages.length === 0) await waitForWork();
        else {
          const left = deadline - Date.now();
          if (left <= 0) return true;
          await waitForWork(left);
        }
        continue;
      }
      if (batch.messages.length === 0) deadline = Date.now() + maxWaitMs;
      if (!(await processQueued())) return false;
    }
    return true;
  }

  /** Commits the batch, retrying until it commits; false when stop's drain time ran out first. */
  async function commit(b: Batch): Promise<boolean> {
    const { rows, deadLetters } = b;
    const items = b.messages;
    const backoff = createBackoff(o.retry ?? DEFAULT_RETRY);
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      try {
        const result = await o.store.commit({ rows, deadLetters });
        metrics.committed(rows.length, deadLetters.length, result, (performance.now() - t0) / 1000);
        if (attempt > 1) o.log.info({ attempts: attempt }, `store: batch of ${items.length} messages committed after ${attempt} attempts`);
        stats.rows += rows.length;
        stats.deadLetters += deadLetters.length;
        stats.inserted += result.inserted;
        stats.duplicates += result.duplicates;
        stats.replays += result.replays;
        return true;
      } catch (e) {
        stats.commitFailures++;
        metrics.commitFailed();
        const why = redactText(e instanceof Error ? e.message : String(e));
        errorLog.report('store', 'COMMIT_FAILED', `batch of ${items.length} messages not committed (attempt ${attempt}), kept and retried: ${why}`, now());
        if (pastDeadline()) return false;
        await sleep(backoff.next());
      }
    }
  }

  function ackAll(items: readonly ConsumedMessage[]): void {
    for (const m of items) {
      try {
        m.ack();
        stats.acked++;
      } catch (e) {
        o.log.error({}, `ack failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /**
   * One batch is committed while the next is gathered and decoded: the worker's CPU and PostgreSQL's work overlap
   * instead of taking turns (the serial loop left a worker idle most of the time while its window was full). At
   * most one commit runs at a time, and its messages are acknowledged as soon as it has committed — before the
   * next commit starts — so PUBACKs still go in arrival order and only for what is committed.
   */
  async function run(): Promise<void> {
    const settle = async (): Promise<boolean> => {
      const c = inCommit;
      if (!c) return true;
      const ok = await c.committed;
      inCommit = undefined;
      if (!ok) {
        const left = c.batch.messages.length + batch.messages.length + stats.queued;
        o.log.warn({ left }, `stopping: ${left} messages not committed, left to the broker for redelivery`);
      }
      return ok;
    };
    for (;;) {
      const complete = await gather();
      if (!(await settle())) return;
      const current = batch;
      batch = newBatch();
      if (current.messages.length > 0) {
        inCommit = { batch: current, committed: commit(current).then((ok) => {
          if (ok) {
            ackAll(current.messages);
            stats.batches++;
          }
          return ok;
        }) };
      }
      if (!complete) {
        if (!(await settle())) return;
        o.log.warn({ left: stats.queued }, `stopping: the meter directory is unreachable; ${stats.queued + abandoned} messages left to the broker for redelivery`);
        return;
      }
      if (stopping && stats.queued === 0) {
        await settle();
        return;
      }
    }
  }

  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((resolve, reject) => { resolveDone = resolve; rejectDone = reject; });
  done.catch(() => {}); // observed through stop() or by the caller; never an unhandled rejection here

  let loop: Promise<void> | undefined;
  return {
    stats,
    done,
    start() {
      started ??= (async () => {
        loop = run();
        loop.catch((e) => rejectDone(e));
        await o.consumer.start(onMessage);
      })();
      return started;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopDeadline = now() + drainTimeoutMs;
        wake();
        try {
          if (started) await started.catch(() => {});
          await loop;
        } finally {
          await o.consumer.close();
          resolveDone();
        }
      })();
      return stopped;
    },
  };
}
