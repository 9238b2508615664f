/**
 * Built-in meter/operator profiles (DESIGN §3 "knowledge is data"). Each profile says how a family of meters
 * talks on its customer interface: framing, serial settings, keys, payload shape, push interval, time zone, and
 * for lists without OBIS codes the positional layout. `notes` names the sources and marks what is inferred.
 *
 * Source abbreviations used in the notes (all public):
 *   [vectors]   ../shared/vectors/public-vectors.json (element counts and values of real captures)
 *   [shrdzm]    Noschvie/shrdzm code/SHRDZMDevice/Device_IM350.cpp (Wiener Netze E450, Kärnten AM550/IM350,
 *               Burgenland E450 and Netz NÖ field orders)
 *   [ea-legacy] rddl-network/EnergyAgent smart_meter_tests/legacy.py (Wiener Netze and Kärnten plaintext walk-through)
 *   [bernikr]   bernikr/esphome-wienernetze-smartmeter (README: IR head, uart 9600; wienernetze.cpp: 10-element list)
 *   [amshan]    toreamun/amshan han/kaifa.py, han/kamstrup.py (Nordic list orders and scalers)
 *   [ams-wiki]  UtilitechAS/amsreader-firmware wiki "Meter behaviour" (Nordic push intervals)
 *   [seed-N]    ../shared/seeds/00N_*.txt READMEs (Steiermark T210-D-r, EVN, Smarty, Tirol)
 *   [netzooe]   netzooe.at smart-meter FAQ (AMIS customer interface)
 *   [kaifa-ti]  tirolerstefan/kaifa meter_template.json (TINETZ serial settings as used by that reader)
 */
import type { PositionalField, PositionalLayout, Profile, SerialSettings } from '../types.js';

const P1_115200_8N1: SerialSettings = { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 };
const DSMR22_9600_7E1: SerialSettings = { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 };
const MBUS_2400_8E1: SerialSettings = { baudRate: 2400, dataBits: 8, parity: 'even', stopBits: 1 };
const MBUS_2400_8N1: SerialSettings = { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 };
const IR_9600_8N1: SerialSettings = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };

// --- positional building blocks -------------------------------------------------------------------------------

const TIMESTAMP: PositionalField = { obis: '0-0:1.0.0', role: 'timestamp' };

/** Wiener Netze: +A, -A, +R, -R, +P, -P, +Q, -Q as uint32 without scaler ([ea-legacy], [bernikr], [shrdzm]). */
const u32 = (obis: string, unit: string, scaler = 0): PositionalField => ({ obis, scaler, unit, type: 'uint32' });

const WN_VALUES: PositionalField[] = [
  u32('1-0:1.8.0', 'Wh'), u32('1-0:2.8.0', 'Wh'), u32('1-0:3.8.0', 'varh'), u32('1-0:4.8.0', 'varh'),
  u32('1-0:1.7.0', 'W'), u32('1-0:2.7.0', 'W'), u32('1-0:3.7.0', 'var'), u32('1-0:4.7.0', 'var'),
];

const WN_LAYOUTS: PositionalLayout[] = [
  // 9 elements: date-time + 8 values (Iskra AM550 capture in [vectors]; E450 offsets in [shrdzm]).
  { elements: 9, fields: [TIMESTAMP, ...WN_VALUES] },
  // 10 elements: logical device name (e.g. "SMS1030788000020") + date-time + 8 values ([vectors], [bernikr]).
  { elements: 10, fields: [{ obis: '0-0:42.0.0', role: 'meter-id', type: 'text' }, TIMESTAMP, ...WN_VALUES] },
];

/**
 * Kärnten Netz AM550 (and IM350) push, 12 elements ([ea-legacy] "KärntenNetz explained", [shrdzm], [vectors]):
 * push-setup logical name (octets 0.6.25.9.0.255), meter serial, time, date, +A, -A, +R, -R, +P, -P (uint32),
 * customer info text, customer info code (empty octet strings in both captures).
 */
