/**
 * Publishing modes of the MQTT output: every message, at most one per meter every N seconds, or only readings
 * whose value changed. Interval time is the meter's own timestamp when it sends one, so a backlog delivered
 * after an outage is thinned the same way as live data instead of being dropped as "too soon".
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import type { PublishMode } from './options.js';

export interface GateDecision {
  /** Publish the state and values topics. */
  publish: boolean;
  /** Readings whose per-reading topics to publish. */
  readings: Reading[];
}

export interface PublishGate {
  select(meter: string, msg: MeterMessage, nowMs: number): GateDecision;
  /** Forget what was published (after a reconnect nothing is assumed about the broker). */
  reset(): void;
}

export function createPublishGate(mode: PublishMode, intervalMs: number): PublishGate {
  const lastAt = new Map<string, number>();
  const lastValue = new Map<string, string | number>();
  return {
    select(meter, msg, nowMs) {
      if (mode === 'every') return { publish: true, readings: msg.readings };
      if (mode === 'interval') {
        const ts = msg.timestamp ? Date.parse(msg.timestamp) : NaN;
        const t = Number.isFinite(ts) ? ts : nowMs;
        const prev = lastAt.get(meter);
        // A clock that went backwards (meter time reset) starts a new interval rather than muting the meter.
        if (prev !== undefined && t >= prev && t - prev < intervalMs) return { publish: false, readings: [] };
        lastAt.set(meter, t);
        return { publish: true, readings: msg.readings };
      }
      const changed = msg.readings.filter((r) => {
        const key = `${meter}\u0000${r.id}`;
        if (lastValue.get(key) === r.value) return false;
        lastValue.set(key, r.value);
        return true;
      });
      return { publish: changed.length > 0, readings: changed };
    },
    reset() {
      lastAt.clear();
      lastValue.clear();
    },
  };
}
