/** Built-in profiles: Austrian customer interfaces. Sources: see builtin-profiles.ts. */
import type { PositionalField, PositionalLayout, Profile } from '../types.js';
import { IR_9600_8N1, MBUS_2400_8E1, P1_115200_8N1, TIMESTAMP, u16, u32 } from './building-blocks.js';

/** Wiener Netze: +A, -A, +R, -R, +P, -P, +Q, -Q as uint32 without scaler ([ea-legacy], [bernikr], [shrdzm]). */
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

/** The Kärnten list without the two customer-info strings: Siemens IM350 in Wels ([research] §2, [shrdzm] "im350Wels"). */
const WELS_LAYOUT: PositionalLayout = { elements: 10, fields: KAERNTEN_LAYOUT.fields.slice(0, 10) };

/**
 * Netz Burgenland L+G E450 ([research] §1: the operator's "Spezifikation Kundenschnittstelle L+G E450" as quoted
 * by r00tat/smartmeter_homeassistant_burgenland, the Tasmota script of ungip/smartmeter-burgenland, nbsm, and two
 * captures with keys from amsreader issue #501 whose tag verifies): U1-3 (uint16, whole volts), I1-3 (uint16,
 * 0.01 A), +P, -P (uint32 W), +A, -A (uint32 Wh), the phase angles U-I L1-3 (uint16; 0.1 ° is INFERRED from raw
 * values up to 400), then the operator's meter number. Some meters send the list without the angles (11 elements:
 * frame size of a Burgenland frame and one decrypted dump; medium confidence).
 */
const BURGENLAND_VALUES: PositionalField[] = [
  u16('1-0:32.7.0', 'V'), u16('1-0:52.7.0', 'V'), u16('1-0:72.7.0', 'V'),
  u16('1-0:31.7.0', 'A', -2), u16('1-0:51.7.0', 'A', -2), u16('1-0:71.7.0', 'A', -2),
  u32('1-0:1.7.0', 'W'), u32('1-0:2.7.0', 'W'), u32('1-0:1.8.0', 'Wh'), u32('1-0:2.8.0', 'Wh'),
];
const BURGENLAND_ANGLES: PositionalField[] = ['1-0:81.7.40', '1-0:81.7.51', '1-0:81.7.62'].map((o) => u16(o, '°', -1));
const OPERATOR_METER_NUMBER: PositionalField = { obis: '0-0:96.1.0', role: 'meter-id', type: 'text' };
const BURGENLAND_LAYOUTS: PositionalLayout[] = [
  { elements: 14, fields: [...BURGENLAND_VALUES, ...BURGENLAND_ANGLES, OPERATOR_METER_NUMBER] },
  { elements: 11, fields: [...BURGENLAND_VALUES, OPERATOR_METER_NUMBER] },
];

const LG_E450_UNITS: Profile['scalers'] = Object.fromEntries([
  ...['1-0:1.8.0', '1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.0', '1-0:2.8.1', '1-0:2.8.2'].map((o) => [o, { scaler: 0, unit: 'Wh' }]),
  ...['1-0:3.8.0', '1-0:3.8.1', '1-0:3.8.2', '1-0:4.8.0', '1-0:4.8.1', '1-0:4.8.2'].map((o) => [o, { scaler: 0, unit: 'varh' }]),
  ...['1-0:1.7.0', '1-0:2.7.0'].map((o) => [o, { scaler: 0, unit: 'W' }]),
  ...['1-0:3.7.0', '1-0:4.7.0'].map((o) => [o, { scaler: 0, unit: 'var' }]),
]);

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
      '(three phase), captures in [vectors]. Serial 2400 baud 8E1 and push every 5 s: [tinetz-doc] ("1 Startbit, ' +
      '8 Datenbits, 1 Paritätsbit (gerade Parität), 1 Stoppbit"; [kaifa-ti] uses 8N1, which works where the ' +
      'converter ignores parity). SC 0x21 = encryption, security suite 1. Honeywell model names UNVERIFIED (only ' +
      '[oe-concept] lists Kaifa MA110M/MA309M); system title "ELS" seen in [vectors].',
  };
  if (withMatch) p.match = { manufacturers: ['KFM', 'ELS'], elements: [12, 16], framing: ['mbus', 'apdu'] };
  return p;
}

