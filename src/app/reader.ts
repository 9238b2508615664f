/**
 * The long-running reader: source → decoder → messages, and everything that keeps it honest for years on a
 * Raspberry Pi: a watchdog that recycles a silent connection, frame-counter replay detection, wrong-key errors
 * at most once a minute, health counters, and key reload without a restart. Never throws after start().
 */
import { createDecoder, type Decoder, type DecoderOptions } from '../index.js';
import type { Source, SourceState } from '../adapters/sources/types.js';
import type { ErrorMessage, MeterMessage } from '../core/model/message.js';
import { createCounterTracker, type CounterState } from './frame-counter-tracker.js';
import { createRateLimiter } from './rate-limiter.js';
import { createHealth, type Health } from './health.js';

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
  counters?: CounterState;
  onCounters?(state: CounterState): void;
  onMessage(msg: MeterMessage): void;
  /** Error messages, at most one per code per `errorWindowMs`; all are counted in health. */
  onError(err: ErrorMessage, suppressed: number): void;
  onEnd?(): void;
  log: ReaderLog;
  errorWindowMs?: number;
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
  const counters = createCounterTracker(o.counters);
  const limiter = createRateLimiter(o.errorWindowMs ?? 60_000);
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

  function deliver(msg: MeterMessage): void {
    const st = msg.meter.systemTitle;
    if (st && msg.security?.frameCounter !== undefined) {
      const verdict = counters.check(st, msg.security.frameCounter);
      if (verdict.kind === 'replay') {
        health.replays++;
        report({ error: { code: 'FRAME_COUNTER_REPLAY', layer: 'security', message: verdict.issue.message }, format: msg.format });
        return;
      }
      if (verdict.kind !== 'ok' && 'issue' in verdict && verdict.issue) {
        msg.issues.push(verdict.issue);
        o.log.warn(verdict.issue.message);
      }
      o.onCounters?.(counters.snapshot());
    }
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
    for (const r of results) {
      if ('error' in r) report(r);
      else deliver(r);
    }
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
      for (const r of decoder.flush()) {
        if ('error' in r) report(r);
        else deliver(r);
      }
      syncStats();
      health.state = 'ended';
      o.onEnd?.();
    }
  }

  function watchdog(): void {
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
