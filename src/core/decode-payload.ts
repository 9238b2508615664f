/**
 * One framed unit → one normalised message: the security envelope (0xDB), then the DSMR text or the DLMS
 * data-notification inside, then profile-driven naming. Throws MeterError; the pipeline turns it into an
 * error message.
 */
import { MeterError } from './errors.js';
import { bytesToHex } from './bytes/hex.js';
import { parseDsmrTelegram } from './dsmr/parse-telegram.js';
import { decodeDataNotification } from './dlms/data-notification.js';
import { interpretNotification } from './dlms/payload.js';
import { decodeGeneralGloCipher, openGeneralGloCipher, isPlausiblePlaintext } from './security/glo-cipher.js';
import { isEncrypted } from './security/security-control.js';
import { selectProfile, manufacturerFromSystemTitle, type ProfileHints } from './profiles/select.js';
import { attachTelegram } from './model/telegram.js';
import { finishReadings, nameReadings, type ObisCache } from './model/build-message.js';
import { createReadingFactory, type ReadingFactory } from './model/reading-factory.js';
import type { AesGcm } from './security/aes-gcm.js';
import type { Profile } from './profiles/types.js';
import { meterInfo, type MessageFormat, type MeterInfo, type MeterMessage, type QualityFlag, type Reading, type SecurityInfo } from './model/message.js';
import type { DlmsValue } from './dlms/types.js';

export interface PayloadContext {
  aes: AesGcm;
  key?: Uint8Array;
  authKey?: Uint8Array;
  profile?: Profile;
  profiles?: readonly Profile[];
  includeApdu?: boolean;
  keepTelegram?: boolean;
  /** Per-decoder memo of registry lookups and profile choices (the same meter repeats itself). */
  obisCache?: ObisCache;
  profileCache?: Map<string, Profile | null>;
  /** Per-decoder interned OBIS codes; readings are built named, in one allocation (see reading-factory.ts). */
  readingFactory?: ReadingFactory;
  /** Set by chooseProfile when profileCache is given. */
  lastProfile?: LastProfileChoice;
}

/** The hints of the previous choice and its result: a meter sends the same hints every time. */
export interface LastProfileChoice {
  hints: ProfileHints;
  profile: Profile | undefined;
}

function sameHints(a: ProfileHints, b: ProfileHints): boolean {
  return a.format === b.format && a.manufacturer === b.manufacturer && a.dsmrHeader === b.dsmrHeader &&
    a.elements === b.elements && a.hasObis === b.hasObis && a.firstElementTypes?.[0] === b.firstElementTypes?.[0];
}

