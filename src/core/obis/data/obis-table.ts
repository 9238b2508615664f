/**
 * OBIS code table (IEC 62056-61 codes, DSMR 5.0.2 P1 companion standard, Austrian customer-interface documents,
 * NVE/Nordic HAN lists). Knowledge is data (DESIGN §3): the registry only indexes this table.
 *
 * Ids are a public contract (MQTT topics, Home Assistant unique ids, database columns): add entries freely,
 * never rename an existing id.
 *
 * German names follow the wording of the Austrian operators' customer-interface documents
 * ("Wirkenergie Bezug +A", "Wirkenergie Lieferung -A", "Spannung L1", "Strom L1" in the TINETZ description;
 * "Blindenergie", "Momentane Wirkleistung" in the Energienetze Steiermark examples). Bezug = taken from the
 * grid (import), Lieferung = fed into the grid (export).
 */
import type { ObisInfo, Quantity } from '../registry-types.js';

/** One row: the canonical code (`A-B:C.D.E`, F omitted when 255, else `.F`) and what it means. */
export interface ObisEntry extends ObisInfo {
  obis: string;
}

function e(obis: string, id: string, name: string, nameDe: string, quantity: Quantity, unit?: string): ObisEntry {
  return unit === undefined ? { obis, id, name, nameDe, quantity } : { obis, id, name, nameDe, quantity, unit };
}

/** Totals and tariff registers 1–4 of one energy register (C), e.g. 1.8.0, 1.8.1 … 1.8.4. */
function registers(c: number, id: string, name: string, nameDe: string, quantity: Quantity, unit: string): ObisEntry[] {
  const out = [e(`1-0:${c}.8.0`, id, name, nameDe, quantity, unit)];
  for (let t = 1; t <= 4; t++) {
    out.push(e(`1-0:${c}.8.${t}`, `${id}_t${t}`, `${name} tariff ${t}`, `${nameDe} Tarif ${t}`, quantity, unit));
  }
  return out;
}

/** The same instantaneous/energy quantity per phase: C values for L1, L2, L3. */
function phases(cs: [number, number, number], d: number, id: string, name: string, nameDe: string,
  quantity: Quantity, unit?: string): ObisEntry[] {
  return cs.map((c, i) =>
    e(`1-0:${c}.${d}.0`, `${id}_l${i + 1}`, `${name} L${i + 1}`, `${nameDe} L${i + 1}`, quantity, unit));
}

/** DSMR/COSEM M-Bus channel objects, B = 1…4. */
function mbusChannels(): ObisEntry[] {
  const out: ObisEntry[] = [];
  for (let b = 1; b <= 4; b++) {
    out.push(
      e(`0-${b}:24.1.0`, `mbus${b}_device_type`, `M-Bus channel ${b} device type`, `M-Bus Kanal ${b} Gerätetyp`, 'count'),
      e(`0-${b}:96.1.0`, `mbus${b}_equipment_id`, `M-Bus channel ${b} equipment id`,
        `M-Bus Kanal ${b} Geräte-ID`, 'text'),
      e(`0-${b}:24.2.1`, `mbus${b}_reading`, `M-Bus channel ${b} reading`, `M-Bus Kanal ${b} Zählerstand`, 'volume', 'm3'),
      e(`0-${b}:24.2.3`, `mbus${b}_reading_nc`, `M-Bus channel ${b} reading (not temperature corrected)`,
        `M-Bus Kanal ${b} Zählerstand (nicht temperaturkorrigiert)`, 'volume', 'm3'),
      e(`0-${b}:24.4.0`, `mbus${b}_valve_position`, `M-Bus channel ${b} valve position`,
        `M-Bus Kanal ${b} Ventilstellung`, 'count'),
      // DSMR 2.2/3.0 gas: 0-1:24.3.0 profile line (value on a continuation line).
      e(`0-${b}:24.3.0`, `mbus${b}_reading_legacy`, `M-Bus channel ${b} reading (DSMR 2/3 profile)`,
        `M-Bus Kanal ${b} Zählerstand (DSMR 2/3)`, 'volume', 'm3'),
    );
  }
  return out;
}

