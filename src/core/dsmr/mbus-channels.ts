/**
 * DSMR M-Bus channels (DSMR 5.0.2 §6.12, objects 0-n:24.x / 0-n:96.1.x, n = 1..4): the channel number says
 * nothing about what is connected, the device type 0-n:24.1.0 (EN 13757-3 medium codes) does. Readings get
 * stable ids by medium — first gas meter → gas_volume, a second → gas_volume_2 — so a meter swapped to
 * another channel keeps its ids. Empty channels (no equipment id, no valid reading) and unknown media get
 * `mbus_<n>_…` ids, so an unconnected channel never takes gas_volume from the real meter.
 */
import type { RawReading } from '../model/message.js';

export type MbusRole = 'device_type' | 'equipment_id' | 'value' | 'valve';

interface Medium {
  prefix: string;
  /** Id of the channel's measurement. */
  value: string;
}

/** EN 13757-3 device type (decimal as DSMR prints it) → medium. */
const MEDIA: Readonly<Record<number, Medium>> = {
  2: { prefix: 'electricity', value: 'electricity_sub_energy' },
  3: { prefix: 'gas', value: 'gas_volume' },
  4: { prefix: 'heat', value: 'heat_energy' },
  6: { prefix: 'hot_water', value: 'hot_water_volume' },
  7: { prefix: 'water', value: 'water_volume' },
  10: { prefix: 'cooling', value: 'cooling_energy' },
  11: { prefix: 'cooling', value: 'cooling_energy' },
  12: { prefix: 'heat', value: 'heat_energy' },
  21: { prefix: 'hot_water', value: 'hot_water_volume' },
  22: { prefix: 'water', value: 'water_volume' },
};

/** The role of a channel object C.D.E, or undefined for objects that keep their registry id. */
export function mbusRole(c: number, d: number, e: number): MbusRole | undefined {
  if (c === 24) {
    if (d === 1 && e === 0) return 'device_type';
    if (d === 2 || d === 3) return 'value'; // 24.2.1 / 24.2.3 (Belgium) / legacy 24.3.0
    if (d === 4 && e === 0) return 'valve';
  } else if (c === 96 && d === 1 && (e === 0 || e === 1)) {
    return 'equipment_id';
  }
  return undefined;
}

/** Channel objects seen while parsing, in telegram order. */
export interface MbusChannelEntry {
  channel: number;
  role: MbusRole;
  reading: RawReading;
}

function roleId(medium: Medium, role: MbusRole): string {
  if (role === 'value') return medium.value;
  return role === 'valve' ? `${medium.prefix}_valve_position` : `${medium.prefix}_${role}`;
}

function fallbackId(channel: number, role: MbusRole): string {
  return `mbus_${channel}_${role === 'valve' ? 'valve_position' : role}`;
}

const ROLES: readonly MbusRole[] = ['device_type', 'equipment_id', 'value', 'valve'];

/**
 * The ids above, built once: the same string instances every telegram let the id comparisons downstream
 * (repeated-id check) succeed on identity instead of comparing text.
 */
const MEDIUM_IDS: ReadonlyMap<Medium, Readonly<Record<MbusRole, string>>> = new Map(Object.values(MEDIA).map((m) =>
  [m, Object.fromEntries(ROLES.map((r) => [r, roleId(m, r)])) as Record<MbusRole, string>]));
/** DSMR has channels 1..4; a few more cost nothing. */
const FALLBACK_IDS: readonly Readonly<Record<MbusRole, string>>[] = Array.from({ length: 10 }, (_, ch) =>
  Object.fromEntries(ROLES.map((r) => [r, fallbackId(ch, r)])) as Record<MbusRole, string>);

/** DSMR has channels 1..4: per-channel state fits small fixed arrays; more channels take the general path. */
const FEW = 8;

/** Sets `id` on the channel readings from their device types (see module comment). */
export function assignMbusChannelIds(entries: readonly MbusChannelEntry[]): void {
  if (entries.length === 0) return;
  let channels = 0;
  for (const e of entries) if (e.channel >= channels) channels = e.channel + 1;
  // Per channel: device type (-1 = none) and whether anything is connected.
  const n = Math.max(channels, FEW);
  const deviceType: number[] = n === FEW ? [-1, -1, -1, -1, -1, -1, -1, -1] : new Array<number>(n).fill(-1);
  const present: boolean[] = n === FEW ? [false, false, false, false, false, false, false, false] : new Array<boolean>(n).fill(false);
  for (const { channel, role, reading: r } of entries) {
    if (role === 'device_type' && typeof r.value === 'number') deviceType[channel] = r.value;
    else if ((role === 'equipment_id' && r.value !== '') || (role === 'value' && r.timestamp !== undefined)) {
      present[channel] = true;
    }
  }
  // Number media in channel order, so the lowest channel with gas is gas_volume and the next gas_volume_2.
  const ordinal: number[] = n === FEW ? [0, 0, 0, 0, 0, 0, 0, 0] : new Array<number>(n).fill(0);
  const seen: Medium[] = [];
  for (let ch = 0; ch < channels; ch++) {
    const medium = present[ch] ? MEDIA[deviceType[ch]] : undefined;
    if (medium === undefined) continue;
    let k = 1;
    for (const m of seen) if (m.prefix === medium.prefix) k++;
    seen.push(medium);
    ordinal[ch] = k;
  }
  for (const e of entries) {
    const k = ordinal[e.channel];
    const medium = k > 0 ? MEDIA[deviceType[e.channel]] : undefined;
    if (medium) {
      const id = (MEDIUM_IDS.get(medium) as Record<MbusRole, string>)[e.role];
      e.reading.id = k === 1 ? id : `${id}_${k}`;
    } else {
      e.reading.id = e.channel < FALLBACK_IDS.length ? FALLBACK_IDS[e.channel][e.role] : fallbackId(e.channel, e.role);
    }
  }
}