/** Profile selection is deterministic for the same hints: remember it per decoder. */
function chooseProfile(ctx: PayloadContext, hints: ProfileHints): Profile | undefined {
  if (ctx.profile) return ctx.profile;
  const cache = ctx.profileCache;
  if (!cache) return selectProfile(hints, ctx.profiles);
  const last = ctx.lastProfile;
  if (last && sameHints(last.hints, hints)) return last.profile;
  const key = `${hints.format}|${hints.manufacturer}|${hints.dsmrHeader}|${hints.elements}|${hints.hasObis}|${hints.firstElementTypes?.[0]}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = selectProfile(hints, ctx.profiles) ?? null;
    if (cache.size < 256) cache.set(key, p);
  }
  ctx.lastProfile = { hints, profile: p ?? undefined };
  return p ?? undefined;
}

const NO_QUALITY: QualityFlag[] = [];
const UNVERIFIED: QualityFlag[] = ['unverified'];

interface Envelope {
  meter: MeterInfo;
  security?: SecurityInfo;
  quality: QualityFlag[];
}

export function decodeDsmrFrame(telegram: Uint8Array, ctx: PayloadContext, format: MessageFormat = 'dsmr',
  env: Envelope = { meter: {}, quality: NO_QUALITY }): MeterMessage {
  const factory = ctx.readingFactory ?? createReadingFactory(true);
  const t = parseDsmrTelegram(telegram, { factory });
  // Profiles match the identification line as it stands on the wire, starting with '/'.
  const profile = chooseProfile(ctx, { format: 'dsmr', dsmrHeader: `/${t.header}`, manufacturer: env.meter.manufacturer });
  const meter = meterInfo(t.equipmentId, env.meter.systemTitle, env.meter.manufacturer || t.manufacturer, profile?.id);
  // A named factory built final Readings; they only lack the envelope's flags and id numbering.
  const readings = finishReadings(t.readings as Reading[], env.quality, factory);
  const msg = message(meter, t.timestamp, format, env.security, readings, t.issues);
  if (ctx.keepTelegram) attachTelegram(msg, latin1Text(telegram));
  return msg;
}

/** The telegram as text, one char per byte (DSMR is ASCII), without TextDecoder's windows-1252 mapping. */
function latin1Text(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 4096)));
  return s;
}

export function decodeApdu(apdu: Uint8Array, format: MessageFormat, ctx: PayloadContext): MeterMessage {
  if (apdu.length === 0) throw new MeterError('TRUNCATED', 'dlms', 'empty APDU');
  if (apdu[0] !== 0xdb) return decodePlainApdu(apdu, format, ctx, { meter: {}, quality: NO_QUALITY });
  const c = decodeGeneralGloCipher(apdu);
  const opened = openGeneralGloCipher(c, ctx, ctx.aes);
  const systemTitle = bytesToHex(c.systemTitle);
  const env: Envelope = {
    meter: { systemTitle, manufacturer: manufacturerFromSystemTitle(c.systemTitle) },
    security: {
      securityControl: c.securityControl,
      frameCounter: c.invocationCounter,
      authenticated: opened.authenticated,
      encrypted: isEncrypted(c.securityControl),
      checksum: format === 'mbus' || format === 'hdlc' ? 'verified' : 'absent',
    },
    quality: opened.unverified ? UNVERIFIED : NO_QUALITY,
  };
  const p = opened.plaintext;
  if (!opened.authenticated && env.security?.encrypted && !isPlausiblePlaintext(p)) {
    throw new MeterError('WRONG_KEY', 'security',
      'decryption gave no valid message: the GUEK (--key) is likely wrong' +
      (ctx.authKey ? ' or swapped with the GAK (--auth-key)' : '') + '. Check the key from your grid operator.');
  }
  try {
    const msg = p[0] === 0x2f ? decodeDsmrFrame(p, ctx, format, env) : decodePlainApdu(p, format, ctx, env);
    // decodePlainApdu already adds the DLMS plaintext; a DSMR telegram inside the envelope is added here.
    if (ctx.includeApdu && p[0] === 0x2f) (msg as MeterMessage & { apdu?: string }).apdu = bytesToHex(p);
    return msg;
  } catch (e) {
    // Without a tag, a wrong key shows up as undecodable plaintext: say so instead of a parser detail.
    if (e instanceof MeterError && !opened.authenticated && env.security?.encrypted && e.code !== 'UNKNOWN_LAYOUT') {
      throw new MeterError('WRONG_KEY', 'security',
        `the decrypted message does not decode (${e.message}): the GUEK (--key) is likely wrong`);
    }
    throw e;
  }
}

function isObisOctets(v: DlmsValue | undefined): boolean {
  return v !== undefined && v.type === 'octet-string' && v.bytes.length === 6;
}

/** What the body shows about itself, for profile selection: element count, OBIS codes, leading types. */
function bodyHints(body: DlmsValue): { elements?: number; hasObis?: boolean; firstElementTypes?: string[] } {
  if (body.type !== 'structure' && body.type !== 'array') return {};
  const items = body.items;
  let hasObis = false;
  for (let i = 0; i < items.length && !hasObis; i++) {
    const it = items[i];
    hasObis = (isObisOctets(it) && i + 1 < items.length && items[i + 1].type !== 'octet-string') ||
      ((it.type === 'structure' || it.type === 'array') && isObisOctets(it.items[0]));
  }
  return { elements: items.length, hasObis, firstElementTypes: items.length ? [items[0].type] : [] };
}

function decodePlainApdu(apdu: Uint8Array, format: MessageFormat, ctx: PayloadContext, env: Envelope): MeterMessage {
  const n = decodeDataNotification(apdu);
  const profile = chooseProfile(ctx, {
    format: format === 'dsmr' ? undefined : format,
    manufacturer: env.meter.manufacturer,
    ...bodyHints(n.body),
  });
  const result = interpretNotification(n.body, { profile, headerDateTime: n.dateTime });
  const meter = meterInfo(result.meterId ?? env.meter.systemTitle, env.meter.systemTitle, env.meter.manufacturer, profile?.id);
  const msg = message(meter, result.timestamp, format, env.security, nameReadings(result.readings, env.quality, ctx.obisCache), result.issues);
  if (ctx.includeApdu) (msg as MeterMessage & { apdu?: string }).apdu = bytesToHex(apdu);
  return msg;
}

/** Builds the message in the JSON key order of DESIGN §4 (meter, timestamp, format, security, readings, issues). */
export function message(meter: MeterInfo, timestamp: string | undefined, format: MessageFormat, security: SecurityInfo | undefined,
  readings: MeterMessage['readings'], issues: MeterMessage['issues']): MeterMessage {
  const m = { meter } as MeterMessage;
  if (timestamp !== undefined) m.timestamp = timestamp;
  m.format = format;
  if (security) m.security = security;
  m.readings = readings;
  m.issues = issues;
  return m;
}
