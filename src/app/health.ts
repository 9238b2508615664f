/** The reader's health counters, shared with outputs (metrics, availability) and printed by --stats. */
import type { SourceState } from '../adapters/sources/types.js';
import type { SinkHealth } from '../sinks/types.js';

export type HealthState = SinkHealth['state'];

/** What outputs see (SinkHealth), plus the source's own state and the time of the last frame. */
export interface Health extends SinkHealth {
  source: SourceState | 'idle';
  lastFrameAt?: string;
}

export function createHealth(): Health {
  return { state: 'starting', source: 'idle', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0,
    unverified: 0, replays: 0 };
}

/** What the stats line knows beyond the counters: bytes from the source, and the line settings in use. */
export interface HealthContext {
  bytesReceived?: number;
  /** e.g. "profile at-evn-sagemcom-t210d: 2400 baud 8E1, M-Bus" */
  line?: string;
}

/** The hint when bytes arrive but never make a frame: what a wrong baud rate or parity looks like. */
export function noFrameHint(h: Health, c: HealthContext): string | undefined {
  if (h.framesOk > 0 || !c.bytesReceived) return undefined;
  return `${c.bytesReceived} B received but no frame: check the baud rate, parity and profile` +
    `${c.line ? ` (${c.line})` : ''}, and that the customer interface is enabled`;
}

export function formatHealth(h: Health, c: HealthContext = {}): string {
  const errs = Object.entries(h.errors).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const age = h.lastFrameAgeMs === undefined ? 'never' : `${(h.lastFrameAgeMs / 1000).toFixed(1)} s ago`;
  // "ok" before the first frame only means the link is up.
  const state = h.state === 'ok' && h.framesOk === 0 ? 'connected, no frame yet' : h.state;
  const bytes = c.bytesReceived === undefined ? '' : ` · received ${c.bytesReceived} B`;
  const hint = noFrameHint(h, c);
  return `state ${state} (source ${h.source}) · frames ${h.framesOk} · messages ${h.messages} · unverified ${h.unverified} · ` +
    `replays ${h.replays} · discarded ${h.discardedBytes} B in ${h.resyncs} resyncs${bytes} · errors ${errs} · last frame ${age}` +
    (hint ? ` — ${hint}` : '');
}