export const OBIS_TABLE: readonly ObisEntry[] = [
  // --- energy registers ---------------------------------------------------------------------------------
  ...registers(1, 'energy_import', 'Active energy import (+A)', 'Wirkenergie Bezug (+A)', 'energy', 'Wh'),
  ...registers(2, 'energy_export', 'Active energy export (-A)', 'Wirkenergie Lieferung (-A)', 'energy', 'Wh'),
  ...registers(3, 'reactive_energy_import', 'Reactive energy import (+R)', 'Blindenergie Bezug (+R)',
    'reactive_energy', 'varh'),
  ...registers(4, 'reactive_energy_export', 'Reactive energy export (-R)', 'Blindenergie Lieferung (-R)',
    'reactive_energy', 'varh'),
  ...registers(9, 'apparent_energy_import', 'Apparent energy import', 'Scheinenergie Bezug', 'apparent_energy', 'VAh'),
  ...registers(10, 'apparent_energy_export', 'Apparent energy export', 'Scheinenergie Lieferung', 'apparent_energy',
    'VAh'),
  ...registers(15, 'energy_absolute', 'Active energy absolute (|+A|+|-A|)', 'Wirkenergie Betrag (|+A|+|-A|)',
    'energy', 'Wh'),
  ...registers(16, 'energy_net', 'Active energy net (+A-A)', 'Wirkenergie saldiert (+A-A)', 'energy', 'Wh'),
  // Reactive energy per quadrant (Q1…Q4), as some E450/Kamstrup lists send.
  e('1-0:5.8.0', 'reactive_energy_q1', 'Reactive energy QI', 'Blindenergie QI', 'reactive_energy', 'varh'),
  e('1-0:6.8.0', 'reactive_energy_q2', 'Reactive energy QII', 'Blindenergie QII', 'reactive_energy', 'varh'),
  e('1-0:7.8.0', 'reactive_energy_q3', 'Reactive energy QIII', 'Blindenergie QIII', 'reactive_energy', 'varh'),
  e('1-0:8.8.0', 'reactive_energy_q4', 'Reactive energy QIV', 'Blindenergie QIV', 'reactive_energy', 'varh'),
  ...phases([21, 41, 61], 8, 'energy_import', 'Active energy import (+A)', 'Wirkenergie Bezug (+A)', 'energy', 'Wh'),
  ...phases([22, 42, 62], 8, 'energy_export', 'Active energy export (-A)', 'Wirkenergie Lieferung (-A)', 'energy',
    'Wh'),
  ...phases([23, 43, 63], 8, 'reactive_energy_import', 'Reactive energy import (+R)', 'Blindenergie Bezug (+R)',
    'reactive_energy', 'varh'),
  ...phases([24, 44, 64], 8, 'reactive_energy_export', 'Reactive energy export (-R)', 'Blindenergie Lieferung (-R)',
    'reactive_energy', 'varh'),
  // Netz OÖ AMIS "Inkassozählwerk" (billing register), per the Netz OÖ customer-interface FAQ.
  e('1-0:1.128.0', 'energy_import_billing', 'Active energy import, billing register', 'Inkassozählwerk',
    'energy', 'Wh'),

  // --- instantaneous power ------------------------------------------------------------------------------
  e('1-0:1.7.0', 'power_import', 'Active power import (+P)', 'Momentane Wirkleistung Bezug (+P)', 'power', 'W'),
  e('1-0:2.7.0', 'power_export', 'Active power export (-P)', 'Momentane Wirkleistung Lieferung (-P)', 'power', 'W'),
  e('1-0:3.7.0', 'reactive_power_import', 'Reactive power import (+Q)', 'Momentane Blindleistung Bezug (+Q)',
    'reactive_power', 'var'),
  e('1-0:4.7.0', 'reactive_power_export', 'Reactive power export (-Q)', 'Momentane Blindleistung Lieferung (-Q)',
    'reactive_power', 'var'),
  e('1-0:9.7.0', 'apparent_power_import', 'Apparent power import', 'Momentane Scheinleistung Bezug',
    'apparent_power', 'VA'),
  e('1-0:10.7.0', 'apparent_power_export', 'Apparent power export', 'Momentane Scheinleistung Lieferung',
    'apparent_power', 'VA'),
  e('1-0:16.7.0', 'power_net', 'Active power net (+P-P)', 'Momentane Wirkleistung saldiert', 'power', 'W'),
  ...phases([21, 41, 61], 7, 'power_import', 'Active power import (+P)', 'Momentane Wirkleistung Bezug (+P)',
    'power', 'W'),
  ...phases([22, 42, 62], 7, 'power_export', 'Active power export (-P)', 'Momentane Wirkleistung Lieferung (-P)',
    'power', 'W'),
  ...phases([23, 43, 63], 7, 'reactive_power_import', 'Reactive power import (+Q)',
    'Momentane Blindleistung Bezug (+Q)', 'reactive_power', 'var'),
  ...phases([24, 44, 64], 7, 'reactive_power_export', 'Reactive power export (-Q)',
    'Momentane Blindleistung Lieferung (-Q)', 'reactive_power', 'var'),
  ...phases([29, 49, 69], 7, 'apparent_power_import', 'Apparent power import', 'Momentane Scheinleistung Bezug',
    'apparent_power', 'VA'),
  ...phases([36, 56, 76], 7, 'power', 'Active power', 'Momentane Wirkleistung', 'power', 'W'),

  // --- voltage, current, power factor, frequency --------------------------------------------------------
  ...phases([32, 52, 72], 7, 'voltage', 'Voltage', 'Spannung', 'voltage', 'V'),
  ...phases([31, 51, 71], 7, 'current', 'Current', 'Strom', 'current', 'A'),
  e('1-0:11.7.0', 'current_any_phase', 'Current (any phase)', 'Strom (beliebige Phase)', 'current', 'A'),
  e('1-0:90.7.0', 'current_sum', 'Current (sum of phases)', 'Strom (Summe der Phasen)', 'current', 'A'),
  e('1-0:91.7.0', 'current_neutral', 'Current neutral', 'Strom Neutralleiter', 'current', 'A'),
  e('1-0:12.7.0', 'voltage_any_phase', 'Voltage (any phase)', 'Spannung (beliebige Phase)', 'voltage', 'V'),
  e('1-0:13.7.0', 'power_factor', 'Power factor', 'Leistungsfaktor', 'power_factor'),
  ...phases([33, 53, 73], 7, 'power_factor', 'Power factor', 'Leistungsfaktor', 'power_factor'),
  e('1-0:14.7.0', 'frequency', 'Frequency', 'Frequenz', 'frequency', 'Hz'),
  e('1-0:81.7.1', 'angle_u_l2_u_l1', 'Phase angle U(L2)-U(L1)', 'Phasenwinkel U(L2)-U(L1)', 'angle', '°'),
  e('1-0:81.7.2', 'angle_u_l3_u_l1', 'Phase angle U(L3)-U(L1)', 'Phasenwinkel U(L3)-U(L1)', 'angle', '°'),
  // Angle between voltage and current of one phase (Netz Burgenland E450 list, Österreichs Energie data model).
  e('1-0:81.7.40', 'angle_u_i_l1', 'Phase angle U(L1)-I(L1)', 'Phasenwinkel U(L1)-I(L1)', 'angle', '°'),
  e('1-0:81.7.51', 'angle_u_i_l2', 'Phase angle U(L2)-I(L2)', 'Phasenwinkel U(L2)-I(L2)', 'angle', '°'),
  e('1-0:81.7.62', 'angle_u_i_l3', 'Phase angle U(L3)-I(L3)', 'Phasenwinkel U(L3)-I(L3)', 'angle', '°'),

  // --- demand (Belgian DSMR, capacity tariff) -----------------------------------------------------------
  e('1-0:1.4.0', 'current_average_demand', 'Current average demand (+P, 15 min)',
    'Aktueller Leistungsmittelwert Bezug (+P)', 'power', 'kW'),
  e('1-0:1.6.0', 'max_demand_month', 'Maximum demand this month (+P)', 'Maximaler Leistungsmittelwert Monat (+P)',
    'power', 'kW'),
  e('0-0:98.1.0', 'max_demand_history', 'Maximum demand, last 13 months', 'Maximaler Leistungsmittelwert, 13 Monate',
    'power', 'kW'),
  e('1-0:31.4.0', 'current_limit', 'Current limit (fuse)', 'Stromgrenzwert', 'current', 'A'),

  // --- DSMR header objects ------------------------------------------------------------------------------
  e('1-3:0.2.8', 'dsmr_version', 'DSMR version', 'DSMR-Version', 'text'),
  e('0-0:96.1.4', 'version', 'Version information (Belgian e-MUCS)', 'Versionsinformation', 'text'),
  e('0-0:1.0.0', 'timestamp', 'Date and time (clock)', 'Datum und Uhrzeit', 'timestamp'),
  e('0-0:96.1.1', 'equipment_id', 'Equipment identifier', 'Geräte-ID', 'text'),
  e('0-0:96.1.0', 'meter_number', 'Meter number (operator)', 'Zählernummer des Netzbetreibers', 'text'),
  e('0-0:96.1.2', 'meter_id_2', 'Device id 2', 'Geräte-ID 2', 'text'),
  e('0-0:96.1.3', 'meter_id_3', 'Device id 3', 'Geräte-ID 3', 'text'),
  e('0-0:96.1.7', 'meter_type', 'Meter type', 'Zählertyp', 'text'),
  e('0-0:42.0.0', 'logical_device_name', 'COSEM logical device name', 'COSEM Logical Device Name', 'text'),
  e('0-0:96.14.0', 'tariff_indicator', 'Tariff indicator', 'Tarifanzeige', 'count'),
  e('0-0:96.3.10', 'breaker_state', 'Breaker state', 'Schaltzustand Trennrelais', 'count'),
  e('0-0:17.0.0', 'power_threshold', 'Power threshold (limiter)', 'Leistungsbegrenzung Schwellwert', 'power', 'kW'),
  e('0-0:96.7.21', 'power_failures', 'Number of power failures', 'Anzahl Spannungsausfälle', 'count'),
  e('0-0:96.7.9', 'long_power_failures', 'Number of long power failures', 'Anzahl langer Spannungsausfälle', 'count'),
  e('1-0:99.97.0', 'power_failure_log', 'Power failure event log', 'Protokoll langer Spannungsausfälle', 'text'),
  ...phases([32, 52, 72], 32, 'voltage_sags', 'Number of voltage sags', 'Anzahl Spannungseinbrüche', 'count'),
  ...phases([32, 52, 72], 36, 'voltage_swells', 'Number of voltage swells', 'Anzahl Spannungsspitzen', 'count'),
  e('0-0:96.13.0', 'text_message', 'Text message', 'Textnachricht (Kundeninformation)', 'text'),
  e('0-0:96.13.1', 'text_message_code', 'Text message code', 'Nachrichtencode (Kundeninformation)', 'text'),
  e('0-0:96.50.68', 'breaker_state_2', 'Breaker state (Fluvius)', 'Schaltzustand (Fluvius)', 'count'),

  // --- Nordic HAN and other identification objects ------------------------------------------------------
  // NVE list version identifier, sent with B=1 by Aidon ("1.1.0.2.129.255", AIDON_V0001) and Kamstrup.
  e('1-1:0.2.129', 'list_version', 'OBIS list version identifier', 'OBIS-Listenversion', 'text'),
  e('1-1:0.0.5', 'gs1_meter_id', 'Meter id (GS1)', 'Zähler-ID (GS1)', 'text'),
  e('1-1:96.1.1', 'meter_type', 'Meter type', 'Zählertyp', 'text'),
  // Kamstrup (DK) "Meter ID 1" (1.1.0.0.1.255): a number in the Omnipower list; meaning not documented publicly.
  e('1-1:0.0.1', 'meter_id_1', 'Meter id 1', 'Zähler-ID 1', 'text'),
  e('1-0:0.2.0', 'firmware_version', 'Firmware version', 'Firmware-Version', 'text'),
  e('1-0:0.0.0', 'device_address', 'Device address', 'Geräteadresse', 'text'),
  e('0-0:96.1.9', 'firmware_version_core', 'Firmware version (core)', 'Firmware-Version (Kern)', 'text'),
  // 0-x:25.9.0 is the COSEM push setup object (IEC 62056-6-2). Kärnten AM550 and L+G E450 pushes carry its
  // logical name as the first element; one community decoder guessed "firmware version" for it.
  e('0-6:25.9.0', 'push_setup', 'Push setup id', 'Push-Setup-Kennung', 'text'),
  e('0-0:25.9.0', 'push_setup', 'Push setup id', 'Push-Setup-Kennung', 'text'),
  e('0-8:25.9.0', 'push_setup', 'Push setup id', 'Push-Setup-Kennung', 'text'),
  e('0-0:0.9.1', 'local_time', 'Local time', 'Uhrzeit', 'timestamp'),
  e('0-0:0.9.2', 'local_date', 'Local date', 'Datum', 'timestamp'),

  ...mbusChannels(),
];
