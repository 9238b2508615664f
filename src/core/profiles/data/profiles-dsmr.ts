/** Built-in profiles: DSMR P1 text meters (NL, BE, LU Smarty). Sources: see builtin-profiles.ts. */
import type { Profile } from '../types.js';
import { DSMR22_9600_7E1, P1_115200_8N1 } from './building-blocks.js';

export const DSMR_PROFILES: readonly Profile[] = [
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
      '(AAD 30‖GAK) per [seed-2], so the tag is verified with it when no --auth-key is given, and a frame of this ' +
      'family without a tag is refused (AUTH_REQUIRED). 115200 8N1 as DSMR 5 P1 (inferred from P1, not stated in ' +
      'the seeds).',
  },
];
