/**
 * The reader's health as the page shows it: frame age and counters, errors by code, and each output's state
 * under a short label (`sql-1`, `mqtt-2`), never its URL (an output's host, user or database is configuration).
 */
import type { OutputStats, SinkHealth } from '../sinks/types.js';

export interface OutputView {
  output: string;
  /** up, down, connecting or closed; `spooled` while a durable output is down with messages waiting on disk. */
  state: OutputStats['state'] | 'spooled';
  queued: number;
  spooled: number;
  delivered: number;
  dropped: number;
  failures: number;
}

export interface HealthView {
  reader: {
    state: SinkHealth['state'];
    lastFrameAgeMs: number | null;
    framesOk: number;
    messages: number;
    errors: Record<string, number>;
    unverified: number;
    replays: number;
    discardedBytes: number;
    resyncs: number;
  } | null;
  outputs: OutputView[];
  live: { clients: number; dropped: number };
}

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

function scheme(name: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(name)?.[1]?.toLowerCase().replace(/[^a-z0-9]/g, '-') ?? 'output';
}

export function outputViews(outputs: readonly OutputStats[]): OutputView[] {
  const n = new Map<string, number>();
  return outputs.map((o) => {
    const s = scheme(o.name);
    const i = (n.get(s) ?? 0) + 1;
    n.set(s, i);
    return {
      output: `${s}-${i}`,
      state: o.state !== 'up' && o.spooled > 0 ? 'spooled' : o.state,
      queued: o.queued, spooled: o.spooled, delivered: o.delivered, dropped: o.dropped, failures: o.failures,
    };
  });
}

export function healthView(h: SinkHealth | undefined, outputs: readonly OutputStats[], live: HealthView['live']): HealthView {
  const errors: Record<string, number> = {};
  // Error codes only (they come from the core's table); anything else is not for a page.
  for (const [code, count] of Object.entries(h?.errors ?? {})) if (CODE.test(code)) errors[code] = count;
  return {
    reader: h ? {
      state: h.state, lastFrameAgeMs: h.lastFrameAgeMs ?? null, framesOk: h.framesOk, messages: h.messages, errors,
      unverified: h.unverified, replays: h.replays, discardedBytes: h.discardedBytes, resyncs: h.resyncs,
    } : null,
    outputs: outputViews(outputs),
    live,
  };
}
