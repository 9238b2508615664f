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

/** Topic- and Home-Assistant-safe meter key: meter id, else system title, else "meter" (an empty id is none). */
export function meterKey(msg: MeterMessage): string {
  const raw = msg.meter.id || msg.meter.systemTitle;
  return raw ? topicLevel(raw) : 'meter';
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

export function readingPayload(r: Reading): string {
  return String(r.value);
}

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

/** Meters that count in kWh/kW are converted, because consumers of this shape read Wh and W. */
function toUnit(value: number, from: string | undefined, to: string): number {
  if (from && from !== to && from.toLowerCase() === `k${to}`.toLowerCase()) return Math.round(value * 1000 * 1000) / 1000;
  return value;
}

export function compactValues(msg: MeterMessage, nowMs: number): Record<string, { value: number; unit: string }> {
  const byId = new Map(msg.readings.map((r) => [r.id, r]));
  const out: Record<string, { value: number; unit: string }> = {};
  for (const [key, id, unit] of COMPACT) {
    const r = byId.get(id);
    if (r && typeof r.value === 'number') out[key] = { value: toUnit(r.value, r.unit, unit), unit };
  }
  const ts = msg.timestamp ? Date.parse(msg.timestamp) : NaN;
  out.timestamp = { value: Math.floor((Number.isFinite(ts) ? ts : nowMs) / 1000), unit: 's' };
  return out;
}
