/**
 * The long-running reader: source → decoder → messages, and everything that keeps it honest for years on a
 * Raspberry Pi: a watchdog that recycles a silent connection, replay protection (frame counters per system title,
 * see frame-counter-tracker.ts, kept in a CounterStore before any message they vouch for leaves), wrong-key errors
 * at most once a minute, health counters, and key reload without a restart. Never throws after start().
 */
import { createDecoder, type Decoder, type DecoderOptions } from '../index.js';
import type { Source, SourceState } from '../adapters/sources/types.js';
import type { DecodeResult, ErrorMessage, MeterMessage } from '../core/model/message.js';
import { createCounterTracker, type CounterStore } from './frame-counter-tracker.js';
import { createRateLimiter } from './rate-limiter.js';
import { createHealth, type Health } from './health.js';
import { createMeterIdentity } from './meter-identity.js';

export interface ReaderLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ReaderOptions {
  source: Source;
  decoder: DecoderOptions;
  /** No complete frame for this long → warning, connection recycled, health "stale". */
  watchdogMs: number;
  /** Where frame counters are kept across restarts; without one they are kept for this run only. */
  counterStore?: CounterStore;
  /** System titles whose counter may go back once in this run (a meter reset the user confirmed). */
  acceptCounterReset?: string[];
  onMessage(msg: MeterMessage): void;
  /** Error messages, at most one per code per `errorWindowMs`; all are counted in health. */
  onError(err: ErrorMessage, suppressed: number): void;
  onEnd?(): void;
  log: ReaderLog;
  errorWindowMs?: number;
  /** How long messages without any meter identity wait for one (meter-identity.ts; default 15 s). */
  identityHoldMs?: number;
  now?: () => number;
}

export interface Reader {
  start(): void;
  stop(): Promise<void>;
  /** Swaps keys/profile (SIGHUP, edited config) without dropping the connection. */
  reload(decoder: DecoderOptions): void;
  health(): Health;
}

