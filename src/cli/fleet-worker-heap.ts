/**
 * V8 heap growth of `meterwire fleet worker`. V8 lets the old generation grow to up to ~4× what survived the last
 * full GC before it collects again, and a worker with 100,000 meters cached has ~35 MB live: its RSS then climbs
 * to 230–400 MB under load, nearly all of it garbage not yet collected (docs/fleet-bench.md, "Worker memory").
 * `--heap-growing-percent=30` lets it grow by 30 % instead: 229 → 152 MB RSS after decoding 300,000 frames of
 * 100,000 meters (bench/fleet-memory.mjs), for a few µs more CPU per frame in collection.
 *
 * V8 reads this flag at every GC, so the worker sets it from inside (v8.setFlagsFromString) and needs no node
 * flag where it is started; V8 refuses it in NODE_OPTIONS anyway. A user who sets it on node's command line
 * keeps theirs. The young generation can only be sized at start-up: `NODE_OPTIONS=--max-semi-space-size=4`
 * (accepted there) brings RSS a further ~25 MB down.
 */
import { setFlagsFromString } from 'node:v8';

export const FLEET_WORKER_HEAP_GROWING_PERCENT = 30;

/** Sets the worker's heap growth unless node was started with one; returns the flag set, if any. */
export function applyFleetWorkerHeapFlags(execArgv: readonly string[] = process.execArgv): string | undefined {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return undefined;
  const flag = `--heap-growing-percent=${FLEET_WORKER_HEAP_GROWING_PERCENT}`;
  setFlagsFromString(flag);
  return flag;
}
