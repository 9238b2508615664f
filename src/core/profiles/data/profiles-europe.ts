/**
 * Built-in profiles: Switzerland, Cyprus, Slovenia (and Landis+Gyr self-describing pushes wherever they occur).
 * Sources: see builtin-profiles.ts; the captures named here are in other projects' public test suites.
 */
import type { PositionalField, PositionalLayout, Profile } from '../types.js';
import { MBUS_2400_8E1, P1_115200_8N1, u16, u32 } from './building-blocks.js';

/** Register scalers of self-describing pushes: not on the wire, so per manufacturer ([scs] tests, [research] §4). */
function pushScalers(voltage: number): NonNullable<Profile['scalers']> {
  const out: NonNullable<Profile['scalers']> = {};
  for (const b of [0, 1]) {
    for (const c of [1, 2, 15, 16]) for (const t of [0, 1, 2, 3, 4]) out[`1-${b}:${c}.8.${t}`] = { scaler: 0, unit: 'Wh' };
    for (const c of [3, 4]) for (const t of [0, 1, 2, 3, 4]) out[`1-${b}:${c}.8.${t}`] = { scaler: 0, unit: 'varh' };
    for (const c of [5, 6, 7, 8]) out[`1-${b}:${c}.8.0`] = { scaler: 0, unit: 'varh' };
    for (const c of [1, 2, 16, 21, 22, 41, 42, 61, 62]) out[`1-${b}:${c}.7.0`] = { scaler: 0, unit: 'W' };
    for (const c of [3, 4]) out[`1-${b}:${c}.7.0`] = { scaler: 0, unit: 'var' };
    for (const c of [32, 52, 72]) out[`1-${b}:${c}.7.0`] = { scaler: voltage, unit: 'V' };
    for (const c of [31, 51, 71]) out[`1-${b}:${c}.7.0`] = { scaler: -2, unit: 'A' };
    out[`1-${b}:13.7.0`] = { scaler: -3 };
  }
  return out;
}

const LDN: PositionalField = { obis: '0-0:42.0.0', role: 'meter-id', type: 'octet-string[16]' };
const SI_ID: PositionalField = { obis: '0-0:96.1.2', type: 'text' };
const siVoltage = (obis: string): PositionalField => u16(obis, 'V', -1);
const siCurrent = (obis: string): PositionalField => u16(obis, 'A', -2);
const SI_PQ: PositionalField[] = [u32('1-0:1.7.0', 'W'), u32('1-0:2.7.0', 'W'), u32('1-0:3.7.0', 'var'), u32('1-0:4.7.0', 'var')];

/**
 * Slovenian Iskraemeco AM550 positional lists ([research] §3: [amsreader] fixtures of issues #615/#869/#956,
 * [node-dsmr] ECEList1/ECEList2 and their test telegrams, [shrdzm] "Slovenia unencrypted AM550"). Every list
 * but the 4-element one starts with the 16-character logical device name ("ISK…"), which with the element
 * types tells them from the Norwegian Kaifa and the Kärnten lists.
 */
const SI_LAYOUTS: PositionalLayout[] = [
  // 18: instantaneous values ("ECE list 1", Elektro Ljubljana, every 1–5 s).
  { elements: 18, fields: [LDN, SI_ID, ...SI_PQ, ...['1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0'].map(siVoltage),
    ...['1-0:31.7.0', '1-0:51.7.0', '1-0:71.7.0'].map(siCurrent),
    ...['1-0:21.7.0', '1-0:41.7.0', '1-0:61.7.0', '1-0:22.7.0', '1-0:42.7.0', '1-0:62.7.0'].map((o) => u32(o, 'W'))] },
  // 12: energy registers ("ECE list 2", every 15 min).
  { elements: 12, fields: [LDN, SI_ID, { obis: '0-0:96.3.10', type: ['enum', 'boolean'] }, { obis: '0-0:96.14.0', type: 'octet-string' },
    ...['1-0:1.8.0', '1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.0', '1-0:2.8.1', '1-0:2.8.2'].map((o) => u32(o, 'Wh')),
    u32('1-0:3.8.0', 'varh'), u32('1-0:4.8.0', 'varh')] },
  // 12: Elektro Celje instantaneous list (second element "UP_3f").
  { elements: 12, fields: [LDN, { obis: '0-0:96.1.2', type: 'octet-string[5]' },
    ...['1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0'].map(siVoltage), ...['1-0:31.7.0', '1-0:51.7.0', '1-0:71.7.0'].map(siCurrent),
    ...SI_PQ] },
  // 10: single-phase instantaneous values.
  { elements: 10, fields: [LDN, SI_ID, ...SI_PQ, siVoltage('1-0:32.7.0'), siCurrent('1-0:31.7.0'), u32('1-0:21.7.0', 'W'),
    u32('1-0:22.7.0', 'W')] },
  // 9: single-phase (AM550 ED1.21); the last two uint32 are not identified by any source: skipped.
  { elements: 9, fields: [LDN, SI_ID, ...SI_PQ, siVoltage('1-0:32.7.0'), { obis: '1-0:2.8.1', skip: true, type: 'uint32' },
    { obis: '1-0:2.8.2', skip: true, type: 'uint32' }] },
  // 9: power and energy by tariff (GEN-i; 1.8.0 = 1.8.1 + 1.8.2 in the capture confirms the order).
  { elements: 9, fields: [LDN, u32('1-0:1.7.0', 'W'), u32('1-0:2.7.0', 'W'),
    ...['1-0:1.8.0', '1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.0', '1-0:2.8.1', '1-0:2.8.2'].map((o) => u32(o, 'Wh'))] },
  // 4: total energy (every 15 min): an 8-character id, a uint8, +A, -A.
  { elements: 4, fields: [{ obis: '0-0:96.1.0', role: 'meter-id', type: 'text' }, { obis: '0-0:96.1.3', skip: true, type: 'uint8' },
    u32('1-0:1.8.0', 'Wh'), u32('1-0:2.8.0', 'Wh')] },
];

