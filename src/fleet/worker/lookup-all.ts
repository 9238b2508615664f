/**
 * The meters of a group of messages at once, one await for all, instead of an async call and its awaits per
 * message (see docs/fleet-mqtt.md for the CPU per message). A lookup that throws or rejects is marked
 * LOOKUP_FAILED, never taken for "unknown": the worker retries that one alone.
 */
import type { FleetMeter, MeterDirectory } from '../contracts.js';

export const LOOKUP_FAILED = Symbol('lookup failed');
export type Looked = FleetMeter | undefined | typeof LOOKUP_FAILED;

export function lookupAll(directory: MeterDirectory, topicIds: readonly (string | undefined)[]): Promise<Looked[]> {
  const out: Looked[] = new Array<Looked>(topicIds.length);
  return new Promise((resolve) => {
    let left = 1;
    const settle = (): void => { if (--left === 0) resolve(out); };
    for (let i = 0; i < topicIds.length; i++) {
      const id = topicIds[i];
      if (id === undefined) continue;
      left++;
      try {
        directory.lookup(id).then((m) => { out[i] = m; settle(); }, () => { out[i] = LOOKUP_FAILED; settle(); });
      } catch {
        out[i] = LOOKUP_FAILED;
        settle();
      }
    }
    settle();
  });
}
