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

export function formatHealth(h: Health): string {
  const errs = Object.entries(h.errors).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const age = h.lastFrameAgeMs === undefined ? 'never' : `${(h.lastFrameAgeMs / 1000).toFixed(1)} s ago`;
  return `state ${h.state} (source ${h.source}) · frames ${h.framesOk} · messages ${h.messages} · unverified ${h.unverified} · ` +
    `replays ${h.replays} · discarded ${h.discardedBytes} B in ${h.resyncs} resyncs · errors ${errs} · last frame ${age}`;
}
