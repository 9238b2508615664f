/**
 * The seams of fleet mode (DESIGN §9): the worker joins three parts that know nothing of each other.
 *
 *   FleetConsumer (MQTT, ack only on request) ──▶ worker: decode with MeterDirectory's keys ──▶ FleetStore.commit
 *                                   ▲                                                             │
 *                                   └──────────── ack() every message of the committed batch ◀────┘
 *
 * A message is acknowledged to the broker only after the batch holding it (as a row or as a dead letter) is
 * committed; every write is idempotent, so a redelivery after a crash doubles nothing.
 */

/** One registered meter as a worker needs it. Keys are decrypted in memory only: never logged or serialised. */
export interface FleetMeter {
  /** Stable registry id (primary key), e.g. the gateway id. */
  meterId: string;
  /** What the topic's wildcard level carries for this meter (`meters/<topicId>/raw`). */
  topicId: string;
  /** DLMS system title (16 hex digits, upper case) when the registry knows it. */
  systemTitle?: string;
  /** A built-in profile name; undefined = automatic choice. */
  profile?: string;
  /** Block cipher key (GUEK), 16 bytes; undefined for plaintext meters (DSMR). */
  guek?: Uint8Array;
  /** Authentication key (GAK), 16 bytes, when the meter authenticates. */
  gak?: Uint8Array;
  /** IANA zone the meter's local days are cut in (rollups). */
  timeZone: string;
}

export interface MeterDirectory {
  /** The meter for a topic id, or undefined when none is registered. Served from a cache after the first call. */
  lookup(topicId: string): Promise<FleetMeter | undefined>;
  /** Meters cached now (the worker's gauge), when the directory keeps a cache. */
  cachedCount?(): number;
  close(): Promise<void>;
}

/** A message as the consumer hands it over. `ack` may be called in any order; PUBACKs leave in arrival order. */
export interface ConsumedMessage {
  topic: string;
  payload: Uint8Array;
  /** Epoch ms when the worker read it off the socket. */
  receivedAt: number;
  /** The broker's DUP flag: a redelivery. */
  redelivered: boolean;
  /** The RETAIN flag as delivered (a retained message sent on subscribe), when the consumer knows it. */
  retained?: boolean;
  /** 0 or 1; for QoS 0 `ack` does nothing (the broker keeps no copy). */
  qos?: 0 | 1;
  ack(): void;
}

export interface FleetConsumer {
  /** Connects and subscribes; resolves once subscribed. Messages flow to `onMessage` until close. */
  start(onMessage: (message: ConsumedMessage) => void): Promise<void>;
  /** Stops taking messages; unacknowledged ones stay with the broker's session for redelivery. */
  close(): Promise<void>;
}

/** Why a frame was not stored as a reading. Never silently dropped: each goes to the dead-letter table. */
export type DeadLetterReason = 'unknown-meter' | 'wrong-key' | 'undecodable' | 'replay' | 'no-readings';

export interface DeadLetter {
  topic: string;
  topicId: string;
  meterId?: string;
  receivedAt: Date;
  payload: Uint8Array;
  reason: DeadLetterReason;
  /** Error code and a short message; never a key. */
  detail: string;
}

/** One decoded message as one wide row. */
export interface FleetRow {
  meterId: string;
  /** The meter's own clock, else the receive time (then `clockFromMeter` is false). */
  meterTime: Date;
  clockFromMeter: boolean;
  receivedAt: Date;
  systemTitle?: string;
  frameCounter?: number;
  /** Common readings in base units (Wh, W, V, A, Hz, m3), by column name; null = the meter did not send it. */
  columns: Record<string, number | null>;
  /** Every other reading, OBIS code → value (and unit), for jsonb. */
  extra: Record<string, unknown>;
  /** The message was decoded but carries a trust flag (e.g. unauthenticated) — kept, not hidden. */
  flags: string[];
  /** The encrypted frame as received, for redecoding and audit. */
  payload?: Uint8Array;
  /** The meter's IANA zone (FleetMeter.timeZone) for its local rollup days; the store's default when absent. */
  timeZone?: string;
  /** Where the frame came from: a frame the store refuses as a replay becomes a dead letter with these. */
  topic?: string;
  topicId?: string;
}

export interface FleetBatch {
  rows: FleetRow[];
  deadLetters: DeadLetter[];
}

export interface CommitResult {
  inserted: number;
  /** Rows already stored (redeliveries): not inserted again. */
  duplicates: number;
  /** Rows refused by the fleet-wide frame counters; the store wrote them to dead letters with reason 'replay'. */
  replays: number;
  deadLetters: number;
}

export interface FleetStore {
  /** Writes the batch in one transaction. Throws when it did not commit (then nothing of it is acknowledged). */
  commit(batch: FleetBatch): Promise<CommitResult>;
  close(): Promise<void>;
}
