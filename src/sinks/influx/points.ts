/**
 * Messages → points: the schema of the InfluxDB output. One point per reading, in one measurement
 * (`meterwire` unless `?measurement=`), so a Grafana query is `SELECT mean("value") FROM "meterwire" WHERE
 * "id" = 'power_import' AND $timeFilter GROUP BY time($__interval)`.
 *
 * - tags: `meter` (id, else system title), `id` (reading id), `obis`, `unit` (the base unit), `phase` (L1–L3,
 *   from the OBIS C group of electricity codes) and `tariff` (1–9, from the E group of energy and maximum-demand
 *   registers). All fixed per reading of a meter, so the series count is the number of readings per meter.
 * - fields: `value` (float, in the base unit of src/core/model/base-units.ts: Wh, W, V, A, m3 …) for numbers,
 *   `text` (string) for texts (equipment ids, tariff indicator, text messages), `quality` (string: the reading's
 *   flags, comma-separated) when it has any. A non-finite number is written as text, like the SQL store does.
 * - time: the meter's timestamp of the message, else the time the sink first saw the message (strictly
 *   increasing, so two untimestamped messages never land on one point).
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import { toBaseUnit } from '../../core/model/base-units.js';
import { formatLine, type Point } from './line-protocol.js';

export const DEFAULT_MEASUREMENT = 'meterwire';

const OBIS = /^(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)/;

/** L1, L2 or L3 for electricity quantities of one phase (IEC 62056-61: C 21–40, 41–60, 61–80), else ''. */
export function phaseOf(obis: string): string {
  const m = OBIS.exec(obis);
  if (!m || m[1] !== '1') return '';
  const c = Number(m[3]);
  return c >= 21 && c <= 80 ? `L${Math.floor((c - 21) / 20) + 1}` : '';
}

/** The tariff of an electricity energy register (D 8) or maximum demand (D 6): its E group 1–9, else ''. */
export function tariffOf(obis: string): string {
  const m = OBIS.exec(obis);
  if (!m || m[1] !== '1' || (m[4] !== '8' && m[4] !== '6')) return '';
  const e = Number(m[5]);
  return e >= 1 && e <= 9 ? String(e) : '';
}

export function meterTag(msg: MeterMessage): string {
  return msg.meter.id || msg.meter.systemTitle || 'unknown';
}

/** The time of a message in ms: its own timestamp, else `receivedAt(msg)`. */
export function messageTimeMs(msg: MeterMessage, receivedAt: (m: MeterMessage) => number): number {
  const t = msg.timestamp === undefined ? Number.NaN : Date.parse(msg.timestamp);
  return Number.isFinite(t) ? t : receivedAt(msg);
}

function readingPoint(measurement: string, meter: string, r: Reading, timeMs: number): Point {
  const fields: Point['fields'] = {};
  let unit = '';
  if (typeof r.value === 'number' && Number.isFinite(r.value)) {
    const base = toBaseUnit(r.value, r.unit);
    fields.value = base.value;
    unit = base.unit;
  } else {
    fields.text = String(r.value);
  }
  if (r.quality.length > 0) fields.quality = r.quality.join(',');
  const tags = { meter, id: r.id, obis: r.obis, unit, phase: phaseOf(r.obis), tariff: tariffOf(r.obis) };
  return { measurement, tags, fields, timeMs };
}

/** The line protocol of a batch: one line per reading. */
export function linesFor(messages: readonly MeterMessage[], measurement: string, receivedAt: (m: MeterMessage) => number): string[] {
  const lines: string[] = [];
  for (const msg of messages) {
    const meter = meterTag(msg);
    const timeMs = messageTimeMs(msg, receivedAt);
    for (const r of msg.readings) lines.push(formatLine(readingPoint(measurement, meter, r, timeMs)));
  }
  return lines;
}

