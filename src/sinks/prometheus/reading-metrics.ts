/**
 * The readings' metrics: the latest value of every numeric reading in the family reading-families.ts gives it,
 * created on first sight (a meter without voltages gets no voltage family).
 *
 * Registers that count up are counters, and a counter must never go down: Prometheus takes any decrease for a
 * reset to zero and adds the whole new value to rate()/increase() — a 1 Wh dip of a 5 MWh register would read as
 * 18 GJ used in one scrape. So a register reading lower than the value exported is not exported: the counter holds
 * its highest value until the register passes it again, each such reading is counted in
 * `meterwire_register_decreases_total{meter,id}` and the first of a run is logged. (meterwire keeps no state
 * across restarts: after one, a counter starts at the register's value, which Prometheus reads as a reset —
 * right for a meter that really was reset.) Readings the decoder flagged `implausible` and counter readings
 * below zero are not exported either, counted in `meterwire_readings_rejected_total{meter,id,reason}`.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Reading } from '../../core/model/message.js';
import type { SinkLog } from '../types.js';
import { createReadingPlacer, type FamilySpec } from './reading-families.js';

interface Series {
  labels: Record<string, string>;
  value: number;
  /** A counter: set while readings are below `value`. */
  held?: boolean;
}

export interface ReadingMetrics {
  /** Records one message's readings for the meter label given. */
  record(meter: string, readings: readonly Reading[]): void;
}

export function createReadingMetrics(registry: Registry, log: SinkLog): ReadingMetrics {
  const placer = createReadingPlacer();
  const gauges = new Map<FamilySpec, Gauge>();
  /** Counter families: their series by label key; prom-client counters only add, so collect() sets them. */
  const counters = new Map<FamilySpec, Map<string, Series>>();

  const decreases = new Counter({
    name: 'meterwire_register_decreases_total', registers: [registry], labelNames: ['meter', 'id'],
    help: 'Register readings below the value already exported, not exported (the counter holds its highest value).',
  });
  const rejected = new Counter({
    name: 'meterwire_readings_rejected_total', registers: [registry], labelNames: ['meter', 'id', 'reason'],
    help: 'Numeric readings not exported: implausible (flagged by the decoder) or negative (a counter below zero).',
  });

  const gaugeOf = (f: FamilySpec): Gauge => {
    let g = gauges.get(f);
    if (!g) {
      g = new Gauge({ name: f.name, help: f.help, labelNames: ['meter', ...f.labelNames], registers: [registry] });
      gauges.set(f, g);
    }
    return g;
  };

  const seriesOf = (f: FamilySpec): Map<string, Series> => {
    let series = counters.get(f);
    if (!series) {
      const own = new Map<string, Series>();
      new Counter({
        name: f.name, help: f.help, labelNames: ['meter', ...f.labelNames], registers: [registry],
        collect() { this.reset(); for (const s of own.values()) this.inc(s.labels, s.value); },
      });
      counters.set(f, own);
      series = own;
    }
    return series;
  };

  const setCounter = (f: FamilySpec, labels: Record<string, string>, value: number, r: Reading): void => {
    const series = seriesOf(f);
    const key = JSON.stringify(labels);
    const s = series.get(key);
    if (!s) { series.set(key, { labels, value }); return; }
    if (value >= s.value) { s.value = value; s.held = false; return; }
    decreases.inc({ meter: labels.meter, id: r.id });
    if (!s.held) {
      s.held = true;
      log.warn(`prometheus: ${r.id} of meter ${labels.meter} went down (${value} < ${s.value}); ${f.name} holds ${s.value} until the register passes it`);
    }
  };

  return {
    record(meter, readings) {
      for (const r of readings) {
        // Text readings (ids, versions, messages) are not samples; Prometheus only stores numbers.
        if (typeof r.value !== 'number' || !Number.isFinite(r.value)) continue;
        if (r.quality.includes('implausible')) { rejected.inc({ meter, id: r.id, reason: 'implausible' }); continue; }
        const placed = placer.place(r as Reading & { value: number });
        const labels = { meter, ...placed.labels };
        if (placed.family.type === 'gauge') { gaugeOf(placed.family).set(labels, placed.value); continue; }
        if (placed.value < 0) { rejected.inc({ meter, id: r.id, reason: 'negative' }); continue; }
        setCounter(placed.family, labels, placed.value, r);
      }
    },
  };
}