const KAERNTEN_LAYOUT: PositionalLayout = {
  elements: 12,
  fields: [
    { obis: '0-6:25.9.0', skip: true, type: 'octet-string[6]' },
    { obis: '0-0:96.1.0', role: 'meter-id', type: 'text' },
    { obis: '0-0:1.0.0', role: 'time' },
    { obis: '0-0:1.0.0', role: 'date' },
    u32('1-0:1.8.0', 'Wh'), u32('1-0:2.8.0', 'Wh'), u32('1-0:3.8.0', 'varh'), u32('1-0:4.8.0', 'varh'),
    u32('1-0:1.7.0', 'W'), u32('1-0:2.7.0', 'W'),
    { obis: '0-0:96.13.0', type: 'text' },
    { obis: '0-0:96.13.1', type: 'text' },
  ],
};

/**
 * Netz Burgenland L+G E450, 10 elements ([shrdzm] branch `e450`, frames of 111/120 bytes labelled "burgenland"):
 * U1, U2, U3, I1, I2, I3 (uint16), +P, -P, +A, -A (uint32). The order is from that decoder; the scalers are NOT
 * documented there (it prints raw numbers): voltage 0.1 V and current 0.01 A are assumed by analogy with the
 * scaler-unit the EVN/Tirol DLMS lists send for the same registers.
 */
const BURGENLAND_LAYOUT: PositionalLayout = {
  elements: 10,
  fields: [
    { obis: '1-0:32.7.0', scaler: -1, unit: 'V' },
    { obis: '1-0:52.7.0', scaler: -1, unit: 'V' },
    { obis: '1-0:72.7.0', scaler: -1, unit: 'V' },
    { obis: '1-0:31.7.0', scaler: -2, unit: 'A' },
    { obis: '1-0:51.7.0', scaler: -2, unit: 'A' },
    { obis: '1-0:71.7.0', scaler: -2, unit: 'A' },
    { obis: '1-0:1.7.0', scaler: 0, unit: 'W' },
    { obis: '1-0:2.7.0', scaler: 0, unit: 'W' },
    { obis: '1-0:1.8.0', scaler: 0, unit: 'Wh' },
    { obis: '1-0:2.8.0', scaler: 0, unit: 'Wh' },
  ],
};

/** Kaifa Norway (MA105H2E single-phase, MA304H3E three-phase) value lists without OBIS ([amshan] han/kaifa.py). */
const KAIFA_NO_HEAD: PositionalField[] = [
  { obis: '1-1:0.2.129', type: 'text' }, // OBIS list version identifier, e.g. "KFM_001"
  { obis: '0-0:96.1.0', role: 'meter-id', type: 'text' }, // meter id (GS1)
  { obis: '0-0:96.1.7', type: 'text' }, // meter type, e.g. "MA304H3E"
  { obis: '1-0:1.7.0', scaler: 0, unit: 'W' },
  { obis: '1-0:2.7.0', scaler: 0, unit: 'W' },
  { obis: '1-0:3.7.0', scaler: 0, unit: 'var' },
  { obis: '1-0:4.7.0', scaler: 0, unit: 'var' },
];
const kaifaCurrent = (obis: string): PositionalField => ({ obis, scaler: -3, unit: 'A' });
const kaifaVoltage = (obis: string): PositionalField => ({ obis, scaler: -1, unit: 'V' });
const KAIFA_NO_HOURLY: PositionalField[] = [
  TIMESTAMP,
  { obis: '1-0:1.8.0', scaler: 0, unit: 'Wh' },
  { obis: '1-0:2.8.0', scaler: 0, unit: 'Wh' },
  { obis: '1-0:3.8.0', scaler: 0, unit: 'varh' },
  { obis: '1-0:4.8.0', scaler: 0, unit: 'varh' },
];
const KAIFA_NO_1PH = [...KAIFA_NO_HEAD, kaifaCurrent('1-0:31.7.0'), kaifaVoltage('1-0:32.7.0')];
const KAIFA_NO_3PH = [
  ...KAIFA_NO_HEAD,
  kaifaCurrent('1-0:31.7.0'), kaifaCurrent('1-0:51.7.0'), kaifaCurrent('1-0:71.7.0'),
  kaifaVoltage('1-0:32.7.0'), kaifaVoltage('1-0:52.7.0'), kaifaVoltage('1-0:72.7.0'),
];
const KAIFA_NO_LAYOUTS: PositionalLayout[] = [
  { elements: 1, fields: [{ obis: '1-0:1.7.0', scaler: 0, unit: 'W' }] }, // list 1
  { elements: 9, fields: KAIFA_NO_1PH }, // list 2, single phase
  { elements: 13, fields: KAIFA_NO_3PH }, // list 2, three phase (the MA304H3E capture in [vectors])
  { elements: 14, fields: [...KAIFA_NO_1PH, ...KAIFA_NO_HOURLY] }, // list 3, single phase
  { elements: 18, fields: [...KAIFA_NO_3PH, ...KAIFA_NO_HOURLY] }, // list 3, three phase
];

