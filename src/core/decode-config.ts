/**
 * What a decoder is configured with, apart from what it learns while it runs. The configuration is immutable
 * (frozen, keys copied), so one can be shared by many decoders (the fleet's workers) and a reload swaps it
 * whole; the state (reading factory, profile memo, per-title notes) belongs to one decoder.
 */
import type { AesGcm } from './security/aes-gcm.js';
import type { Profile } from './profiles/types.js';
import { BUILTIN_PROFILES } from './profiles/builtin.js';
import { createProfileChooser, type ProfileChooser } from './profile-chooser.js';
import { createReadingFactory, type ReadingFactory } from './model/reading-factory.js';

export interface DecodeConfig {
  readonly aes: AesGcm;
  readonly key?: Uint8Array;
  readonly authKey?: Uint8Array;
  /** Forces a profile; otherwise one is chosen per message. */
  readonly profile?: Profile;
  /** Profiles to choose from automatically (user files first, then the built-in ones). */
  readonly profiles: readonly Profile[];
  /** Adds the decrypted APDU as hex to each message (diagnostics; contains meter data, never keys). */
  readonly includeApdu: boolean;
  /** Attaches a DSMR meter's telegram to its message as the non-enumerable `telegram` (for the DSMR proxy). */
  readonly keepTelegram: boolean;
  /** Accept frames without a tag even where one is required (a GAK is configured or the family always sends one). */
  readonly allowUnauthenticated: boolean;
}

export interface DecodeConfigInput {
  aes: AesGcm;
  key?: Uint8Array;
  authKey?: Uint8Array;
  profile?: Profile;
  profiles?: readonly Profile[];
  includeApdu?: boolean;
  keepTelegram?: boolean;
  allowUnauthenticated?: boolean;
}

export function createDecodeConfig(o: DecodeConfigInput): DecodeConfig {
  const c: DecodeConfig = {
    aes: o.aes,
    ...(o.key ? { key: o.key.slice() } : {}),
    ...(o.authKey ? { authKey: o.authKey.slice() } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    profiles: Object.freeze([...(o.profiles ?? BUILTIN_PROFILES)]),
    includeApdu: o.includeApdu === true,
    keepTelegram: o.keepTelegram === true,
    allowUnauthenticated: o.allowUnauthenticated === true,
  };
  return Object.freeze(c);
}

export interface DecodeState {
  readonly chooser: ProfileChooser;
  /** Interns OBIS codes and builds named readings; remembers the previous message's ids. */
  readonly factory: ReadingFactory;
  /** System titles whose tag did not verify with an operator-published GAK: not tried again. */
  readonly defaultKeyFailed: Set<string>;
}

const MAX_TITLES = 1024;

export function createDecodeState(config: DecodeConfig): DecodeState {
  return { chooser: createProfileChooser(config), factory: createReadingFactory(true), defaultKeyFailed: new Set() };
}

/** Remembers a title in a bounded set (a stream of forged titles must not grow memory). */
export function rememberTitle(set: Set<string>, title: string): void {
  if (set.size >= MAX_TITLES) set.clear();
  set.add(title);
}
