/**
 * The capacity tariff's live headroom, pushed on the live stream: a new message of a meter whose plan has a
 * capacity charge schedules one computation (the same as /api/headroom answers), at most one per meter every
 * `intervalMs`, and its one serialised event goes to every client of that meter. A meter nobody watches is not
 * computed (a page that opens fetches /api/headroom once). With a SQL store the value may trail the newest message
 * by the store's write delay; the next run catches up.
 */
import { redactText } from '../redact/index.js';
import { planFor, type TariffsConfig } from '../costs/index.js';
import type { SinkLog } from '../sinks/types.js';
import type { HistoryStore } from './history.js';
import { headroom } from './costs-view.js';
import { sseEvent, type LiveHub } from './live-hub.js';

export interface HeadroomPush {
  /** A new message of `meter` arrived (its data is in the history store). */
  note(meter: string): void;
  /** The latest headroom event of a meter (or of all meters), for a client that just connected. */
  latestEvents(meter: string | undefined): Uint8Array[];
  close(): void;
}

export interface HeadroomPushOptions {
  hub: LiveHub;
  history: HistoryStore;
  tariffs: TariffsConfig | undefined;
  now: () => number;
  log: SinkLog;
  /** The least time between two computations for one meter (default 5 s). */
  intervalMs?: number;
  /** Meters followed at most (as many as the live state keeps). */
  maxMeters?: number;
}

interface MeterRun {
  lastStart: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  /** A message came while computing: run once more after the interval. */
  again: boolean;
  event?: Uint8Array;
  warned: boolean;
}

function hasCapacity(tariffs: TariffsConfig, meter: string): boolean {
  try {
    return planFor(tariffs, meter).capacity !== undefined;
  } catch {
    return false; // no plan for this meter: /api/headroom answers 400, nothing to push
  }
}

export function createHeadroomPush(o: HeadroomPushOptions): HeadroomPush {
  const interval = o.intervalMs ?? 5000;
  const maxMeters = o.maxMeters ?? 64;
  const runs = new Map<string, MeterRun>();
  let closed = false;

  function schedule(meter: string, r: MeterRun): void {
    r.timer = setTimeout(() => void run(meter, r), Math.max(0, r.lastStart + interval - Date.now()));
    r.timer.unref();
  }

  async function run(meter: string, r: MeterRun): Promise<void> {
    r.timer = undefined;
    const tariffs = o.tariffs;
    if (closed || !tariffs) return;
    if (!o.hub.watching(meter)) { r.event = undefined; return; }
    r.running = true;
    r.lastStart = Date.now();
    try {
      const h = await headroom(o.history, tariffs, meter, o.now());
      if (h && !closed) {
        r.event = sseEvent(JSON.stringify({ meter, ...h }), 'headroom');
        o.hub.broadcast(meter, r.event);
      }
    } catch (e) {
      if (!r.warned) o.log.warn(`dashboard: live headroom of meter ${meter}: ${redactText((e as Error).message ?? String(e))}`);
      r.warned = true;
    } finally {
      r.running = false;
    }
    if (r.again && !closed) { r.again = false; schedule(meter, r); }
  }

  return {
    note(meter) {
      if (closed || !o.tariffs || !hasCapacity(o.tariffs, meter)) return;
      let r = runs.get(meter);
      if (!r) {
        if (runs.size >= maxMeters) return;
        r = { lastStart: -Infinity, running: false, again: false, warned: false };
        runs.set(meter, r);
      }
      if (r.timer) return; // the run already scheduled reads this message too
      if (r.running) { r.again = true; return; }
      schedule(meter, r);
    },
    latestEvents(meter) {
      const pick = meter === undefined ? [...runs.values()] : [runs.get(meter)];
      return pick.flatMap((r) => (r?.event ? [r.event] : []));
    },
    close() {
      closed = true;
      for (const r of runs.values()) clearTimeout(r.timer);
      runs.clear();
    },
  };
}
