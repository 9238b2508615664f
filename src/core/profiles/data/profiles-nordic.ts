/** Built-in profiles: Nordic HAN ports (NO, SE, DK). Sources: see builtin-profiles.ts. */
import type { PositionalField, PositionalLayout, Profile } from '../types.js';
import { MBUS_2400_8E1, MBUS_2400_8N1, P1_115200_8N1, TIMESTAMP, u32 } from './building-blocks.js';

/**
 * Kaifa Norway (MA105H2E single-phase, MA304H3E three-phase) value lists without OBIS ([amshan] han/kaifa.py);
 * every value is a uint32 in the captures ([vectors], [amsreader] #180/#242/#493, [amshan] tests).
 */
const KAIFA_NO_HEAD: PositionalField[] = [
  { obis: '1-1:0.2.129', type: 'text' }, // OBIS list version identifier, e.g. "KFM_001"
  { obis: '0-0:96.1.0', role: 'meter-id', type: 'text' }, // meter id (GS1)
  { obis: '0-0:96.1.7', type: 'text' }, // meter type, e.g. "MA304H3E"
  u32('1-0:1.7.0', 'W'), u32('1-0:2.7.0', 'W'), u32('1-0:3.7.0', 'var'), u32('1-0:4.7.0', 'var'),
];
const kaifaCurrent = (obis: string): PositionalField => u32(obis, 'A', -3);
const kaifaVoltage = (obis: string): PositionalField => u32(obis, 'V', -1);
/** Hourly energies: uint32 in the captures, uint64 in one amsreader list 3 (#242), so any unsigned width. */
const kaifaEnergy = (obis: string, unit: string): PositionalField => ({ obis, scaler: 0, unit, type: 'unsigned' });
const KAIFA_NO_HOURLY: PositionalField[] = [
  TIMESTAMP,
  kaifaEnergy('1-0:1.8.0', 'Wh'), kaifaEnergy('1-0:2.8.0', 'Wh'), kaifaEnergy('1-0:3.8.0', 'varh'), kaifaEnergy('1-0:4.8.0', 'varh'),
];
const KAIFA_NO_1PH = [...KAIFA_NO_HEAD, kaifaCurrent('1-0:31.7.0'), kaifaVoltage('1-0:32.7.0')];
const KAIFA_NO_3PH = [
  ...KAIFA_NO_HEAD,
  kaifaCurrent('1-0:31.7.0'), kaifaCurrent('1-0:51.7.0'), kaifaCurrent('1-0:71.7.0'),
  kaifaVoltage('1-0:32.7.0'), kaifaVoltage('1-0:52.7.0'), kaifaVoltage('1-0:72.7.0'),
];
const KAIFA_NO_LAYOUTS: PositionalLayout[] = [
  { elements: 1, fields: [u32('1-0:1.7.0', 'W')] }, // list 1
  { elements: 9, fields: KAIFA_NO_1PH }, // list 2, single phase
  { elements: 13, fields: KAIFA_NO_3PH }, // list 2, three phase (the MA304H3E capture in [vectors])
  { elements: 14, fields: [...KAIFA_NO_1PH, ...KAIFA_NO_HOURLY] }, // list 3, single phase
  { elements: 18, fields: [...KAIFA_NO_3PH, ...KAIFA_NO_HOURLY] }, // list 3, three phase
];

