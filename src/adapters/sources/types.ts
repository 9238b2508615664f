/**
 * The contract between byte sources (serial, TCP, MQTT, file, stdin) and the reader that frames their bytes.
 * A source never throws after start(): every I/O failure becomes a state change and, where it makes sense, a
 * reconnect with backoff.
 */
import type { BackoffSettings } from '../../net/backoff.js';

export { DEFAULT_BACKOFF, type BackoffSettings } from '../../net/backoff.js';

export type SourceState = 'connecting' | 'connected' | 'disconnected' | 'ended';

export interface SourceHandlers {
  data(chunk: Uint8Array): void;
  /** Called once per state CHANGE (never repeatedly for the same state), detail is a short human reason. */
  state(state: SourceState, detail?: string): void;
}

export interface Source {
  /** URL with credentials redacted, for logs. */
  readonly description: string;
  /** Starts reading. After stop() no handler is called any more. */
  start(handlers: SourceHandlers): void;
  /** Closes everything; resolves when closed. No reconnect after stop. */
  stop(): Promise<void>;
  /** Drops the current connection and reconnects (used by the reader's watchdog when no frame arrives). */
  recycle(reason: string): void;
}

export interface SerialLineSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export interface SourceOptions {
  /** Serial defaults from the meter profile; URL query params override. */
  serial?: SerialLineSettings;
  /** Reconnect backoff: initial and max delay in ms (defaults 500 and 30000, with jitter). */
  backoff?: BackoffSettings;
  /** Keys the `sim:` source encrypts with (default: the simulator's demo keys). */
  simKeys?: { key?: string; authKey?: string };
}

/** 8N1 at 115200 baud: what DSMR 4/5 P1 ports use, and a harmless default for ptys and USB adapters. */
export const DEFAULT_SERIAL: SerialLineSettings = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 };