/** Czech XT211 registers: class 3 values without scaler on the wire, in W and Wh ([research] §5). */
const XT211_SCALERS: NonNullable<Profile['scalers']> = Object.fromEntries([
  ...['1-0:1.7.0', '1-0:21.7.0', '1-0:41.7.0', '1-0:61.7.0', '1-0:2.7.0', '1-0:22.7.0', '1-0:42.7.0', '1-0:62.7.0', '0-0:17.0.0']
    .map((o) => [o, { scaler: 0, unit: 'W' }]),
  ...['1-0:1.8.0', '1-0:1.8.1', '1-0:1.8.2', '1-0:1.8.3', '1-0:1.8.4', '1-0:2.8.0'].map((o) => [o, { scaler: 0, unit: 'Wh' }]),
]);

export const EUROPE_PROFILES: readonly Profile[] = [
  {
    id: 'ch-lg-e450',
    meter: 'Landis+Gyr E450, E570 (self-describing push)',
    operator: 'Swiss DSOs (CKW, EKZ, Regionalwerke Baden, Romande Energie …); Stadtwerke Klagenfurt (AT); EAC (CY)',
    country: 'CH',
    framing: 'hdlc',
    serial: MBUS_2400_8E1,
    keys: ['GUEK'],
    payload: 'self-describing',
    intervalMs: 5000,
    timezone: 'Europe/Zurich',
    scalers: pushScalers(0),
    securityControls: [0x20, 0x30],
    match: { manufacturers: ['LGZ'], pushSetup: ['0-8:25.9.0', '0-9:25.9.0', '0-11:25.9.0'], framing: ['hdlc', 'apdu'] },
    notes: 'The push names its own objects (push object list first, then the values; [research] §4), over HDLC with ' +
      'general-block-transfer, unencrypted or SC 0x20 (CH) / 0x30 (Klagenfurt). Scalers are not on the wire: L+G ' +
      'sends voltage in 1 V, current 0.01 A, power factor 0.001, W/Wh/var/varh ([scs] tests), applied and flagged ' +
      'scaler_assumed. The E570 switches to int64 values under load, whose current unit differs (UNVERIFIED: ' +
      'values stay flagged). 2400 8E1 ([scs] lge450.py, [amsreader] #934); every 5 s (Cyprus: esphome PR #16942).',
  },
  {
    id: 'ch-iskra-am550',
    meter: 'Iskraemeco AM550, Landis+Gyr E360 (self-describing push of push setup 0-6:25.9.0)',
    operator: 'Swiss DSOs',
    country: 'CH',
    framing: 'hdlc',
    serial: P1_115200_8N1,
    keys: ['GUEK'],
    payload: 'self-describing',
    intervalMs: 5000,
    timezone: 'Europe/Zurich',
    scalers: pushScalers(-1),
    securityControls: [0x20],
    match: { manufacturers: ['ISK', 'LGZ'], pushSetup: ['0-6:25.9.0'], framing: ['hdlc', 'apdu'] },
    notes: 'Same push shape as ch-lg-e450, but these meters send voltage in 0.1 V ([scs] tests: Iskra 2347 → 234.7 V, ' +
      'E360 2357 → 235.7 V). Iskra AM550 115200 8N1 (P1), L+G E360 9600 8N1 in one 352-byte HDLC frame ([scs]).',
  },
  {
    id: 'si-iskra-am550',
    meter: 'Iskraemeco AM550 (Slovenian lists)',
    operator: 'Elektro Ljubljana, Elektro Celje and other Slovenian DSOs',
    country: 'SI',
    framing: 'hdlc',
    serial: { baudRate: 38400, dataBits: 8, parity: 'none', stopBits: 1 },
    keys: [],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Ljubljana',
    layouts: SI_LAYOUTS,
    match: { elements: [18, 12, 10, 9, 4], framing: ['hdlc', 'apdu'] },
    notes: 'P1/RJ12, HDLC, unencrypted (an encrypted Elektro Ljubljana frame exists, no key published: not covered). ' +
      'Voltages 0.1 V and currents 0.01 A as uint16, W/var/Wh/varh as uint32 ([research] §3). 38400 8N1 reported ' +
      'for Elektro Ljubljana ([amsreader] #869; UNVERIFIED); some Elektro Ljubljana meters send a DSMR-like ASCII ' +
      'telegram without CRC instead (header /ISK9\\2M551T-200). Nothing public for Maribor, Gorenjska, Primorska.',
  },
  {
    id: 'cz-sagemcom-xt211',
    meter: 'Sagemcom XT211 (also ZPA AM175, Meter&Control ST402D on the same interface)',
    operator: 'ČEZ Distribuce, EG.D',
    country: 'CZ',
    framing: 'apdu',
    serial: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
    keys: [],
    payload: 'obis-structures',
    intervalMs: 60000,
    timezone: 'Europe/Prague',
    scalers: XT211_SCALERS,
    match: { attributeList: true, framing: ['apdu', 'hdlc'] },
    notes: 'RS485 on RJ-12 (pins 3/4 data A/B), fixed 9600 Bd, one push every 60 s, unencrypted, a bare data-' +
      'notification whose objects are named by untagged attribute descriptors (ČEZ/EG.D "Komunikační rozhraní ' +
      'RS485"; capture in esphome-libs/dlms_parser; [research] §5). 8N1 per the Tomer27cz/xt211 README. The ' +
      'leading enum of the body is undocumented and ignored.',
  },
];