/** Kamstrup HAN lists send {OBIS, value} without scaler-unit ([amshan] han/kamstrup.py `_field_scaling_standard`). */
/** L+G E450 {OBIS, value} lists carry no scaler_unit; the values are whole Wh/W/varh/var ([vectors] stanz: Wh, W). */
const KAMSTRUP_NO_SCALERS: Profile['scalers'] = {
  '1-1:31.7.0': { scaler: -2, unit: 'A' },
  '1-1:51.7.0': { scaler: -2, unit: 'A' },
  '1-1:71.7.0': { scaler: -2, unit: 'A' },
  '1-1:32.7.0': { scaler: 0, unit: 'V' },
  '1-1:52.7.0': { scaler: 0, unit: 'V' },
  '1-1:72.7.0': { scaler: 0, unit: 'V' },
  '1-1:1.7.0': { scaler: 0, unit: 'W' },
  '1-1:2.7.0': { scaler: 0, unit: 'W' },
  '1-1:3.7.0': { scaler: 0, unit: 'var' },
  '1-1:4.7.0': { scaler: 0, unit: 'var' },
  '1-1:1.8.0': { scaler: 1, unit: 'Wh' },
  '1-1:2.8.0': { scaler: 1, unit: 'Wh' },
  '1-1:3.8.0': { scaler: 1, unit: 'varh' },
  '1-1:4.8.0': { scaler: 1, unit: 'varh' },
};

/**
 * Danish Kamstrup Omnipower list. Current 0.01 A and power factor 0.01 are checked against the capture in
 * [vectors] (I·U sums to the apparent power; 1083 W / 1300 VA = 0.83 ↔ raw 83). Energies are left at Wh:
 * not verified (the capture's per-phase energies sum to the total, which does not tell the unit).
 */
const KAMSTRUP_DK_SCALERS: Profile['scalers'] = {
  '1-1:31.7.0': { scaler: -2, unit: 'A' },
  '1-1:51.7.0': { scaler: -2, unit: 'A' },
  '1-1:71.7.0': { scaler: -2, unit: 'A' },
  '1-1:32.7.0': { scaler: 0, unit: 'V' },
  '1-1:52.7.0': { scaler: 0, unit: 'V' },
  '1-1:72.7.0': { scaler: 0, unit: 'V' },
  '1-1:13.7.0': { scaler: -2 },
  '1-1:33.7.0': { scaler: -2 },
  '1-1:53.7.0': { scaler: -2 },
  '1-1:73.7.0': { scaler: -2 },
  '1-1:1.7.0': { scaler: 0, unit: 'W' },
  '1-1:2.7.0': { scaler: 0, unit: 'W' },
  '1-1:3.7.0': { scaler: 0, unit: 'var' },
  '1-1:4.7.0': { scaler: 0, unit: 'var' },
  '1-1:21.7.0': { scaler: 0, unit: 'W' },
  '1-1:41.7.0': { scaler: 0, unit: 'W' },
  '1-1:61.7.0': { scaler: 0, unit: 'W' },
  '1-1:1.8.0': { scaler: 0, unit: 'Wh' },
  '1-1:2.8.0': { scaler: 0, unit: 'Wh' },
  '1-1:3.8.0': { scaler: 0, unit: 'varh' },
  '1-1:4.8.0': { scaler: 0, unit: 'varh' },
};

