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
import { SIM_EPOCH_MS } from './energy-curve.js';
import type { Profile } from '../core/profiles/types.js';

/** Keys the simulator uses when none are given: printable, so users see the 16-character key form work. */
export const DEMO_KEY = 'METERWIREDEMOKEY';
export const DEMO_AUTH_KEY = 'METERWIREDEMOGAK';


export interface SimulatorOptions {
  profile: string;
  key?: string | Uint8Array;
  authKey?: string | Uint8Array;
  seed?: number;
  /** First frame counter, then +1 per frame (default: from each frame's time, so restarts keep counting up). */
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
  // Without a given start, the counter starts from the first frame's meter time: tenths of a second since 2024
  // (not seconds since 1970), then +1 per frame like a real meter (so a gap means a lost frame). A simulator
  // restarted after pushing at intervals down to 100 ms, or after writing a back-dated capture at once, still
  // continues above its last counter, or a reader that keeps counters would refuse its frames as replays.
  // Fits the 32-bit invocation counter until about 2037.
  let counter = o.frameCounter;
  let model: ReturnType<typeof createMeterModel> | undefined;
  const sc = recipe.securityControl;
  return {
    profile,
    encrypted: sc !== undefined,
    authenticated: sc !== undefined && (sc & 0x10) !== 0,
    frame(nowMs) {
      model ??= createMeterModel({ seed: o.seed ?? 1, startMs: nowMs });
      const state = model.step(nowMs);
      counter ??= Math.floor((nowMs - SIM_EPOCH_MS) / 100) % 0xffffffff;
      const frameCounter = counter++;
      return encodeSimulatedFrame(state, { profile, aes: nodeAesGcm, key, authKey, frameCounter });
    },
  };
}
