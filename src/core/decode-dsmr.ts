/**
 * DSMR stage: one telegram (plain P1, or the plaintext of a Luxembourg/Styrian envelope) → one message, with the
 * integrity policy of DESIGN §7 for its CRC16 (DSMR 5.0.2 §6.2):
 * - a valid CRC: the checksum guarantee holds;
 * - no CRC in a plain telegram that says it has one (a version line 1-3:0.2.8 / 0-0:96.1.4, i.e. DSMR 4/5 and
 *   e-MUCS, or a profile whose telegrams carry one): MISSING_CRC — it was cut or forged, not a DSMR 2.2 meter;
 * - no CRC in a DSMR 2.2/3.0 telegram (which never had one): readings flagged `crc_absent`;
 * - no CRC inside an envelope whose tag verified: harmless (some Luxembourg meters omit it);
 *   inside one that was not verified: flagged `crc_absent` with an issue, since neither vouched for the text.
 */
import { MeterError } from './errors.js';
import { parseDsmrTelegram, telegramHasCrcByVersion, type DsmrTelegram } from './dsmr/parse-telegram.js';
import { attachTelegram } from './model/telegram.js';
import { buildMessage, finishReadings } from './model/build-message.js';
import { meterInfo, type MessageFormat, type MeterMessage, type QualityFlag, type Reading } from './model/message.js';
import type { Profile } from './profiles/types.js';
import type { DecodeConfig, DecodeState } from './decode-config.js';
import type { UnitEnvelope } from './decode-envelope-info.js';

const CRC_ABSENT: readonly QualityFlag[] = ['crc_absent'];

/** DSMR 4 introduced the version line together with the CRC; Fluvius e-MUCS has its own version object. */
function claimsCrc(t: DsmrTelegram, profile: Profile | undefined): boolean {
  return telegramHasCrcByVersion(t) === true || profile?.dsmrCrc === true;
}

function missingCrc(t: DsmrTelegram): never {
  throw new MeterError('MISSING_CRC', 'dsmr',
    `the telegram ends without its CRC although it is ${t.version !== undefined ? `DSMR version ${t.version}` : 'of a meter family'} ` +
    'that always sends one: it was cut short or altered on the way, so its values are not delivered');
}

/** The quality flags the telegram's CRC state adds, or a MISSING_CRC error. */
function crcQuality(t: DsmrTelegram, env: UnitEnvelope, profile: Profile | undefined, issues: DsmrTelegram['issues']): readonly QualityFlag[] {
  if (t.crc !== 'absent') return env.quality;
  if (env.enveloped) {
    if (env.security.authenticated) return env.quality;
    issues.push({ code: 'CRC_ABSENT', message: 'the telegram has no CRC and its envelope was not authenticated: ' +
      'nothing vouches for the values (pass the GAK with --auth-key to verify them)' });
    return [...env.quality, ...CRC_ABSENT];
  }
  if (claimsCrc(t, profile)) missingCrc(t);
  return env.quality.length ? [...env.quality, ...CRC_ABSENT] : CRC_ABSENT;
}

export function decodeDsmrTelegram(telegram: Uint8Array, format: MessageFormat, config: DecodeConfig, state: DecodeState,
  env: UnitEnvelope): MeterMessage {
  const t = parseDsmrTelegram(telegram, { factory: state.factory });
  // Profiles match the identification line as it stands on the wire, starting with '/'.
  const profile = state.chooser.choose({ format: 'dsmr', dsmrHeader: `/${t.header}`, manufacturer: env.meter.manufacturer });
  if (config.profile && config.profile.payload !== 'dsmr') {
    t.issues.push({ code: 'PROFILE_MISMATCH', message: `profile ${config.profile.id} is for DLMS lists, but this is a DSMR ` +
      'telegram: decoded as DSMR' });
  }
  const quality = crcQuality(t, env, profile, t.issues);
  const security = t.crc === 'valid' ? { ...env.security, checksum: 'verified' as const } : env.security;
  const meter = meterInfo(t.equipmentId, env.meter.systemTitle, env.meter.manufacturer || t.manufacturer, profile?.id);
  // A named factory built final Readings; they only lack the envelope's flags and id numbering.
  const readings = finishReadings(t.readings as Reading[], quality, state.factory, t.issues);
  const msg = buildMessage({ meter, timestamp: t.timestamp, format, security, readings, issues: t.issues });
  if (config.keepTelegram) attachTelegram(msg, latin1Text(telegram));
  return msg;
}

/** The telegram as text, one char per byte (DSMR is ASCII), without TextDecoder's windows-1252 mapping. */
function latin1Text(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 4096)));
  return s;
}
