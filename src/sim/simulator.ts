/**
 * A simulated meter of any supported family: evolving values from the meter model, encoded and encrypted like
 * the real one, with an incrementing frame counter. Used by `meterwire simulate`, the `sim:` source that the
 * README's main command reads when no meter is attached, and the tests.
 */
import { nodeAesGcm } from '../crypto/node-aes-gcm.js';
import { createMeterModel } from './meter-model.js';
import { encodeSimulatedFrame, recipeFor } from './profile-frames.js';
import { getProfile, listProfiles } from '../core/profiles/builtin.js';
import { parseKey } from '../core/security/keys.js';
import { MeterError } from '../core/errors.js';
import type { Profile } from '../core/profiles/types.js';

/** Keys the simulator uses when none are given: printable, so users see the 16-character key form work. */
export const DEMO_KEY = 'METERWIREDEMOKEY';
export const DEMO_AUTH_KEY = 'METERWIREDEMOGAK';

const COUNTER_EPOCH_MS = Date.UTC(2024, 0, 1);

export interface SimulatorOptions {
  profile: string;
  key?: string | Uint8Array;
  authKey?: string | Uint8Array;
  seed?: number;
  /** First frame counter (default: from the clock, so restarts keep counting up like a real meter). */
  frameCounter?: number;
}

export interface Simulator {
  readonly profile: Profile;
  readonly encrypted: boolean;
  readonly authenticated: boolean;
  /** The next message as it would arrive on the wire, for the meter's state at `nowMs`. */
  frame(nowMs: number): Uint8Array;
}

export function createSimulator(o: SimulatorOptions): Simulator {
  const profile = getProfile(o.profile);
  if (!profile) {
    throw new MeterError('UNKNOWN_PROFILE', 'config', `unknown profile "${o.profile}"; see \`meterwire profiles\` (${listProfiles().map((p) => p.id).join(', ')})`);
  }
  const recipe = recipeFor(profile.id);
  const key = parseKey(o.key ?? DEMO_KEY, 'GUEK');
  const authKey = parseKey(o.authKey ?? DEMO_AUTH_KEY, 'GAK');
  // Tenths of a second since 2024 (not seconds since 1970): a simulator restarted after sending at sub-second
  // intervals (`--interval 300`) must still continue above its last counter, or a reader that keeps counters
  // sees its frames as replays. Fits the 32-bit invocation counter until about 2037.
  let counter = o.frameCounter ?? Math.floor((Date.now() - COUNTER_EPOCH_MS) / 100) % 0xffffffff;
  let model: ReturnType<typeof createMeterModel> | undefined;
  const sc = recipe.securityControl;
  return {
    profile,
    encrypted: sc !== undefined,
    authenticated: sc !== undefined && (sc & 0x10) !== 0,
    frame(nowMs) {
      model ??= createMeterModel({ seed: o.seed ?? 1, startMs: nowMs - 3_600_000 });
      const state = model.step(nowMs);
      return encodeSimulatedFrame(state, { profile, aes: nodeAesGcm, key, authKey, frameCounter: counter++ });
    },
  };
}
