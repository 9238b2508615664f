/**
 * In-memory stand-ins for the three fleet seams (src/fleet/contracts.ts), recording what happens in one event log so
 * tests can check the order of commits and acknowledgements, and simulated meters of several profiles.
 */
import { randomBytes } from 'node:crypto';
import type {
  CommitResult, ConsumedMessage, DeadLetter, FleetBatch, FleetConsumer, FleetMeter, FleetRow, FleetStore, MeterDirectory,
} from '../src/fleet/contracts.js';
import { createSimulator, type Simulator } from '../src/sim/simulator.js';
import { decode } from '../src/index.js';
import { bytesToHex } from '../src/core/bytes/hex.js';
import type { WorkerLog } from '../src/fleet/worker/error-log.js';

export type FleetEvent =
  | { type: 'commit'; payloads: Set<Uint8Array> }
  | { type: 'commit-failed' }
  | { type: 'ack'; message: TestMessage };

export interface TestMessage extends ConsumedMessage {
  readonly seq: number;
  acks: number;
}

export class MemoryConsumer implements FleetConsumer {
  onMessage: ((m: ConsumedMessage) => void) | undefined;
  closed = false;
  readonly messages: TestMessage[] = [];
  pauses = 0;
  resumes = 0;
  paused = false;

  constructor(private readonly events: FleetEvent[], readonly pausable = false) {}

  async start(onMessage: (m: ConsumedMessage) => void): Promise<void> {
    this.onMessage = onMessage;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  pause(): void {
    if (!this.pausable) return;
    this.pauses++;
    this.paused = true;
  }

  resume(): void {
    if (!this.pausable) return;
    this.resumes++;
    this.paused = false;
  }

  publish(topic: string, payload: Uint8Array, redelivered = false, receivedAt = Date.now()): TestMessage {
    if (!this.onMessage) throw new Error('consumer not started');
    const events = this.events;
    const message: TestMessage = {
      seq: this.messages.length, topic, payload, receivedAt, redelivered, acks: 0,
      ack() {
        message.acks++;
        events.push({ type: 'ack', message });
      },
    };
    this.messages.push(message);
    this.onMessage(message);
    return message;
  }
}

export class MemoryDirectory implements MeterDirectory {
  readonly meters = new Map<string, FleetMeter>();
  failures = 0;
  async lookup(topicId: string): Promise<FleetMeter | undefined> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('directory database unreachable');
    }
    return this.meters.get(topicId);
  }
  async close(): Promise<void> {}
}

/** Rows keyed by (meter, meter time) like the real store: a redelivery is a duplicate, never a second row. */
export class MemoryStore implements FleetStore {
  readonly rows = new Map<string, FleetRow>();
  readonly deadLetters: DeadLetter[] = [];
  /** Commits that throw before one succeeds. */
  failNext = 0;
  /** When set, a commit waits for it (a slow database). */
  gate: Promise<void> | undefined;
  commits = 0;

  constructor(private readonly events: FleetEvent[]) {}

  async commit(batch: FleetBatch): Promise<CommitResult> {
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      this.events.push({ type: 'commit-failed' });
      throw new Error('connection to postgres://fleet:s3cret@db/fleet lost');
    }
    let inserted = 0;
    let duplicates = 0;
    const payloads = new Set<Uint8Array>();
    for (const r of batch.rows) {
      const key = `${r.meterId}|${r.meterTime.toISOString()}`;
      if (r.payload) payloads.add(r.payload);
      if (this.rows.has(key)) duplicates++;
      else { this.rows.set(key, r); inserted++; }
    }
    for (const d of batch.deadLetters) {
      payloads.add(d.payload);
      this.deadLetters.push(d);
    }
    this.commits++;
    this.events.push({ type: 'commit', payloads });
    return { inserted, duplicates, replays: 0, deadLetters: batch.deadLetters.length };
  }
  async close(): Promise<void> {}
}

export interface MemoryLog extends WorkerLog {
  lines: { level: string; obj: object; msg: string }[];
}

export function memoryLog(): MemoryLog {
  const lines: MemoryLog['lines'] = [];
  return {
    lines,
    info: (obj, msg) => { lines.push({ level: 'info', obj, msg }); },
    warn: (obj, msg) => { lines.push({ level: 'warn', obj, msg }); },
    error: (obj, msg) => { lines.push({ level: 'error', obj, msg }); },
  };
}

export interface SimMeter {
  meter: FleetMeter;
  sim: Simulator;
  guek: Uint8Array;
  gak: Uint8Array;
  /** The n-th frame of this meter: 10 s apart, so each has its own meter time. */
  frame(n: number): Uint8Array;
}

const T0 = Date.UTC(2026, 2, 1, 12);

export function simMeter(index: number, profile: string, withTitle = true): SimMeter {
  const guek = new Uint8Array(randomBytes(16));
  const gak = new Uint8Array(randomBytes(16));
  const sim = createSimulator({ profile, key: guek, authKey: gak, seed: index + 1 });
  const frame = (n: number): Uint8Array => sim.frame(T0 + n * 10_000);
  const meter: FleetMeter = {
    meterId: `meter-${index}`, topicId: `gw${index}`, profile, timeZone: 'Europe/Vienna',
    ...(sim.encrypted ? { guek } : {}), ...(sim.authenticated ? { gak } : {}),
  };
  const s = createSimulator({ profile, key: guek, authKey: gak, seed: index + 1 });
  const first = decode(s.frame(T0), { key: guek, authKey: gak, profile })[0];
  if ('error' in first) throw new Error(`${profile}: the simulator's frame does not decode: ${first.error.message}`);
  if (withTitle && first.meter.systemTitle) meter.systemTitle = first.meter.systemTitle.toUpperCase();
  return { meter, sim, guek, gak, frame };
}

/** The payload as a gateway that sends hex text would. */
export function asHex(bytes: Uint8Array): Uint8Array {
  return new TextEncoder().encode(bytesToHex(bytes));
}

export async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Every ack came after a successful commit that held its payload. */
export function assertAckedAfterCommit(events: FleetEvent[]): string | undefined {
  const committed = new Set<Uint8Array>();
  for (const e of events) {
    if (e.type === 'commit') for (const p of e.payloads) committed.add(p);
    else if (e.type === 'ack' && !committed.has(e.message.payload)) return `message ${e.message.seq} acked before its batch committed`;
  }
  return undefined;
}
