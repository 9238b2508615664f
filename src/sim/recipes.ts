/**
 * How the simulator plays each profile's meter: the values it lists, the body shape, security and link-layer
 * options, including the quirks real meters have (two-segment M-Bus, 68 01 01 68 length wrap, HDLC segmentation,
 * general-block-transfer, the Kaifa 09 0C date-time tag). Data, not code: one entry per family.
 */
import type { BodyShape } from '../core/dlms/encode-notification-body.js';
import type { MbusEncodeOptions } from '../core/framing/encode-mbus.js';
import type { HdlcEncodeOptions } from '../core/framing/encode-hdlc.js';

export interface SimField {
  obis: string;
  scaler?: number;
  unit?: string;
  type?: 'u16' | 'u32' | 'i16' | 'i32';
}

export interface SimRecipe {
  /** ASCII manufacturer id + 5 serial bytes make the system title. */
  manufacturer: string;
  meterNumber: string;
  /** The OBIS code that carries the meter number in DSMR payloads (default 0-0:96.1.1; Smarty: 0-0:42.0.0). */
  dsmrIdObis?: string;
  /** DSMR telegram header (without '/') for DSMR payloads. */
  dsmrHeader?: string;
  /** DSMR lines: code and unit (kWh/kW as NL meters, Wh/W as the Austrian T210-D-r). */
  dsmrFields?: SimField[];
  body?: BodyShape;
  fields?: SimField[];
  securityControl?: number;
  mbus?: MbusEncodeOptions;
  hdlc?: HdlcEncodeOptions;
  gbtBlockSize?: number;
  dateTimeTagQuirk?: boolean;
  /** Positional layouts: number of elements to send. */
  elements?: number;
  /** Text values by OBIS (list versions, meter types, customer info). */
  texts?: Record<string, string>;
  /** Whether the body carries the meter number (EVN trailing octet-string, Kaifa 96.1.0 object). */
  sendMeterNumber?: boolean;
}

const V = { scaler: -1, unit: 'V', type: 'u16' } as const;
const A = { scaler: -2, unit: 'A', type: 'u16' } as const;
const WH = { scaler: 0, unit: 'Wh', type: 'u32' } as const;
const W = { scaler: 0, unit: 'W', type: 'u32' } as const;

/** The EVN (Netz NÖ) list: energy, power, voltages, currents, power factor. */
const EVN_FIELDS: SimField[] = [
  { obis: '1-0:1.8.0', ...WH }, { obis: '1-0:2.8.0', ...WH }, { obis: '1-0:1.7.0', ...W }, { obis: '1-0:2.7.0', ...W },
  { obis: '1-0:32.7.0', ...V }, { obis: '1-0:52.7.0', ...V }, { obis: '1-0:72.7.0', ...V },
  { obis: '1-0:31.7.0', ...A }, { obis: '1-0:51.7.0', ...A }, { obis: '1-0:71.7.0', ...A },
  { obis: '1-0:13.7.0', scaler: -3, type: 'i16' },
];

const KSM_FIELDS: SimField[] = [
  { obis: '1-0:32.7.0', ...V }, { obis: '1-0:52.7.0', ...V }, { obis: '1-0:72.7.0', ...V },
  { obis: '1-0:31.7.0', ...A }, { obis: '1-0:51.7.0', ...A }, { obis: '1-0:71.7.0', ...A },
  { obis: '1-0:1.7.0', ...W }, { obis: '1-0:2.7.0', ...W }, { obis: '1-0:1.8.0', ...WH }, { obis: '1-0:2.8.0', ...WH },
  { obis: '1-0:3.8.0', scaler: 0, unit: 'varh', type: 'u32' }, { obis: '1-0:4.8.0', scaler: 0, unit: 'varh', type: 'u32' },
];

const LG_FIELDS: SimField[] = ['1.8.0', '1.8.1', '1.8.2', '1.7.0', '2.8.0', '2.8.1', '2.8.2', '2.7.0',
  '3.8.0', '3.8.1', '3.8.2', '3.7.0', '4.8.0', '4.8.1', '4.8.2', '4.7.0'].map((c) => ({ obis: `1-0:${c}`, type: 'u32' }));

const AIDON_FIELDS: SimField[] = [
  { obis: '1-0:1.7.0', ...W }, { obis: '1-0:2.7.0', ...W }, { obis: '1-0:3.7.0', scaler: 0, unit: 'var', type: 'u32' },
  { obis: '1-0:4.7.0', scaler: 0, unit: 'var', type: 'u32' }, { obis: '1-0:31.7.0', scaler: -1, unit: 'A', type: 'i16' },
  { obis: '1-0:32.7.0', ...V },
];