export const AUSTRIA_PROFILES: readonly Profile[] = [
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
      '([vectors]). Known quirk: first frame header 68 01 01 68 (length mod 256). 2400 baud M-Bus per EN ' +
      '13757-2 ([noe-doc]: "feste Baudrate von 2.400 Baud", every five seconds, no authentication key), whose ' +
      'characters carry even parity: 8E1.',
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
      'KFMgP…). Serial as at-evn-sagemcom-t210d ([noe-doc]).',
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
      '[bernikr]); IR 9600 8N1 also per [oe-concept]. Push interval UNVERIFIED (5 s assumed: no public source).',
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
    notes: 'Field offsets of the [shrdzm] "e450IRWien" branch match the 9-element Wiener Netze list; an E450 ' +
      'capture with key (rddl-network/EnergyAgent "sel3", [research] §8) has those 9 elements. Push interval UNVERIFIED.',
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
    intervalMs: 1000,
    timezone: 'Europe/Vienna',
    layouts: [KAERNTEN_LAYOUT],
    match: { manufacturers: ['ISK', 'SMS'], elements: [12], framing: ['hdlc'] },
    securityControls: [0x20],
    notes: 'P1 RJ12 ([vectors]: amsreader issue #787; [oe-concept]: the RJ12 port "corresponds to the DSMR P1 ' +
      'specification"), HDLC, SC 0x20 in all public captures. 115200 8N1 INFERRED from P1 (no operator text). ' +
      'Push every second: the 9 consecutive AM550 frames of amsreader #787 are 1 s apart (an IM350 pair in [shrdzm] ' +
      'is 6 s apart: the interval may differ by meter type). Element 2 is probably 0-0:96.1.1 per [oe-concept] ' +
      '"Variant 1" (kept at 0-0:96.1.0: reading ids are a public contract).',
  },
  {
    id: 'at-lg-e450',
    meter: 'Landis+Gyr E450 (push with {OBIS, value} pairs)',
    operator: 'Energienetze Steiermark, Stromnetz Graz and other Styrian operators (Stanz, Feistritzwerke)',
    country: 'AT',
    framing: 'hdlc',
    serial: MBUS_2400_8E1,
    keys: ['GUEK', 'GAK'],
    payload: 'obis-flat',
    intervalMs: 10000,
    timezone: 'Europe/Vienna',
    // Identified by manufacturer and its OBIS pairs: Styrian configurations differ in how many pairs they send.
    match: { manufacturers: ['LGZ'], framing: ['hdlc'] },
    scalers: LG_E450_UNITS,
    securityControls: [0x30],
    notes: 'HDLC with general-block-transfer (3 blocks), SC 0x30 (auth+enc: GUEK and GAK); 33-element flat ' +
      'list: date-time + 16 {OBIS, value} pairs in Wh/W/varh/var without scaler ([vectors], esphome-libs/' +
      'dlms_parser hdlc_landis_gyr_e450). M-Bus 2400 8E1 (horfic/esphome-dlms Graz example; smartmeter-datacollector ' +
      'lge450.py for Energienetze Steiermark), a push every 10 s (8 consecutive Graz pushes, [research] §7). ' +
      'Stadtwerke Klagenfurt E450s send the self-describing push instead (profile ch-lg-e450).',
  },
  {
    id: 'at-burgenland-lg-e450',
    meter: 'Landis+Gyr E450',
    operator: 'Netz Burgenland',
    country: 'AT',
    framing: 'hdlc',
    serial: IR_9600_8N1,
    keys: ['GUEK', 'GAK'],
    payload: 'positional',
    intervalMs: 5000,
    timezone: 'Europe/Vienna',
    layouts: BURGENLAND_LAYOUTS,
    match: { manufacturers: ['LGZ'], elements: [14, 11], framing: ['hdlc'] },
    securityControls: [0x30],
    notes: 'Operator specification (as quoted by r00tat/smartmeter_homeassistant_burgenland): a push every 5 s, ' +
      '"verschlüsselt und authentisiert" (SC 0x30: GUEK, and the GAK to verify the tag; readers that only take ' +
      'the GUEK get unverified values). 14 elements: U1-3 (1 V), I1-3 (0.01 A), +P, -P, +A, -A, phase angles ' +
      '(unit INFERRED), operator meter number; 11 without the angles. Optical IR 9600 8N1 (nbsm, r00tat, ' +
      'ungip); the wired port is M-Bus 2400 (one user report, parity UNVERIFIED). Captures with keys: amsreader ' +
      'issue #501 ([research] §1). Netz Burgenland also installs a Kaifa MA309 (optical, 15 s, other order): no ' +
      'capture, not covered.',
  },
  {
    id: 'at-wels-im350',
    meter: 'Siemens IM350',
    operator: 'Wels Strom / eww (Upper Austria)',
    country: 'AT',
    framing: 'hdlc',
    serial: P1_115200_8N1,
    keys: ['GUEK'],
    payload: 'positional',
    intervalMs: 1000,
    timezone: 'Europe/Vienna',
    layouts: [WELS_LAYOUT],
    match: { manufacturers: ['SMS'], elements: [10], framing: ['hdlc'] },
    securityControls: [0x20],
    notes: 'RJ11/RJ12 P1-style inverted output, 115200 8N1 (Tasmota docs "Siemens IM-350 (RAW)": "used in the grid ' +
      'of Wels Strom"; [shrdzm] default). 10 elements: push-setup name, meter serial (8 characters), time, date, ' +
      '+A, -A, +R, -R, +P, -P (uint32, Wh/varh/W) — the Kärnten list without its customer-info strings, not the ' +
      'Wiener Netze one; two captures with key in [shrdzm] ("IM350 Wels added", 2021-05-23; [research] §2). ' +
      'SC 0x20. Push every second INFERRED from counter and clock deltas.',
  },
];
