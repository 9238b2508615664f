/**
 * One output's queue and worker inside the fan-out. The worker opens the sink, then delivers batches in order;
 * a failed open() or write() marks the output down and is retried with backoff (write failures retry the same
 * batch: the Sink contract says nothing of a failed batch is assumed delivered).
 *
 * Durable sinks: messages stay in memory while the sink keeps up; once it is down (or its memory queue reaches
 * `maxQueue`) everything goes to the outbox, and delivery reads the outbox until it is empty again. Invariant:
 * while `spooling`, the memory queue is empty, so order is simply "outbox rows, then memory".
 * Non-durable sinks (servers that only serve what is current) drop their oldest message when the queue is full.
 */
import type { MeterMessage } from '../core/model/message.js';
import type { OutputStats, Sink, SinkLog } from '../sinks/types.js';
import { createBackoff } from '../net/backoff.js';
import type { Outbox } from './outbox.js';

export interface WorkerOptions {
  outbox: Outbox;
  log: SinkLog;
  maxQueue: number;
  maxSpool: number;
  backoff: { initialMs: number; maxMs: number };
  batchSize: number;
}

interface Batch {
  messages: MeterMessage[];
  /** Last outbox seq of the batch, when it was read from the outbox. */
  lastSeq?: number;
}

export interface SinkWorker {
  publish(msg: MeterMessage): void;
  stats(): OutputStats;
  /** True once nothing more can be delivered now: queues empty, or the sink is down with its backlog on disk. */
  settled(): boolean;
  /** Stops the loop; resolves when an in-flight write ends or after `graceMs`. Leftovers go to the outbox. */
  stop(graceMs: number): Promise<void>;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function startSinkWorker(sink: Sink, o: WorkerOptions): SinkWorker {
  const backoff = createBackoff(o.backoff);
  const st: OutputStats = { name: sink.name, state: 'connecting', queued: 0, spooled: 0, delivered: 0, dropped: 0, failures: 0 };
  let memory: MeterMessage[] = [];
  let spooling = sink.durable && o.outbox.count(sink.name) > 0; // a restart delivers pending rows first
  let inFlight: Batch | undefined;
  let opened = false;
  let stopped = false;
  let finalized = false; // set once close() has moved leftovers to the outbox
  let dropWarned = false;
  let wake: (() => void) | undefined;
  let loopDone: Promise<void> = Promise.resolve();

  function setState(state: OutputStats['state'], detail?: string): void {
    if (st.state === state) return;
    st.state = state;
    const text = `output ${sink.name}: ${state}${detail ? ` (${detail})` : ''}`;
    if (state === 'down') o.log.warn(text); else o.log.info(text);
  }

  function countDropped(n: number, why: string): void {
    if (n <= 0) return;
    st.dropped += n;
    if (!dropWarned) o.log.warn(`output ${sink.name}: ${why}: dropping the oldest messages (counted as dropped)`);
    dropWarned = true;
  }

  function spool(messages: readonly MeterMessage[], before = false): void {
    if (!spooling) o.log.info(`output ${sink.name}: spooling to disk until it catches up`);
    spooling = true;
    if (before) o.outbox.prepend(sink.name, messages); else o.outbox.append(sink.name, messages);
    countDropped(o.outbox.trim(sink.name, o.maxSpool), `spool limit of ${o.maxSpool} messages reached`);
  }

  function enqueue(msg: MeterMessage): void {
    if (sink.durable) {
      if (spooling || st.state === 'down' || memory.length >= o.maxQueue) {
        const older = memory;
        memory = [];
        spool([...older, msg]);
      } else {
        memory.push(msg);
      }
      return;
    }
    memory.push(msg);
    if (memory.length > o.maxQueue) countDropped(memory.splice(0, memory.length - o.maxQueue).length, `queue limit of ${o.maxQueue} messages reached`);
  }

  function takeBatch(): Batch | undefined {
    if (spooling) {
      const rows = o.outbox.peek(sink.name, o.batchSize);
      if (rows.length > 0) return { messages: rows.map((r) => r.message), lastSeq: rows[rows.length - 1].seq };
      spooling = false;
      dropWarned = false;
    }
    if (memory.length === 0) {
      dropWarned = false;
      return undefined;
    }
    return { messages: memory.splice(0, o.batchSize) };
  }

  /** A failed batch goes back in front of everything newer, in order. */
  function requeue(batch: Batch): void {
    if (batch.lastSeq !== undefined) return; // still in the outbox
    if (sink.durable) {
      const newer = memory;
      memory = [];
      spool(batch.messages, true);
      if (newer.length > 0) spool(newer);
      return;
    }
    memory.unshift(...batch.messages);
    if (memory.length > o.maxQueue) countDropped(memory.splice(0, memory.length - o.maxQueue).length, `queue limit of ${o.maxQueue} messages reached`);
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void { clearTimeout(t); wake = undefined; resolve(); }
      wake = done;
    });
  }

  function idle(): Promise<void> {
    return new Promise((resolve) => { wake = () => { wake = undefined; resolve(); }; });
  }

  async function tryOpen(): Promise<void> {
    try {
      await sink.open();
      if (stopped) return;
      opened = true;
      backoff.reset();
      setState('up');
    } catch (e) {
      if (stopped) return;
      st.failures++;
      setState('down', `open failed: ${errorText(e)}`);
      // What waited in memory for the first connection goes to disk too: it is as much at risk as new messages.
      if (sink.durable && memory.length > 0) {
        const waiting = memory;
        memory = [];
        spool(waiting);
      }
      await sleep(backoff.next());
    }
  }

  async function deliver(batch: Batch): Promise<void> {
    inFlight = batch;
    try {
      await sink.write(batch.messages);
    } catch (e) {
      if (finalized) return; // close() has already put this batch back
      inFlight = undefined;
      st.failures++;
      requeue(batch);
      if (stopped) return;
      setState('down', `write failed: ${errorText(e)}`);
      await sleep(backoff.next());
      return;
    }
    if (finalized) return;
    inFlight = undefined;
    st.delivered += batch.messages.length;
    if (batch.lastSeq !== undefined) o.outbox.remove(sink.name, batch.lastSeq);
    backoff.reset();
    if (!stopped) setState('up');
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      if (!opened) {
        await tryOpen();
        continue;
      }
      const batch = takeBatch();
      if (batch) await deliver(batch);
      else await idle();
    }
  }

  loopDone = loop().catch((e) => o.log.error(`output ${sink.name}: worker failed: ${errorText(e)}`));

  return {
    publish(msg) {
      if (stopped) return;
      try {
        enqueue(msg);
      } catch (e) {
        // The outbox itself failed (disk full, file removed): never let that reach the reader.
        countDropped(1, `cannot spool (${errorText(e)})`);
      }
      if (st.state !== 'down') wake?.(); // while down, the backoff timer decides when to retry
    },
    stats() {
      const queued = memory.length + (inFlight && inFlight.lastSeq === undefined ? inFlight.messages.length : 0);
      const spooled = sink.durable && st.state !== 'closed' ? o.outbox.count(sink.name) : st.spooled;
      return { ...st, queued, spooled };
    },
    settled() {
      if (inFlight) return false;
      if (st.state !== 'up') return !sink.durable || memory.length === 0;
      return memory.length === 0 && !(spooling && o.outbox.count(sink.name) > 0);
    },
    async stop(graceMs) {
      stopped = true;
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loopDone, new Promise<void>((r) => { timer = setTimeout(r, graceMs); })]);
      clearTimeout(timer);
      const abandoned = inFlight;
      inFlight = undefined;
      finalized = true;
      // At least once: a write still running at the deadline may yet succeed, so it is kept (maybe twice).
      if (sink.durable) {
        if (abandoned) requeue(abandoned);
        if (memory.length > 0) spool(memory);
      }
      memory = [];
      st.spooled = sink.durable ? o.outbox.count(sink.name) : 0;
      setState('closed');
    },
  };
}
