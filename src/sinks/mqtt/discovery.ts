/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery): one retained
 * config per reading at <discovery>/sensor/meterwire_<meter>/<reading id>/config, all readings of a meter under
 * one device. Device and state classes follow HA's sensor rules: energy and volume counters are
 * total_increasing (the Energy dashboard needs that), instantaneous values are measurements.
 */
import type { MeterMessage, Reading } from '../../core/model/message.js';
import { getProfile } from '../../core/profiles/builtin.js';
import { meterTopics, readingLevel } from './payloads.js';

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

export function sensorClass(r: Reading): SensorClass {
  if (typeof r.value !== 'number') return {};
  if (r.id.startsWith('power_factor')) return { device_class: 'power_factor', state_class: 'measurement' };
  if (r.unit === 'm3' || r.unit === 'l') {
    if (/^gas/.test(r.id)) return { device_class: 'gas', state_class: 'total_increasing' };
    if (/^(hot_)?water/.test(r.id)) return { device_class: 'water', state_class: 'total_increasing' };
    return { device_class: 'volume', state_class: 'total_increasing' };
  }
  return (r.unit && BY_UNIT[r.unit]) || { state_class: 'measurement' };
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

export function discoveryConfig(discovery: string, prefix: string, meter: string, msg: MeterMessage, r: Reading): DiscoveryConfig {
  const topics = meterTopics(prefix, meter);
  const reading = readingLevel(r.id);
  const unit = r.unit ? HA_UNITS[r.unit] ?? r.unit : undefined;
  const payload: Record<string, unknown> = {
    name: r.name,
    unique_id: `meterwire_${meter}_${reading}`,
    object_id: `meterwire_${meter}_${reading}`,
    state_topic: topics.reading(r.id),
    ...(typeof r.value === 'number' && unit ? { unit_of_measurement: unit } : {}),
    ...sensorClass(r),
    availability_topic: topics.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
    device: deviceInfo(msg, meter),
    origin: { name: 'meterwire' },
  };
  return { topic: `${discovery}/sensor/meterwire_${meter}/${reading}/config`, payload };
}
