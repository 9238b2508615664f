/**
 * Decodes one MQTT payload of one meter with that meter's keys, cheaply enough for tens of thousands of frames a
 * second on one core. A `createPipeline` per frame costs ~150 µs (mostly building the auto-detecting framer and the
 * decode state), ten times the decode itself, so the parts are kept instead:
 *
 * - framers: one per framing kind, shared by all meters and chosen by the payload's first byte. Each payload is a
 *   whole unit: `push` then `flush` leaves a framer empty again (flush resets it), so nothing carries over from
 *   one meter's payload to the next. An unusual first byte gets a fresh auto-detecting framer (rare, and correct).
 * - decode state: one per profile choice. It holds only caches checked against the bytes they stand for (interned
 *   OBIS codes, the previous list's layout, profile rankings), and its profile chooser depends on the profile, not
 *   on keys; so meters of one profile can share it, where a state per meter would cost ~5–10 kB each.
 * - decode config: nothing per meter. A frame's config is one small object of a fixed shape built from the
 *   directory's cached meter (its keys by reference, the profile's base config) and dropped after the frame: the
 *   directory already holds each meter once, and a second per-meter cache here (key copies, a frozen config, a
 *   map entry) cost ~370–400 bytes per meter, +37–40 MB of heap with 100,000 meters (bench/fleet-memory.mjs).
 *   A changed key or profile in the registry is used from the next frame on. The AES port keeps nothing per key
 *   (fleet-aes.ts).
 */
import { MeterError } from '../../core/errors.js';
import { decodeMqttPayload } from '../../adapters/sources/payload-encoding.js';
import { fleetAesGcm } from './fleet-aes.js';
import { createDecodeConfig, createDecodeState, type DecodeConfig, type DecodeState } from '../../core/decode-config.js';
import { createFramer, type FramingFormat } from '../../core/framing/auto-framer.js';
import type { Framer, FramerEvent } from '../../core/framing/types.js';
import type { DecodeResult } from '../../core/model/message.js';
import { decodeFrameEvent, errorMessage } from '../../core/pipeline.js';
import { resolveProfile } from '../../decoder-options.js';
import type { AesGcm } from '../../core/security/aes-gcm.js';
import type { FleetMeter } from '../contracts.js';

export interface FrameDecoder {
  /** Every message and error message the payload holds (normally exactly one). Never throws. */
  decode(payload: Uint8Array, meter: FleetMeter): DecodeResult[];
}

export interface FrameDecoderOptions {
  aes?: AesGcm;
}

/** What meters of one profile choice share: the config without keys and the decode state. */
interface ProfileEntry {
  base: DecodeConfig;
  state: DecodeState;
}

const KIND_BY_FIRST_BYTE: Record<number, Exclude<FramingFormat, 'auto'>> = { 0x2f: 'dsmr', 0x68: 'mbus', 0x7e: 'hdlc', 0xdb: 'apdu', 0x0f: 'apdu' };

/** The profile choices kept, at most: the built-in profiles are a few dozen; only known names are kept. */
const MAX_PROFILES = 256;

export function createFrameDecoder(o: FrameDecoderOptions = {}): FrameDecoder {
  const aes = o.aes ?? fleetAesGcm;
  const shared = createDecodeConfig({ aes });
  const profiles = new Map<string | undefined, ProfileEntry>();
  const framers = new Map<string, Framer>();

  function profileEntry(name: string | undefined): ProfileEntry {
    const known = profiles.get(name);
    if (known !== undefined) return known;
    // Throws UNKNOWN_PROFILE for a registry row naming a profile this version does not know (not remembered).
    const profile = resolveProfile(name);
    const base: DecodeConfig = profile ? Object.freeze({ ...shared, profile }) : shared;
    // Keyed by profile id too: a name and its canonical id share one state.
    const state = [...profiles.values()].find((e) => e.base.profile === profile)?.state ?? createDecodeState(base);
    const entry = { base, state };
    if (profiles.size < MAX_PROFILES) profiles.set(name, entry);
    return entry;
  }

  /** The frame's config: same shape for every meter (one hidden class); keys by reference, never copied or kept. */
  function configOf(base: DecodeConfig, meter: FleetMeter): DecodeConfig {
    return {
      aes: base.aes, key: meter.guek, authKey: meter.gak, profile: base.profile, profiles: base.profiles,
      includeApdu: base.includeApdu, keepTelegram: base.keepTelegram, allowUnauthenticated: base.allowUnauthenticated,
    };
  }

  function frame(bytes: Uint8Array): FramerEvent[] {
    const kind = KIND_BY_FIRST_BYTE[bytes[0]];
    if (kind === undefined) {
      const fresh = createFramer('auto');
      return [...fresh.push(bytes), ...fresh.flush()];
    }
    let framer = framers.get(kind);
    if (framer === undefined) {
      framer = createFramer(kind);
      framers.set(kind, framer);
    }
    try {
      const events = framer.push(bytes);
      for (const ev of framer.flush()) events.push(ev);
      return events;
    } catch (e) {
      framers.delete(kind); // a framer that threw (a bug) may hold half a unit: never reuse it
      throw e;
    }
  }

  return {
    decode(payload, meter) {
      try {
        const bytes = decodeMqttPayload(payload);
        if (bytes.length === 0) return [errorMessage(new MeterError('BAD_INPUT', 'input', 'the MQTT payload is empty'))];
        const { base, state } = profileEntry(meter.profile);
        const config = configOf(base, meter);
        const out: DecodeResult[] = [];
        for (const ev of frame(bytes)) {
          if (ev.type === 'frame') out.push(decodeFrameEvent(ev, config, state));
          else if (ev.error) out.push(errorMessage(ev.error, ev.kind));
        }
        return out;
      } catch (e) {
        return [errorMessage(e)];
      }
    },
  };
}