/** Kamstrup HAN lists send {OBIS, value} without scaler-unit ([amshan] han/kamstrup.py `_field_scaling_standard`). */
/** L+G E450 {OBIS, value} lists carry no scaler_unit; the values are whole Wh/W/varh/var ([vectors] stanz: Wh, W). */
const LG_E450_UNITS: Profile['scalers'] = Object.fromEntries([
  ...['1-0:1.8.0', '1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.0', '1-0:2.8.1', '1-0:2.8.2'].map((o) => [o, { scaler: 0, unit: 'Wh' }]),
  ...['1-0:3.8.0', '1-0:3.8.1', '1-0:3.8.2', '1-0:4.8.0', '1-0:4.8.1', '1-0:4.8.2'].map((o) => [o, { scaler: 0, unit: 'varh' }]),
  ...['1-0:1.7.0', '1-0:2.7.0'].map((o) => [o, { scaler: 0, unit: 'W' }]),
  ...['1-0:3.7.0', '1-0:4.7.0'].map((o) => [o, { scaler: 0, unit: 'var' }]),
]);

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

/** Tirol/Salzburg/Vorarlberg ("Kundenschnittstelle West") Kaifa MA309 and Honeywell meters share one configuration. */
function ksmWest(id: string, operator: string, withMatch: boolean): Profile {
  const p: Profile = {
    id,
    meter: 'Kaifa MA309M/MA309MH, Honeywell (Elster) AS1440/AS3000-type',
    operator,
    country: 'AT',
    framing: 'mbus',
    serial: MBUS_2400_8E1,
    keys: ['GUEK'],
    securityControls: [0x21],
    payload: 'obis-structures',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    notes: 'M-Bus on RJ12 (TINETZ: RJ45 behind a rubber cover per its FAQ); APDU split over two M-Bus frames ' +
      '(CI 0x00 then 0x11); security control 0x21 (encryption only, no tag). 12 elements (single phase) or 16 ' +
      '(three phase), captures in [vectors]. Serial: 2400 baud from [kaifa-ti]; that reader uses 8N1 while ' +
      'M-Bus (EN 13757-2) is 8E1: 8E1 is set here, UNVERIFIED against the operator document. Push every 5 s ' +
      '(TINETZ customer-interface page). Honeywell model names unverified; system title "ELS" seen in [vectors].',
  };
  if (withMatch) p.match = { manufacturers: ['KFM', 'ELS'], elements: [12, 16], framing: ['mbus', 'apdu'] };
  return p;
}

