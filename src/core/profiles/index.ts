/** Meter/operator profiles: types, the built-in data, and selection. */
export type {
  KeyName, Parity, PayloadShape, PositionalField, PositionalLayout, Profile, ProfileMatch, SerialSettings,
} from './types.js';
export { BUILTIN_PROFILES, getProfile, listProfiles } from './builtin.js';
export { selectProfile, manufacturerFromSystemTitle } from './select.js';
export type { ProfileHints } from './select.js';
