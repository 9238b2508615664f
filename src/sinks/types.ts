/**
 * The contract between the reader's fan-out and its outputs (DESIGN §2: one folder per output, each depending
 * on core/model types and its own driver only). The fan-out gives every sink its own bounded queue, so a slow or
 * broken sink never delays another; durable sinks are spooled to disk while they are down.
 */
import type { MeterMessage } from '../core/model/message.js';
import type { TariffsConfig } from '../costs/index.js';

export interface SinkLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Reader health as sinks may publish it (availability, metrics). */
export interface SinkHealth {
  state: 'starting' | 'ok' | 'stale' | 'disconnected' | 'ended';
  framesOk: number;
  messages: number;
  errors: Record<string, number>;
  discardedBytes: number;
  resyncs: number;
  unverified: number;
  replays: number;
  lastFrameAgeMs?: number;
}

/** Per-output delivery counters, kept by the fan-out. */
export interface OutputStats {
  name: string;
  state: 'connecting' | 'up' | 'down' | 'closed';
  queued: number;
  spooled: number;
  delivered: number;
  dropped: number;
  failures: number;
}

export interface SinkContext {
  log: SinkLog;
  /** Current reader health (for availability topics, metrics). */
  health(): SinkHealth;
  /** Current delivery counters of all outputs (for metrics). */
  outputs(): OutputStats[];
  /** Directory for the sink's own state (e.g. SQLite files). */
  stateDir: string;
  /** The config file's validated `tariffs:` section, for outputs that show costs (the dashboard). */
  tariffs?: TariffsConfig;
}

export interface Sink {
  /** The output URL with credentials redacted (src/redact), for logs and the outbox; metrics label outputs by a short name. */
  readonly name: string;
  /**
   * Durable sinks (MQTT, databases) must not lose messages: while they are down the fan-out spools to disk
   * and delivers in order when they return. Servers (DSMR proxy, Prometheus) only serve what is current.
   */
  readonly durable: boolean;
  /** Connects / starts serving. Throwing means "down": the fan-out retries with backoff. */
  open(): Promise<void>;
  /**
   * Delivers messages in order. Throwing means nothing of the batch can be assumed delivered: the fan-out
   * retries the whole batch later, so writes should be idempotent where the target allows (e.g. upserts).
   */
  write(messages: readonly MeterMessage[]): Promise<void>;
  /** Flushes and disconnects (on SIGTERM after the queues are drained). */
  close(): Promise<void>;
}

export type SinkFactory = (url: string, ctx: SinkContext) => Sink;