export const NORDIC_PROFILES: readonly Profile[] = [
  {
    id: 'no-aidon',
    meter: 'Aidon 6515/6525/6534/6540 (HAN)',
    operator: 'Norwegian DSOs (Elvia, Tensio, …)',
    country: 'NO',
    framing: 'hdlc',
    serial: MBUS_2400_8E1,
    keys: [],
    payload: 'obis-structures',
    intervalMs: 2500,
    timezone: 'Europe/Oslo',
    notes: 'NVE HAN lists: list 1 every 2.5 s, list 2 every 10 s, list 3 every hour ([ams-wiki]). Unencrypted ' +
      'HDLC, array of {OBIS, value, scaler-unit} with list version 1.1.0.2.129.255 "AIDON_V0001" ([vectors]). ' +
      'M-Bus 2400 baud ([aidon-no]), even parity as M-Bus (EN 13757-2) characters have.',
  },
  {
    id: 'no-kaifa',
    meter: 'Kaifa MA105H2E (single phase), MA304H3E/MA304H4 (three phase)',
    operator: 'Norwegian DSOs',
    country: 'NO',
    framing: 'hdlc',
    serial: MBUS_2400_8E1,
    keys: [],
    payload: 'positional',
    intervalMs: 2000,
    timezone: 'Europe/Oslo',
    layouts: KAIFA_NO_LAYOUTS,
    match: { elements: [1, 9, 13, 14, 18], framing: ['hdlc'] },
    notes: 'Value lists without OBIS; order and scalers (current 0.001 A, voltage 0.1 V) from [amshan] han/' +
      'kaifa.py; the 13-element MA304H3E capture in [vectors] fits (1416 → 1.416 A, 2385 → 238.5 V). Its ' +
      'date-time carries an extra 0x09 tag. List 1 every 2 s, list 2 every 10 s, list 3 hourly ([kaifa-no]); ' +
      '2400 baud ([kaifa-no]), 8E1 as captured in amsreader issue #493.',
  },
  {
    id: 'no-kamstrup',
    meter: 'Kamstrup Omnipower (HAN, Norway/Sweden lists)',
    operator: 'Norwegian DSOs',
    country: 'NO',
    framing: 'hdlc',
    serial: MBUS_2400_8N1,
    keys: [],
    payload: 'obis-flat',
    intervalMs: 10000,
    timezone: 'Europe/Oslo',
    scalers: KAMSTRUP_NO_SCALERS,
    // list 2: version + 12 pairs (three phase) = 25, + 8 pairs (single phase) = 17; list 3 adds clock + 4 energies.
    match: { elements: [17, 25, 27, 35], framing: ['hdlc'] },
    notes: 'Flat {OBIS, value} list with B=1 codes and no scaler-unit; currents 0.01 A, voltages 1 V, energies ' +
      'in 10 Wh ([amshan] han/kamstrup.py; CT meters, type starting "685", send currents in 0.001 A, which this ' +
      'profile does not cover). Kamstrup sends no list 1; list 2 every 10 s ([ams-wiki]). 2400 8N1 UNVERIFIED here.',
  },
  {
    id: 'se-aidon',
    meter: 'Aidon 6534 and other Swedish HAN meters',
    operator: 'Swedish DSOs (Ellevio, Vattenfall Eldistribution, …)',
    country: 'SE',
    framing: 'dsmr',
    serial: P1_115200_8N1,
    keys: [],
    payload: 'dsmr',
    intervalMs: 10000,
    timezone: 'Europe/Stockholm',
    match: { framing: ['dsmr'], dsmrHeader: '^/ADN' },
    dsmrCrc: false,
    notes: 'Aidon "RJ12 HAN-gränssnitt funktionsbeskrivning" v1.6 ([aidon-se]): 115200 8N1, a list every 10 s, ' +
      'either DLMS/COSEM in HDLC (decoded as no-aidon) or IEC 62056-21 mode D ASCII with identification ' +
      '"/ADN9 6534" (also 6511/6550/6560) whose examples end "!" without a CRC: such telegrams are flagged ' +
      'crc_absent, not refused. The real Swedish Aidon captures seen are all HDLC.',
  },
  {
    id: 'dk-kamstrup-omnipower',
    meter: 'Kamstrup Omnipower (Danish HAN, encrypted)',
    operator: 'Danish DSOs (Radius, N1, …)',
    country: 'DK',
    framing: 'hdlc',
    serial: MBUS_2400_8N1,
    keys: ['GUEK', 'GAK'],
    payload: 'obis-flat',
    intervalMs: 10000,
    timezone: 'Europe/Copenhagen',
    scalers: KAMSTRUP_DK_SCALERS,
    match: { manufacturers: ['KAM'], framing: ['hdlc'] },
    securityControls: [0x30],
    notes: 'Single HDLC frame, SC 0x30 (auth+enc), 65 elements: list version + 32 {OBIS, value} pairs ([vectors]). ' +
      'Sent every 10 s ([ams-wiki]). Serial settings UNVERIFIED (as Norwegian Kamstrup).',
  },
];
