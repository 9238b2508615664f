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
 * - decode config (holds copies of the keys): one per meter in a bounded LRU, sharing one frozen profile list.
 *   A changed key or profile in the registry replaces the entry. The AES port keeps nothing per key (fleet-aes.ts).
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
import type { Profile } from '../../core/profiles/types.js';
import type { FleetMeter } from '../contracts.js';
import { LruMap } from './lru-map.js';

export interface FrameDecoder {
  /** Every message and error message the payload holds (normally exactly one). Never throws. */
  decode(payload: Uint8Array, meter: FleetMeter): DecodeResult[];
  /** Meters whose decode config is cached now. */
  readonly cachedMeters: number;
}

export interface FrameDecoderOptions {
  /**
   * Meters whose decode config stays cached (default 100,000; an entry is ~0.3 kB: the key copies, no cipher,
   * see fleet-aes.ts). A miss costs a new config, a few µs.
   */
  maxMeters?: number;
  aes?: AesGcm;
}

interface MeterEntry {
  guek: Uint8Array | undefined;
  gak: Uint8Array | undefined;
  profile: string | undefined;
  config: DecodeConfig;
  state: DecodeState;
}

const DEFAULT_MAX_METERS = 100_000;

const KIND_BY_FIRST_BYTE: Record<number, Exclude<FramingFormat, 'auto'>> = { 0x2f: 'dsmr', 0x68: 'mbus', 0x7e: 'hdlc', 0xdb: 'apdu', 0x0f: 'apdu' };

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function createFrameDecoder(o: FrameDecoderOptions = {}): FrameDecoder {
  const aes = o.aes ?? fleetAesGcm;
  const meters = new LruMap<string, MeterEntry>(o.maxMeters ?? DEFAULT_MAX_METERS);
  const shared = createDecodeConfig({ aes });

  /** createDecodeConfig copies the profile list per config; a fleet's configs share the one frozen list instead. */
  function meterConfig(meter: FleetMeter, profile: Profile | undefined): DecodeConfig {
    return Object.freeze({
      ...shared,
      ...(meter.guek ? { key: meter.guek.slice() } : {}),
      ...(meter.gak ? { authKey: meter.gak.slice() } : {}),
      ...(profile ? { profile } : {}),
    });
  }
  const statesByProfile = new Map<string, DecodeState>();
  const framers = new Map<string, Framer>();

  function entryFor(meter: FleetMeter): MeterEntry {
    const cached = meters.get(meter.meterId);
    if (cached && cached.profile === meter.profile && sameBytes(cached.guek, meter.guek) && sameBytes(cached.gak, meter.gak)) return cached;
    // Throws UNKNOWN_PROFILE for a registry row naming a profile this version does not know.
    const profile = resolveProfile(meter.profile);
    const config = meterConfig(meter, profile);
    const stateKey = profile?.id ?? '';
    let state = statesByProfile.get(stateKey);
    if (state === undefined) {
      state = createDecodeState(config);
      statesByProfile.set(stateKey, state);
    }
    const entry: MeterEntry = { guek: config.key, gak: config.authKey, profile: meter.profile, config, state };
    meters.set(meter.meterId, entry);
    return entry;
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
    get cachedMeters() {
      return meters.size;
    },
    decode(payload, meter) {
      try {
        const bytes = decodeMqttPayload(payload);
        if (bytes.length === 0) return [errorMessage(new MeterError('BAD_INPUT', 'input', 'the MQTT payload is empty'))];
        const { config, state } = entryFor(meter);
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