export function createReader(o: ReaderOptions): Reader {
  const now = o.now ?? Date.now;
  const health = createHealth();
  const store = o.counterStore;
  // A replay flood must not cost a file lookup per frame: confirmations are looked for at most once a second per title.
  const lookedAt = new Map<string, number>();
  const confirmations = (title: string) => {
    const at = now();
    if (!store || at - (lookedAt.get(title) ?? -Infinity) < 1000) return undefined;
    lookedAt.set(title, at);
    return store.takeConfirmation(title);
  };
  const counters = createCounterTracker({ initial: store?.load(), confirmations });
  for (const t of o.acceptCounterReset ?? []) {
    if (counters.acceptReset(t)) o.log.warn(`accepting one frame counter reset for system title ${t} in this run (--accept-counter-reset)`);
    else o.log.warn(`--accept-counter-reset ${t}: no frame counter is kept for that title, nothing to accept`);
  }
  const limiter = createRateLimiter(o.errorWindowMs ?? 60_000);
  // Every output keys meters by what leaves here: a message without an id gets its source's meter identity.
  const identity = createMeterIdentity({ source: o.source.description, holdMs: o.identityHoldMs, now, notice: (t) => o.log.info(t) });
  let decoder: Decoder = createDecoder(o.decoder);
  let lastFrameMs = now();
  let frames = 0;
  let stale = false;
  let timer: NodeJS.Timeout | undefined;

  function report(err: ErrorMessage): void {
    health.errors[err.error.code] = (health.errors[err.error.code] ?? 0) + 1;
    const gate = limiter.allow(err.error.code, now());
    if (gate.report) o.onError(err, gate.suppressed);
  }

  /** The counter verdict for a message: the message (with `security.counter`, maybe an issue) or the error instead. */
  function admit(msg: MeterMessage): DecodeResult {
    const st = msg.meter.systemTitle;
    const fc = msg.security?.frameCounter;
    if (st === undefined || fc === undefined || !msg.security) return msg;
    const v = counters.check(st, fc, now());
    if (v.kind === 'replay' || v.kind === 'limit') {
      if (v.kind === 'replay') { health.replays++; if (v.note) o.log.warn(v.note); }
      const code = v.kind === 'replay' ? 'FRAME_COUNTER_REPLAY' : 'LIMIT_EXCEEDED';
      return { error: { code, layer: 'security', message: v.message }, format: msg.format, meter: msg.meter };
    }
    if (v.kind === 'monotonic' && v.note) o.log.info(v.note);
    if (v.kind !== 'monotonic' && v.issue) { msg.issues = [...msg.issues, v.issue]; o.log.warn(v.issue.message); }
    msg.security = { ...msg.security, counter: v.kind };
    return msg;
  }

  /** Counters of a whole chunk are checked and committed first: no message leaves before its counter is kept. */
  function emit(decoded: DecodeResult[]): void {
    const results = decoded.map((r) => ('error' in r ? r : admit(r)));
    if (store && counters.dirty) commit();
    for (const r of results) {
      if ('error' in r) report(r);
      else deliver(r);
    }
  }

  function commit(): void {
    const state = counters.snapshot();
    try {
      store?.commit(state);
    } catch (e) {
      if (limiter.allow('counter-store', now()).report) {
        o.log.error(`frame counters not saved (${(e as Error).message}): replay protection holds until a restart only`);
      }
    }
  }

  function deliver(msg: MeterMessage): void {
    for (const m of identity.admit(msg)) pass(m);
  }

  function pass(msg: MeterMessage): void {
    health.messages++;
    if (msg.readings.some((r) => r.quality.includes('unverified'))) health.unverified++;
    o.onMessage(msg);
  }

  function onData(chunk: Uint8Array): void {
    let results;
    try {
      results = decoder.push(chunk);
    } catch (e) {
      o.log.error(`decoder failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    syncStats();
    emit(results);
  }

  function syncStats(): void {
    const s = decoder.stats;
    if (s.frames !== frames) {
      health.framesOk += s.frames - frames;
      frames = s.frames;
      lastFrameMs = now();
      health.lastFrameAt = new Date(lastFrameMs).toISOString();
      if (stale) o.log.info('frames are arriving again');
      stale = false;
      if (health.source === 'connected') health.state = 'ok';
    }
    health.discardedBytes = s.discardedBytes;
    health.resyncs = s.resyncs;
  }

  function onState(state: SourceState, detail?: string): void {
    health.source = state;
    const text = `${o.source.description}: ${state}${detail ? ` (${detail})` : ''}`;
    if (state === 'disconnected') o.log.warn(text); else o.log.info(text);
    if (state === 'connected') { lastFrameMs = now(); health.state = stale ? 'stale' : 'ok'; }
    if (state === 'disconnected') health.state = 'disconnected';
    if (state === 'ended') {
      emit(decoder.flush());
      for (const m of identity.flush()) pass(m);
      syncStats();
      health.state = 'ended';
      o.onEnd?.();
    }
  }

  function watchdog(): void {
    for (const m of identity.due()) pass(m);
    const age = now() - lastFrameMs;
    health.lastFrameAgeMs = health.lastFrameAt ? now() - Date.parse(health.lastFrameAt) : undefined;
    if (health.source !== 'connected' || age < o.watchdogMs) return;
    if (!stale) o.log.warn(`no complete frame for ${(age / 1000).toFixed(0)} s: recycling the connection (check cable, baud rate and parity)`);
    stale = true;
    health.state = 'stale';
    lastFrameMs = now();
    o.source.recycle(`no frame for ${(age / 1000).toFixed(0)} s`);
  }

  return {
    start() {
      o.source.start({ data: onData, state: onState });
      timer = setInterval(watchdog, Math.max(100, Math.min(1000, o.watchdogMs / 4)));
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await o.source.stop();
      for (const m of identity.flush()) pass(m);
    },
    reload(options) {
      decoder = createDecoder(options);
      frames = 0;
      o.log.info('configuration reloaded (keys/profile)');
    },
    health() {
      health.lastFrameAgeMs = health.lastFrameAt ? now() - Date.parse(health.lastFrameAt) : undefined;
      return { ...health, errors: { ...health.errors } };
    },
  };
}
