/**
 * The identities of a simulated fleet: per meter a topic id, a meter number, a system title, a profile and its
 * own keys. Keys come from the CSPRNG; with a seed they are derived from it instead, which is for tests and
 * benchmarks only (anyone who knows the seed knows every key).
 */
import { randomBytes } from 'node:crypto';
import { MeterError } from '../../core/errors.js';
import { getProfile } from '../../core/profiles/builtin.js';
import { prng } from '../meter-model.js';
import { recipeFor, simulatedProfiles } from '../profile-frames.js';

export interface FleetMeterSpec {
  topicId: string;
  /** The meter number the meter sends (DSMR equipment id, COSEM 0-0:96.1.0): also its registry id. */
  meterId: string;
  /** 16 hex digits, upper case; undefined for plaintext meters (DSMR), which send none. */
  systemTitle?: string;
  profile: string;
  guek?: Uint8Array;
  gak?: Uint8Array;
  timeZone: string;
}

const ZONES: Readonly<Record<string, string>> = {
  nl: 'Europe/Amsterdam', be: 'Europe/Brussels', lu: 'Europe/Luxembourg', at: 'Europe/Vienna', no: 'Europe/Oslo',
};

export function timeZoneOf(profile: string): string {
  return ZONES[profile.slice(0, 2)] ?? 'Europe/Vienna';
}

/** The profiles a fleet mixes by default: every family the simulator plays that is also a built-in profile. */
export function fleetProfiles(requested?: readonly string[]): string[] {
  const all = simulatedProfiles().filter((p) => getProfile(p) !== undefined);
  if (!requested || requested.length === 0) return all;
  for (const p of requested) {
    if (!all.includes(p)) throw new MeterError('UNKNOWN_PROFILE', 'config', `the fleet simulator cannot play profile "${p}"; it plays: ${all.join(', ')}`);
  }
  return [...new Set(requested)];
}

export const topicIdOf = (index: number): string => `sim-${String(index + 1).padStart(6, '0')}`;

/** The family's meter number with its last digits replaced by the meter's serial: same length, unique per index. */
export function meterNumberOf(profile: string, index: number): string {
  const base = recipeFor(profile).meterNumber;
  const k = Math.min(8, base.length);
  if (index + 1 >= 10 ** k) throw new MeterError('BAD_CONFIG', 'config', `profile ${profile} numbers at most ${10 ** k - 1} meters`);
  return base.slice(0, base.length - k) + String(index + 1).padStart(k, '0');
}

export function isEncrypted(profile: string): boolean {
  return recipeFor(profile).securityControl !== undefined;
}

export function isAuthenticated(profile: string): boolean {
  const sc = recipeFor(profile).securityControl;
  return sc !== undefined && (sc & 0x10) !== 0;
}

/** Random bytes: the CSPRNG, or a seeded stream (test-only, see the module comment). */
function byteSource(seed: number | undefined): (n: number) => Uint8Array {
  if (seed === undefined) return (n) => new Uint8Array(randomBytes(n));
  const rnd = prng((seed ^ 0x5eed1e57) >>> 0);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}

const hexUpper = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** N meters, the profiles dealt round-robin so every family is equally represented. */
export function generateFleetMeters(n: number, o: { seed?: number; profiles?: readonly string[] } = {}): FleetMeterSpec[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new MeterError('BAD_CONFIG', 'config', `--fleet expects a positive number of meters, got ${n}`);
  const profiles = fleetProfiles(o.profiles);
  const bytes = byteSource(o.seed);
  const titles = new Set<string>();
  const out: FleetMeterSpec[] = [];
  for (let i = 0; i < n; i++) {
    const profile = profiles[i % profiles.length];
    const recipe = recipeFor(profile);
    const encrypted = isEncrypted(profile);
    let systemTitle: string | undefined;
    if (encrypted) {
      // Three manufacturer letters and five random serial bytes, redrawn on the rare collision: distinct titles.
      do systemTitle = hexUpper(Uint8Array.from(recipe.manufacturer, (c) => c.charCodeAt(0))) + hexUpper(bytes(5));
      while (titles.has(systemTitle));
      titles.add(systemTitle);
    }
    out.push({
      topicId: topicIdOf(i), meterId: meterNumberOf(profile, i), systemTitle, profile,
      guek: encrypted ? bytes(16) : undefined, gak: isAuthenticated(profile) ? bytes(16) : undefined,
      timeZone: timeZoneOf(profile),
    });
  }
  return out;
}
