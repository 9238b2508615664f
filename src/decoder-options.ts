/** User-facing decoder options → the core pipeline's resolved options (keys parsed, profile looked up). */
import { MeterError } from './core/errors.js';
import { parseKey } from './core/security/keys.js';
import { getProfile, listProfiles } from './core/profiles/builtin.js';
import type { Profile } from './core/profiles/types.js';
import type { FramingFormat } from './core/framing/auto-framer.js';
import type { PipelineOptions } from './core/pipeline.js';

export interface DecoderOptions {
  /** GUEK: 32 hex digits (spaces/colons allowed), 16 ASCII characters, or 16 bytes. */
  key?: string | Uint8Array;
  /** GAK, same forms. Without it, authenticated frames are decrypted and marked unverified. */
  authKey?: string | Uint8Array;
  /** Profile id (see `meterwire profiles`) or a Profile object. Default: chosen per message. */
  profile?: string | Profile;
  /** Extra profiles (e.g. loaded from user files) for automatic selection. */
  profiles?: readonly Profile[];
  format?: FramingFormat;
  /** Adds the decrypted APDU (hex) to each message, for diagnostics. */
  includeApdu?: boolean;
  /** Keeps a DSMR meter's telegram with its message (non-enumerable `telegram`), for the DSMR proxy. */
  keepTelegram?: boolean;
  /**
   * Accepts frames without an authentication tag where one is required (a GAK is configured, or the meter
   * family always sends tags). Off by default: such a frame is refused as a possible downgrade (AUTH_REQUIRED).
   */
  allowUnauthenticated?: boolean;
}

/** The core pipeline's options, keys parsed and profile resolved; the AES port is added by the caller. */
export type ResolvedOptions = Omit<PipelineOptions, 'aes'>;

const FORMATS: readonly string[] = ['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'];

export function resolveProfile(p: string | Profile | undefined, extra: readonly Profile[] = []): Profile | undefined {
  if (p === undefined || typeof p !== 'string') return p;
  const found = extra.find((x) => x.id === p) ?? getProfile(p);
  if (!found) {
    const ids = [...extra, ...listProfiles()].map((x) => x.id).join(', ');
    throw new MeterError('UNKNOWN_PROFILE', 'config', `unknown profile "${p}"; known profiles: ${ids}`);
  }
  return found;
}

function badOption(name: string, expected: string, v: unknown): never {
  throw new MeterError('BAD_CONFIG', 'config', `decoder option "${name}" must be ${expected}, got ${v === null ? 'null' : typeof v}`);
}

/** Library callers may pass anything: wrong types are BAD_CONFIG/BAD_KEY errors, never a TypeError. */
function checkTypes(o: DecoderOptions): void {
  if (o === null || typeof o !== 'object') badOption('options', 'an object', o);
  const p = o.profile as unknown;
  if (p !== undefined && typeof p !== 'string' && (typeof p !== 'object' || p === null)) badOption('profile', 'a profile id or object', p);
  if (o.profiles !== undefined && !Array.isArray(o.profiles)) badOption('profiles', 'an array of profiles', o.profiles);
  for (const k of ['includeApdu', 'keepTelegram', 'allowUnauthenticated'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') badOption(k, 'true or false', o[k]);
  }
}

export function resolveDecoderOptions(o: DecoderOptions): ResolvedOptions {
  checkTypes(o);
  if (o.format !== undefined && !FORMATS.includes(o.format)) {
    throw new MeterError('UNKNOWN_FORMAT', 'config', `unknown format "${String(o.format)}"; use one of ${FORMATS.join(', ')}`);
  }
  const r: ResolvedOptions = {};
  if (o.key !== undefined && o.key !== null && o.key !== '') r.key = parseKey(o.key, 'GUEK');
  if (o.authKey !== undefined && o.authKey !== null && o.authKey !== '') r.authKey = parseKey(o.authKey, 'GAK');
  const profile = resolveProfile(o.profile, o.profiles);
  if (profile) r.profile = profile;
  if (o.profiles) r.profiles = [...o.profiles, ...listProfiles()];
  if (o.format) r.format = o.format;
  if (o.includeApdu) r.includeApdu = true;
  if (o.keepTelegram) r.keepTelegram = true;
  if (o.allowUnauthenticated) r.allowUnauthenticated = true;
  return r;
}
