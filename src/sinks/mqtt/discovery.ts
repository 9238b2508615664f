/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery): one retained
 * config per reading at <discovery>/sensor/meterwire_<meter>/<reading id>/config, all readings of a meter under
 * one device. Device and state classes follow HA's sensor rules: energy and volume counters are
 * total_increasing (the Energy dashboard needs that), instantaneous values are measurements, the meter clock is
 * a timestamp; ids, texts and the clock are diagnostic entities.
 *
 * Entity ids: current HA takes `default_entity_id` ("sensor.<object id>") and ignores the old `object_id`.
 * Availability: every entity lists its meter's topic and the reader connection's topic (the last will) with
 * availability_mode "all", so a reader killed without goodbye makes all its meters unavailable.
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import { getProfile } from '../../core/profiles/builtin.js';
import { lookupObis } from '../../core/obis/registry.js';
import { isDateTimeReading, meterTopics, readingLevel } from './payloads.js';

const MANUFACTURERS: Record<string, string> = {
  KFM: 'Kaifa',
  SAG: 'Sagemcom',
  ISK: 'Iskraemeco',
  LGZ: 'Landis+Gyr',
  SMS: 'Siemens',
  KAM: 'Kamstrup',
  ADN: 'Aidon',
  ELS: 'Elster/Honeywell',
};

/** HA spells some units differently from the meter (DLMS "m3", HA "m³"). */
const HA_UNITS: Record<string, string> = { m3: 'm³', 'm3/h': 'm³/h' };

interface SensorClass {
  device_class?: string;
  state_class?: 'measurement' | 'total_increasing';
  entity_category?: 'diagnostic';
}

const BY_UNIT: Record<string, SensorClass> = {
  Wh: { device_class: 'energy', state_class: 'total_increasing' },
  kWh: { device_class: 'energy', state_class: 'total_increasing' },
  MWh: { device_class: 'energy', state_class: 'total_increasing' },
  GJ: { device_class: 'energy', state_class: 'total_increasing' },
  MJ: { device_class: 'energy', state_class: 'total_increasing' },
  W: { device_class: 'power', state_class: 'measurement' },
  kW: { device_class: 'power', state_class: 'measurement' },
  var: { device_class: 'reactive_power', state_class: 'measurement' },
  kvar: { device_class: 'reactive_power', state_class: 'measurement' },
  // HA rejects state_class measurement for reactive_energy: it is a counter like active energy.
  varh: { device_class: 'reactive_energy', state_class: 'total_increasing' },
  kvarh: { device_class: 'reactive_energy', state_class: 'total_increasing' },
  VA: { device_class: 'apparent_power', state_class: 'measurement' },
  V: { device_class: 'voltage', state_class: 'measurement' },
  A: { device_class: 'current', state_class: 'measurement' },
  Hz: { device_class: 'frequency', state_class: 'measurement' },
};

const quantityOf = (r: Reading) => lookupObis(r.obis)?.quantity;

export function sensorClass(r: Reading): SensorClass {
  if (typeof r.value !== 'number') {
    const clock = quantityOf(r) === 'timestamp' && (isDateTimeReading(r) || r.quality.includes('invalid_timestamp'));
    return clock ? { device_class: 'timestamp', entity_category: 'diagnostic' } : { entity_category: 'diagnostic' };
  }
  if (r.id.startsWith('power_factor')) return { device_class: 'power_factor', state_class: 'measurement' };
  if (r.unit === 'm3' || r.unit === 'l') {
    if (/^gas/.test(r.id)) return { device_class: 'gas', state_class: 'total_increasing' };
    if (/^(hot_)?water/.test(r.id)) return { device_class: 'water', state_class: 'total_increasing' };
    return { device_class: 'volume', state_class: 'total_increasing' };
  }
  const byUnit = r.unit ? BY_UNIT[r.unit] : undefined;
  if (byUnit) return byUnit;
  // HA has no class for apparent energy (VAh); it is still a counter, not a measurement.
  return { state_class: quantityOf(r) === 'apparent_energy' ? 'total_increasing' : 'measurement' };
}

/**
 * A valid HA entity id for the suggestion `default_entity_id` (lower-case letters, digits, single "_" inside).
 * Not one-to-one, and need not be: HA appends "_2" to a taken id; unique_id is what identifies the entity.
 */
export function entityObjectId(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'meterwire';
}

export function deviceInfo(msg: MeterMessage, meter: string): Record<string, unknown> {
  const code = msg.meter.manufacturer?.toUpperCase();
  const manufacturer = code ? MANUFACTURERS[code] ?? code : undefined;
  const model = msg.meter.profile ? getProfile(msg.meter.profile)?.meter : undefined;
  return {
    identifiers: [`meterwire_${meter}`],
    name: `Smart meter ${msg.meter.id ?? meter}`,
    ...(manufacturer ? { manufacturer } : {}),
    ...(model ? { model } : {}),
    serial_number: msg.meter.id ?? meter,
  };
}

export interface DiscoveryConfig {
  topic: string;
  payload: Record<string, unknown>;
}

export interface DiscoveryContext {
  discovery: string;
  prefix: string;
  /** The reader connection's availability topic (its last will). */
  connectionAvailability: string;
}

export function discoveryConfig(ctx: DiscoveryContext, meter: string, msg: MeterMessage, r: Reading): DiscoveryConfig {
  const { discovery } = ctx;
  const topics = meterTopics(ctx.prefix, meter);
  const reading = readingLevel(r.id);
  const unit = r.unit ? HA_UNITS[r.unit] ?? r.unit : undefined;
  const payload: Record<string, unknown> = {
    name: r.name,
    unique_id: `meterwire_${meter}_${reading}`,
    default_entity_id: `sensor.${entityObjectId(`meterwire_${meter}_${reading}`)}`,
    state_topic: topics.reading(r.id),
    ...(typeof r.value === 'number' && unit ? { unit_of_measurement: unit } : {}),
    ...sensorClass(r),
    availability: [topics.availability, ctx.connectionAvailability]
      .map((topic) => ({ topic, payload_available: 'online', payload_not_available: 'offline' })),
    availability_mode: 'all',
    device: deviceInfo(msg, meter),
    origin: { name: 'meterwire' },
  };
  return { topic: `${discovery}/sensor/meterwire_${meter}/${reading}/config`, payload };
}
