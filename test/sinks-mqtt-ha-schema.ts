/**
 * Home Assistant's MQTT sensor discovery schema as a table, written from HA's documentation and source
 * (home-assistant.io integrations/sensor.mqtt and mqtt; core homeassistant/components/mqtt schemas and
 * abbreviations, homeassistant/components/sensor/const.py DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES,
 * as of HA 2026.4 where `object_id` was dropped for `default_entity_id`). `validateSensorConfig` returns the
 * problems HA would reject or warn about, so a test can show them all at once.
 */

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = (v) => Number.isInteger(v);

/** A topic HA subscribes to: no empty string, no NUL, wildcards only as whole levels (we publish none at all). */
export const plainTopic = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && !/[+#\0]/.test(v) && v.length <= 65535;

/** HA's valid entity id: <domain>.<object id>, lower-case letters, digits and single underscores inside. */
export const ENTITY_ID = /^sensor\.(?!_)(?!.*__)[a-z0-9_]+(?<!_)$/;

const DEVICE_KEYS: Record<string, Check> = {
  configuration_url: str, connections: Array.isArray, hw_version: str, identifiers: (v) => str(v) || (Array.isArray(v) && v.every(str)),
  manufacturer: str, model: str, model_id: str, name: str, serial_number: str, suggested_area: str, sw_version: str, via_device: str,
};
const ORIGIN_KEYS: Record<string, Check> = { name: str, sw_version: str, support_url: str };
const AVAILABILITY_ITEM_KEYS: Record<string, Check> = { topic: plainTopic, payload_available: str, payload_not_available: str, value_template: str };

/** Every key an MQTT sensor accepts (full names; we publish no abbreviations). `object_id` is gone since 2026.4. */
export const SENSOR_KEYS: Record<string, Check> = {
  availability: (v) => Array.isArray(v) && v.length > 0,
  availability_mode: (v) => ['all', 'any', 'latest'].includes(v as string),
  availability_template: str, availability_topic: plainTopic,
  default_entity_id: (v) => typeof v === 'string' && ENTITY_ID.test(v),
  device: (v) => typeof v === 'object' && v !== null,
  device_class: str, enabled_by_default: bool, encoding: str,
  entity_category: (v) => v === 'diagnostic', // 'config' is not allowed for sensors
  entity_picture: str, expire_after: int, force_update: bool, icon: str,
  json_attributes_template: str, json_attributes_topic: plainTopic, last_reset_value_template: str,
  name: (v) => v === null || str(v), options: Array.isArray, origin: (v) => typeof v === 'object' && v !== null,
  payload_available: str, payload_not_available: str, platform: (v) => v === 'sensor', qos: (v) => [0, 1, 2].includes(v as number),
  state_class: (v) => ['measurement', 'measurement_angle', 'total', 'total_increasing'].includes(v as string),
  state_topic: plainTopic, suggested_display_precision: int, unique_id: str, unit_of_measurement: str, value_template: str,
};

const TOTALS = ['total', 'total_increasing'];
/** device class → [allowed units (null: none), allowed state classes (empty: none)]. */
export const DEVICE_CLASSES: Record<string, [units: (string | null)[], stateClasses: string[]]> = {
  energy: [['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'], TOTALS],
  power: [['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'], ['measurement']],
  reactive_energy: [['varh', 'kvarh'], TOTALS],
  reactive_power: [['mvar', 'var', 'kvar'], ['measurement']],
  apparent_power: [['mVA', 'VA', 'kVA'], ['measurement']],
  voltage: [['µV', 'mV', 'V', 'kV', 'MV'], ['measurement']],
  current: [['mA', 'A'], ['measurement']],
  frequency: [['Hz', 'kHz', 'MHz', 'GHz'], ['measurement']],
  power_factor: [['%', null], ['measurement']],
  gas: [['m³', 'ft³', 'CCF', 'MCF', 'L'], TOTALS],
  water: [['m³', 'ft³', 'CCF', 'MCF', 'gal', 'L'], TOTALS],
  volume: [['L', 'mL', 'gal', 'fl. oz.', 'm³', 'ft³', 'CCF', 'MCF'], TOTALS],
  timestamp: [[null], []],
};

/** What HA's timestamp sensor parses: ISO 8601 with a zone. */
export const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;

function keys(where: string, obj: Record<string, unknown>, table: Record<string, Check>, problems: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!(k in table)) problems.push(`${where}: unknown key ${k}`);
    else if (!table[k](v)) problems.push(`${where}: bad value for ${k}: ${JSON.stringify(v)}`);
  }
}

/** Problems of one sensor discovery config and the state it will receive (empty when HA accepts both). */
export function validateSensorConfig(topic: string, c: Record<string, unknown>, state: string | undefined): string[] {
  const problems: string[] = [];
  if (!/^[^/+#]+\/sensor\/([a-zA-Z0-9_-]+\/)?[a-zA-Z0-9_-]+\/config$/.test(topic)) problems.push(`discovery topic ${topic}`);
  keys('config', c, SENSOR_KEYS, problems);
  if (!plainTopic(c.state_topic)) problems.push('state_topic is required');
  if (c.availability && c.availability_topic) problems.push('availability and availability_topic are exclusive');
  for (const a of (Array.isArray(c.availability) ? c.availability : []) as Record<string, unknown>[]) {
    keys('availability item', a, AVAILABILITY_ITEM_KEYS, problems);
    if (!plainTopic(a.topic)) problems.push('availability item needs a topic');
  }
  if (c.device) {
    const d = c.device as Record<string, unknown>;
    keys('device', d, DEVICE_KEYS, problems);
    if (!d.identifiers && !d.connections) problems.push('device needs identifiers or connections');
    if (!c.unique_id) problems.push('a device needs the entity to have a unique_id');
  }
  if (c.origin) {
    keys('origin', c.origin as Record<string, unknown>, ORIGIN_KEYS, problems);
    if (!str((c.origin as Record<string, unknown>).name)) problems.push('origin needs a name');
  }
  const unit = (c.unit_of_measurement as string | undefined) ?? null;
  const sc = c.state_class as string | undefined;
  const dc = c.device_class as string | undefined;
  if (dc !== undefined) {
    const rule = DEVICE_CLASSES[dc];
    if (!rule) problems.push(`device_class ${dc} is not one this table knows`);
    else {
      if (!rule[0].includes(unit)) problems.push(`device_class ${dc} does not take unit ${JSON.stringify(unit)}`);
      if (sc !== undefined && !rule[1].includes(sc)) problems.push(`device_class ${dc} does not take state_class ${sc}`);
    }
  }
  const numeric = sc !== undefined || unit !== null || (dc !== undefined && dc !== 'timestamp');
  if (state !== undefined) {
    if (numeric && !(state !== '' && Number.isFinite(Number(state)))) problems.push(`numeric sensor gets ${JSON.stringify(state)}`);
    if (dc === 'timestamp' && state !== 'None' && !(ISO_WITH_OFFSET.test(state) && Number.isFinite(Date.parse(state)))) {
      problems.push(`timestamp sensor gets ${JSON.stringify(state)}`);
    }
  }
  return problems;
}