export const BUILTIN_PROFILE_DATA: readonly Profile[] = [
  // ================================ DSMR P1 (NL, BE) ============================================================
  {
    id: 'nl-dsmr5',
    meter: 'DSMR 5.0 meters (Landis+Gyr E350/E360, Kaifa MA105/MA304, Iskra AM550, Sagemcom T210-D, Kamstrup)',
    operator: 'Liander, Stedin, Enexis and other Dutch DSOs',
    country: 'NL',
    framing: 'dsmr',
    serial: P1_115200_8N1,
    keys: [],
    payload: 'dsmr',
    intervalMs: 1000,
    timezone: 'Europe/Amsterdam',
    match: { framing: ['dsmr'] },
    dsmrCrc: true,
    notes: 'DSMR 5.0.2 P1: 115200 8N1, telegram every second, CRC16. Version line 1-3:0.2.8(50).',
  },
  {
    id: 'nl-dsmr4',
    meter: 'DSMR 4.x meters (Kaifa E0025/MA105, Landis+Gyr E350, Iskra ME382/MT382)',
    operator: 'Dutch DSOs',
    country: 'NL',
    framing: 'dsmr',
    serial: P1_115200_8N1,
    keys: [],
    payload: 'dsmr',
    intervalMs: 10000,
    timezone: 'Europe/Amsterdam',
    match: { framing: ['dsmr'] },
    dsmrCrc: true,
    notes: 'DSMR 4.0/4.2 P1: 115200 8N1, telegram every 10 s, CRC16. Version line 1-3:0.2.8(42).',
  },
  {
    id: 'nl-dsmr22',
    meter: 'DSMR 2.2/3.0 meters (Iskra MT382, Landis+Gyr ZCF/ZMF, Kaifa)',
    operator: 'Dutch DSOs',
    country: 'NL',
    framing: 'dsmr',
    serial: DSMR22_9600_7E1,
    keys: [],
    payload: 'dsmr',
    intervalMs: 10000,
    timezone: 'Europe/Amsterdam',
    match: { framing: ['dsmr'] },
    dsmrCrc: false,
    notes: 'DSMR 2.2/3.0 P1: 9600 7E1, telegram every 10 s, no CRC; gas value on a continuation line after ' +
      '0-1:24.3.0 (captures in [vectors]).',
  },
  {
    id: 'be-fluvius',
    meter: 'Fluvius digital meter (Sagemcom S211/T211, Landis+Gyr E360, Kaifa)',
    operator: 'Fluvius',
    country: 'BE',
    framing: 'dsmr',
    serial: P1_115200_8N1,
    keys: [],
    payload: 'dsmr',
    intervalMs: 1000,
    timezone: 'Europe/Brussels',
    match: { framing: ['dsmr'], dsmrHeader: '^/(FLU|fLU)' },
    dsmrCrc: true,
    notes: 'e-MUCS P1 (DSMR 5 based): 115200 8N1, every second. 0-0:96.1.4 version, 1-0:1.4.0/1.6.0 capacity-' +
      'tariff demand, 0-0:98.1.0 13-month maximum buffer (capture /FLU5\\253769484_A in [vectors]). ' +
      'Meter models: UNVERIFIED list.',
  },
  {
    id: 'lu-smarty',
    meter: 'Sagemcom T210-D (Smarty)',
    operator: 'Creos, Electris, Sudstroum, Ville de Diekirch, Ville d\'Ettelbruck',
    country: 'LU',
    framing: 'apdu',
    serial: P1_115200_8N1,
    keys: ['GUEK'],
    payload: 'dsmr',
    intervalMs: 10000,
    timezone: 'Europe/Luxembourg',
    match: { manufacturers: ['SAG'], framing: ['apdu'] },
    securityControls: [0x30],
    defaultAuthKey: '00112233445566778899AABBCCDDEEFF',
    notes: 'P1 RJ12 sends a raw general-glo-ciphering APDU (0xDB, SC 0x30, 12-byte tag) every 10 s, DSMR text ' +
      'inside ([seed-2], [seed-3]). Only the GUEK is per meter: the GAK is the fixed 00112233445566778899AABBCCDDEEFF ' +
      '(AAD 30‖GAK) per [seed-2]. 115200 8N1 as DSMR 5 P1 (inferred from P1, not stated in the seeds).',
  },
  // ================================ Austria =====================================================================
  {
    id: 'at-steiermark-t210dr',
    meter: 'Sagemcom T210-D-r',
    operator: 'Energienetze Steiermark',
    country: 'AT',
    framing: 'apdu',
    serial: P1_115200_8N1,
    keys: ['GUEK', 'GAK'],
    payload: 'dsmr',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    match: { manufacturers: ['SAG'], dsmrHeader: '^/EST', framing: ['apdu'] },
    securityControls: [0x30],
    notes: 'P1 RJ12, 115200 8N1, one 511-byte 0xDB APDU every 5 s, SC 0x30 (auth+enc): GUEK and GAK from the ' +
      'e-netze portal ([seed-0]). Plaintext is a DSMR 5.0 telegram with values in Wh/W/varh (header /EST5…).',
  },
  {
    id: 'at-evn-sagemcom-t210d',
    meter: 'Sagemcom T210-D (three phase), S210 (single phase)',
    operator: 'Netz Niederösterreich (EVN)',
    country: 'AT',
    framing: 'mbus',
    serial: MBUS_2400_8E1,
    keys: ['GUEK'],
    payload: 'obis-structures',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    match: { manufacturers: ['SAG'], elements: [35], framing: ['mbus'] },
    securityControls: [0x20],
    notes: 'M-Bus RJ12, push every 5 s ([seed-1]); two M-Bus frames (L=0xFA CI 0x00, then CI 0x11), SC 0x20 ' +
      '(encryption only); 35-element structure: date-time, 11 {OBIS, value, scaler-unit}, meter number ' +
      '([vectors]). Known quirk: first frame header 68 01 01 68 (length mod 256). 2400 baud: ESPHome dlms_meter ' +
      'docs; parity 8E1 per the Netz NÖ customer-interface document as cited in the project brief (UNVERIFIED ' +
      'here; ESPHome examples leave parity at its default).',
  },
  {
    id: 'at-evn-kaifa-ma309',
    meter: 'Kaifa MA309M (three phase), M110 (single phase)',
    operator: 'Netz Niederösterreich (EVN)',
    country: 'AT',
    framing: 'mbus',
    serial: MBUS_2400_8E1,
    keys: ['GUEK'],
    payload: 'obis-structures',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    match: { manufacturers: ['KFM'], elements: [35], framing: ['mbus'] },
    securityControls: [0x20],
    notes: 'Same list as the EVN Sagemcom (example frame of the Netz NÖ document in [vectors], system title ' +
      'KFMgP…). Serial as at-evn-sagemcom-t210d (parity UNVERIFIED).',
  },
  ksmWest('at-ksm-west-kaifa', 'TINETZ, IKB (Tirol), Salzburg Netz, Vorarlberger Energienetze', true),
  ksmWest('at-tinetz-kaifa', 'TINETZ-Tiroler Netze, Innsbrucker Kommunalbetriebe (IKB)', false),
  ksmWest('at-salzburg-kaifa', 'Salzburg Netz', false),
  ksmWest('at-vorarlberg-kaifa', 'Vorarlberger Energienetze (VKW)', false),
  {
    id: 'at-wienernetze-siemens',
    meter: 'Siemens IM350/IM351 (three phase), IM150/IM151 (single phase)',
    operator: 'Wiener Netze',
    country: 'AT',
    framing: 'hdlc',
    serial: IR_9600_8N1,
    keys: ['GUEK'],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    layouts: WN_LAYOUTS,
    match: { manufacturers: ['SMS'], elements: [9, 10], framing: ['hdlc'] },
    securityControls: [0x20],
    notes: 'Optical (IR, IEC 62056-21 head) customer interface, activated in the Wiener Netze portal. HDLC with ' +
      'a 4-byte address, SC 0x20, a 96-byte digest+signature may follow the frame. 9600 baud 8N1 from [bernikr] ' +
      '(ESPHome uart defaults). Values: +A -A +R -R +P -P +Q -Q, no scaler, Wh/varh/W/var ([ea-legacy], ' +
      '[bernikr]). Push interval UNVERIFIED (5 s assumed).',
  },
  {
    id: 'at-wienernetze-iskra',
    meter: 'Iskraemeco AM550-TD0/-ED0',
    operator: 'Wiener Netze',
    country: 'AT',
    framing: 'hdlc',
    serial: IR_9600_8N1,
    keys: ['GUEK'],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    layouts: WN_LAYOUTS,
    match: { manufacturers: ['ISK'], elements: [9, 10], framing: ['hdlc'] },
    securityControls: [0x20],
    notes: 'As at-wienernetze-siemens; the capture in [vectors] has 9 elements (no logical device name). ' +
      'Push interval UNVERIFIED.',
  },
  {
    id: 'at-wienernetze-lg-e450',
    meter: 'Landis+Gyr E450 (Wiener Netze IR list)',
    operator: 'Wiener Netze',
    country: 'AT',
    framing: 'hdlc',
    serial: IR_9600_8N1,
    keys: ['GUEK'],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    layouts: WN_LAYOUTS,
    match: { manufacturers: ['LGZ'], elements: [9, 10], framing: ['hdlc'] },
    securityControls: [0x20],
    notes: 'Field offsets of the [shrdzm] "e450IRWien" branch match the 9-element Wiener Netze list; [bernikr] ' +
      'lists the E450 as tested with its 10-element parser. No public capture here: UNVERIFIED beyond those ' +
      'decoders. With 10 elements and no element types in the hints, selection prefers this profile over ' +
      'at-burgenland-lg-e450 (listed later). Push interval UNVERIFIED.',
  },
  {
    id: 'at-kaernten-am550',
    meter: 'Iskraemeco AM550, Siemens IM350 (Carinthia configuration)',
    operator: 'Kärnten Netz (KELAG)',
    country: 'AT',
    framing: 'hdlc',
    serial: P1_115200_8N1,
    keys: ['GUEK'],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    layouts: [KAERNTEN_LAYOUT],
    match: { manufacturers: ['ISK', 'SMS'], elements: [12], framing: ['hdlc'] },
    securityControls: [0x20],
    notes: 'P1 RJ12 ([vectors]: amsreader issue #787), HDLC, SC 0x20 in the captures (one README claims 0x30). ' +
      '115200 8N1 INFERRED from the P1 connector and the [shrdzm] default; push interval UNVERIFIED (5 s assumed).',
  },
  {
    id: 'at-lg-e450',
    meter: 'Landis+Gyr E450 (push with {OBIS, value} pairs)',
    operator: 'Stadtwerke Klagenfurt; also seen in Styria (Stanz)',
    country: 'AT',
    framing: 'hdlc',
    serial: P1_115200_8N1,
    keys: ['GUEK', 'GAK'],
    payload: 'obis-flat',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    match: { manufacturers: ['LGZ'], elements: [33], framing: ['hdlc'] },
    scalers: LG_E450_UNITS,
    securityControls: [0x30],
    notes: 'HDLC with general-block-transfer (3 blocks), SC 0x30 (auth+enc: GUEK and GAK); 33-element flat ' +
      'list: date-time + 16 {OBIS, value} pairs in Wh/W/varh/var without scaler ([vectors], esphome-libs/' +
      'dlms_parser hdlc_landis_gyr_e450). Serial settings and interval UNVERIFIED (P1-style 115200 8N1 assumed).',
  },
  {
    id: 'at-burgenland-lg-e450',
    meter: 'Landis+Gyr E450',
    operator: 'Netz Burgenland',
    country: 'AT',
    framing: 'hdlc',
    serial: P1_115200_8N1,
    keys: ['GUEK'],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    layouts: [BURGENLAND_LAYOUT],
    match: { manufacturers: ['LGZ'], elements: [10], framing: ['hdlc'] },
    notes: 'Only source: the [shrdzm] "burgenland" e450 branch (field order U1-3, I1-3, +P, -P, +A, -A). ' +
      'Scalers (0.1 V, 0.01 A), serial settings, keys and interval are ASSUMED, no public capture: treat as ' +
      'unverified and report a capture.',
  },
  // ================================ Nordic HAN ===================================================================
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
      'M-Bus 2400 8E1: common knowledge of Nordic HAN readers, UNVERIFIED here.',
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
    intervalMs: 2500,
    timezone: 'Europe/Oslo',
    layouts: KAIFA_NO_LAYOUTS,
    match: { elements: [1, 9, 13, 14, 18], framing: ['hdlc'] },
    notes: 'Value lists without OBIS; order and scalers (current 0.001 A, voltage 0.1 V) from [amshan] han/' +
      'kaifa.py; the 13-element MA304H3E capture in [vectors] fits (1416 → 1.416 A, 2385 → 238.5 V). Its ' +
      'date-time carries an extra 0x09 tag. Intervals per [ams-wiki]. 2400 8E1 UNVERIFIED here.',
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
    dsmrCrc: true,
    notes: 'Swedish HAN port (Branschrekommendation): P1/DSMR 5-style ASCII telegram, 115200 8N1, every 10 s. ' +
      'UNVERIFIED here (no capture in [vectors]); header "/ADN9 6534" is from memory.',
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
