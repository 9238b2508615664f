/**
 * Publishing modes of the MQTT output: every message; each reading at most once every N seconds (the default,
 * 10 s); or only readings whose value changed. The interval is kept per reading, not per meter: Norwegian
 * meters send list 1 (power) every 2 s and list 2 (voltages, currents…) every 10 s, and a per-meter interval
 * taken by list 1 would never let list 2 through. The state and values topics go out with a message that
 * has at least one reading due. Interval time is the meter's own timestamp when it sends one, so a backlog
 * delivered after an outage is thinned the same way as live data instead of being dropped as "too soon". A
 * message without one (list 1) is placed on the meter's clock from its last timestamped message plus the time
 * passed since, so a meter clock that is off does not make list 1 and list 2 look like a clock going back.
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
  const clocks = new Map<string, { meterMs: number; hostMs: number }>();
  const meterTime = (meter: string, msg: MeterMessage, nowMs: number): number => {
    const ts = msg.timestamp ? Date.parse(msg.timestamp) : NaN;
    if (Number.isFinite(ts)) {
      clocks.set(meter, { meterMs: ts, hostMs: nowMs });
      return ts;
    }
    const c = clocks.get(meter);
    return c ? c.meterMs + (nowMs - c.hostMs) : nowMs;
  };
  const keyOf = (meter: string, r: Reading): string => `${meter}\u0000${r.id}`;
  return {
    select(meter, msg, nowMs) {
      if (mode === 'every') return { publish: true, readings: msg.readings };
      if (mode === 'interval') {
        const t = meterTime(meter, msg, nowMs);
        const due = msg.readings.filter((r) => {
          const key = keyOf(meter, r);
          const prev = lastAt.get(key);
          // A clock that went backwards (meter time reset) starts a new interval rather than muting the meter.
          if (prev !== undefined && t >= prev && t - prev < intervalMs) return false;
          lastAt.set(key, t);
          return true;
        });
        return { publish: due.length > 0, readings: due };
      }
      const changed = msg.readings.filter((r) => {
        const key = keyOf(meter, r);
        if (lastValue.get(key) === r.value) return false;
        lastValue.set(key, r.value);
        return true;
      });
      return { publish: changed.length > 0, readings: changed };
    },
    reset() {
      lastAt.clear();
      lastValue.clear();
      clocks.clear();
    },
  };
}