const DSMR5_FIELDS: SimField[] = [
  ...['1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.1', '1-0:2.8.2'].map((obis) => ({ obis, unit: 'kWh', scaler: -3 })),
  { obis: '0-0:96.14.0' }, { obis: '1-0:1.7.0', unit: 'kW', scaler: -3 }, { obis: '1-0:2.7.0', unit: 'kW', scaler: -3 },
  ...['32', '52', '72'].map((c) => ({ obis: `1-0:${c}.7.0`, unit: 'V', scaler: -1 })),
  ...['31', '51', '71'].map((c) => ({ obis: `1-0:${c}.7.0`, unit: 'A', scaler: 0 })),
  ...['21', '41', '61', '22', '42', '62'].map((c) => ({ obis: `1-0:${c}.7.0`, unit: 'kW', scaler: -3 })),
];

const T210DR_FIELDS: SimField[] = ['1.8.0', '1.8.1', '1.8.2', '1.7.0', '2.8.0', '2.8.1', '2.8.2', '2.7.0', '3.8.0', '3.7.0', '4.8.0', '4.7.0']
  .map((c) => ({ obis: `1-0:${c}`, scaler: 0, unit: c.endsWith('8.0') || c.endsWith('8.1') || c.endsWith('8.2')
    ? (c.startsWith('3') || c.startsWith('4') ? 'varh' : 'Wh') : (c.startsWith('3') || c.startsWith('4') ? 'var' : 'W') }));

export const SIM_RECIPES: Record<string, SimRecipe> = {
  'nl-dsmr5': { manufacturer: 'ISK', meterNumber: 'E0044007382246019', dsmrHeader: 'ISK5\\2M550T-1012', dsmrFields: DSMR5_FIELDS },
  'nl-dsmr4': { manufacturer: 'KFM', meterNumber: 'E0026000024716', dsmrHeader: 'KFM5KAIFA-METER', dsmrFields: DSMR5_FIELDS },
  'be-fluvius': { manufacturer: 'FLU', meterNumber: '1SAG3102160538', dsmrHeader: 'FLU5\\253769484_A', dsmrFields: DSMR5_FIELDS },
  'lu-smarty': { manufacturer: 'SAG', meterNumber: 'SAG1030700114004', dsmrHeader: 'Ene5\\T210-D ESMR5.0', securityControl: 0x30,
    dsmrIdObis: '0-0:42.0.0',
    dsmrFields: [{ obis: '1-0:1.8.0', unit: 'kWh', scaler: -3 }, { obis: '1-0:2.8.0', unit: 'kWh', scaler: -3 },
      { obis: '1-0:1.7.0', unit: 'kW', scaler: -3 }, { obis: '1-0:2.7.0', unit: 'kW', scaler: -3 }, ...DSMR5_FIELDS.slice(7, 13)] },
  'at-steiermark-t210dr': { manufacturer: 'SAG', meterNumber: 'EST1053710000', dsmrHeader: 'EST5\\253710000_A', securityControl: 0x30,
    dsmrFields: T210DR_FIELDS },
  'at-evn-sagemcom-t210d': { manufacturer: 'SAG', meterNumber: '178210193075', body: 'obis-structures-flat', fields: EVN_FIELDS,
    securityControl: 0x20, mbus: { maxSegmentData: 252, wrapLength: true }, sendMeterNumber: true },
  'at-evn-kaifa-ma309': { manufacturer: 'KFM', meterNumber: '181220000009', body: 'obis-structures-flat', fields: EVN_FIELDS,
    securityControl: 0x20, sendMeterNumber: true },
  'at-ksm-west-kaifa': { manufacturer: 'KFM', meterNumber: '1KFM0200234804', body: 'obis-structures', fields: KSM_FIELDS,
    securityControl: 0x21, sendMeterNumber: true, texts: { '0-0:42.0.0': 'KFM1200200234804' } },
  'at-wienernetze-siemens': { manufacturer: 'SMS', meterNumber: 'SMS1030788000020', elements: 10, securityControl: 0x20,
    hdlc: { srcAddress: Uint8Array.of(0x00, 0x02, 0x00, 0x23), destAddress: Uint8Array.of(0xcf) } },
  'at-kaernten-am550': { manufacturer: 'ISK', meterNumber: '1121378381199', elements: 12, securityControl: 0x20,
    texts: { '0-0:96.13.0': '', '0-0:96.13.1': '' }, hdlc: { srcAddress: Uint8Array.of(0x02, 0x23), destAddress: Uint8Array.of(0xcf) } },
  'at-lg-e450': { manufacturer: 'LGZ', meterNumber: '4C475A', body: 'obis-flat', fields: LG_FIELDS, securityControl: 0x30,
    gbtBlockSize: 119, hdlc: { destAddress: Uint8Array.of(0xce, 0xff), srcAddress: Uint8Array.of(0x03) } },
  'no-aidon': { manufacturer: 'ADN', meterNumber: '7359992890941742', body: 'obis-array', fields: AIDON_FIELDS,
    sendMeterNumber: true, texts: { '1-1:0.2.129': 'AIDON_V0001' }, hdlc: { maxInfo: 120 } },
  'no-kaifa': { manufacturer: 'KFM', meterNumber: '6970631401753985', elements: 13, dateTimeTagQuirk: true,
    texts: { '1-1:0.2.129': 'KFM_001', '0-0:96.1.7': 'MA304H3E' } },
};
