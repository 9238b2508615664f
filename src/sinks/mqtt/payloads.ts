/**
 * What the MQTT output publishes for one message: the topics per meter and their payloads. Pure functions, so
 * the topic layout (a public contract, like Reading.id) is testable without a broker.
 *
 *   <prefix>/<meter>/state          the DESIGN §4 message as JSON
 *   <prefix>/<meter>/<reading id>   the plain value (retained)
 *   <prefix>/<meter>/availability   online / offline (retained, last will)
 *   values topic                    the compact shape EVN smart-meter decoder users consume
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import { toBaseUnit } from '../../core/model/base-units.js';

const utf8 = new TextEncoder();

/**
 * One topic level (MQTT 3.1.1 §4.7: "/" separates levels, "+" and "#" are wildcards) and a Home Assistant
 * object id (`[A-Za-z0-9_-]`) from any text, one-to-one: letters, digits and "-" stay, every other UTF-8 byte,
 * "_" included, becomes "_" and two upper-case hex digits. So `+`, `#`, `a/b` and `a_2Fb` get four different
 * levels, none with a wildcard or a separator, and an id made of letters and digits keeps its topic.
 */
export function topicLevel(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9-]/.test(ch)) { out += ch; continue; }
    for (const b of utf8.encode(ch)) out += `_${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Topic- and Home-Assistant-safe meter key: meter id, else system title (an empty id is none). The reader gives
 * every message an identity (app/meter-identity.ts); a message that still has none (a sink used on its own)
 * gets "_unidentified", which no escaped id can equal ("_" is always followed by two upper-case hex digits).
 */
export function meterKey(msg: MeterMessage): string {
  const raw = msg.meter.id || msg.meter.systemTitle;
  return raw ? topicLevel(raw) : '_unidentified';
}

/**
 * A reading id as a topic level and the end of an object id. The built-in ids are snake_case from a letter and
 * stay as they are (a public contract); any other id (a user profile's) is encoded behind a leading "_". Both
 * start with a character that cannot continue a meter key's "_XX" escape, so `meterwire_<meter>_<reading>`
 * stays one-to-one too.
 */
export function readingLevel(id: string): string {
  return /^[a-z][A-Za-z0-9_-]*$/.test(id) ? id : `_${topicLevel(id)}`;
}

export interface MeterTopics {
  base: string;
  state: string;
  availability: string;
  reading(id: string): string;
}

export function meterTopics(prefix: string, meter: string): MeterTopics {
  const base = `${prefix}/${meter}`;
  return { base, state: `${base}/state`, availability: `${base}/availability`, reading: (id) => `${base}/${readingLevel(id)}` };
}

/** ISO 8601 date-time with a zone (what a Home Assistant timestamp sensor accepts). */
const ISO_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function isDateTimeReading(r: Reading): boolean {
  return typeof r.value === 'string' && ISO_DATE_TIME.test(r.value) && Number.isFinite(Date.parse(r.value));
}

/**
 * The plain value. A date-time goes out with an explicit offset (`2026-01-15T12:00:00+00:00`, whole seconds),
 * the form Home Assistant's timestamp sensors parse; a clock reading the meter sent unreadable goes out as
 * "None", which Home Assistant shows as unknown instead of logging a parse error every message.
 */
export function readingPayload(r: Reading): string {
  if (isDateTimeReading(r)) return `${new Date(Date.parse(String(r.value))).toISOString().slice(0, 19)}+00:00`;
  if (r.quality.includes('invalid_timestamp') && typeof r.value === 'string') return 'None';
  return String(r.value);
}

type Compact = Record<string, { value: number; unit: string }>;

/** Compact keys: the names the EVN decoder scripts publish, so existing dashboards keep working. */
const COMPACT: ReadonlyArray<[key: string, id: string, unit: string]> = [
  ['WIn', 'energy_import', 'Wh'],
  ['WOut', 'energy_export', 'Wh'],
  ['PIn', 'power_import', 'W'],
  ['POut', 'power_export', 'W'],
  ['U1', 'voltage_l1', 'V'],
  ['U2', 'voltage_l2', 'V'],
  ['U3', 'voltage_l3', 'V'],
  ['I1', 'current_l1', 'A'],
  ['I2', 'current_l2', 'A'],
  ['I3', 'current_l3', 'A'],
  ['PF', 'power_factor', ''],
];

/** The EVN decoder writes "1" as the unit of the power factor. */
const COMPACT_UNIT: Record<string, string> = { '': '1' };

/**
 * Total energy from the tariff registers (DSMR 1.8.1 + 1.8.2 [+ …], 2.8.x likewise) when the meter sends no
 * total: tariffs 1 and 2 must both be there, or the sum would silently be too small.
 */
function tariffSum(readings: readonly Reading[], c: 1 | 2): number | undefined {
  const tariffs = readings.filter((r) => typeof r.value === 'number' && new RegExp(`^\\d+-\\d+:${c}\\.8\\.[1-9]$`).test(r.obis));
  const present = new Set(tariffs.map((r) => r.obis.slice(-1)));
  if (!present.has('1') || !present.has('2') || present.size !== tariffs.length) return undefined;
  let sum = 0;
  for (const r of tariffs) {
    const v = toBaseUnit(r.value as number, r.unit);
    if (v.unit !== 'Wh') return undefined;
    sum += v.value;
  }
  return Number(sum.toPrecision(15));
}

export function compactValues(msg: MeterMessage, nowMs: number): Compact {
  const byId = new Map(msg.readings.map((r) => [r.id, r]));
  const out: Compact = {};
  for (const [key, id, unit] of COMPACT) {
    const r = byId.get(id);
    if (!r || typeof r.value !== 'number') continue;
    const v = toBaseUnit(r.value, r.unit);
    // A unit of another quantity (or a percentage power factor) is left out rather than published as if it fit.
    if (v.unit === unit) out[key] = { value: v.value, unit: COMPACT_UNIT[unit] ?? unit };
  }
  for (const [key, c] of [['WIn', 1], ['WOut', 2]] as const) {
    if (out[key] || byId.has(c === 1 ? 'energy_import' : 'energy_export')) continue;
    const sum = tariffSum(msg.readings, c);
    if (sum !== undefined) out[key] = { value: sum, unit: 'Wh' };
  }
  const ts = msg.timestamp ? Date.parse(msg.timestamp) : NaN;
  out.timestamp = { value: Math.floor((Number.isFinite(ts) ? ts : nowMs) / 1000), unit: 's' };
  return out;
}
