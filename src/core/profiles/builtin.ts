/**
 * The built-in profiles (data in `data/builtin-profiles.ts`) with id lookup. Profiles are frozen: callers that
 * want a variant copy one (or load a profile file) instead of mutating shared data.
 */
import type { Profile } from './types.js';
import { BUILTIN_PROFILE_DATA } from './data/builtin-profiles.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v as object)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export const BUILTIN_PROFILES: readonly Profile[] = deepFreeze(BUILTIN_PROFILE_DATA.slice());

const BY_ID: ReadonlyMap<string, Profile> = new Map(BUILTIN_PROFILES.map((p) => [p.id, p]));

/** The built-in profile with this id, or undefined. */
export function getProfile(id: string, profiles: readonly Profile[] = BUILTIN_PROFILES): Profile | undefined {
  if (profiles === BUILTIN_PROFILES) return BY_ID.get(id);
  return profiles.find((p) => p.id === id);
}

/** All built-in profiles, in their documented order. */
export function listProfiles(): readonly Profile[] {
  return BUILTIN_PROFILES;
}
