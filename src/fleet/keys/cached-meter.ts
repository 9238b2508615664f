/**
 * A decrypted meter as the directory caches it (MeterEntry) and as a lookup hands it out (CachedMeter).
 *
 * The entry is one small object of one shape: the strings (repeated ones interned), the keys as an offset into a
 * shared 8 KB slab, and the expiry as a small integer, all in private fields (not copied by spread, not
 * serialised). A Uint8Array view costs ~70 bytes of heap, two per meter were 14 MB with 100,000 meters; so the
 * views are made per lookup instead (a few short-lived objects per frame, which the young generation collects).
 *
 * CachedMeter is a class only for its prototype: `JSON.stringify` and `util.inspect` (console.log, pino's
 * serializers) show "[set]" instead of the keys, so a stray log line cannot carry them; the keys themselves are
 * plain fields (spreading or destructuring works as for any FleetMeter).
 */
import { inspect } from 'node:util';
import type { FleetMeter } from '../contracts.js';
import type { MeterKeys } from './envelope.js';

const KEY_BYTES = 16;
const HAS_GUEK = 1;
const HAS_GAK = 2;

export class CachedMeter implements FleetMeter {
  meterId: string;
  topicId: string;
  systemTitle?: string;
  profile?: string;
  guek?: Uint8Array;
  gak?: Uint8Array;
  timeZone: string;

  constructor(fields: Omit<FleetMeter, 'guek' | 'gak'>, keys: MeterKeys) {
    this.meterId = fields.meterId;
    this.topicId = fields.topicId;
    if (fields.systemTitle !== undefined) this.systemTitle = fields.systemTitle;
    if (fields.profile !== undefined) this.profile = fields.profile;
    if (keys.guek !== undefined) this.guek = keys.guek;
    if (keys.gak !== undefined) this.gak = keys.gak;
    this.timeZone = fields.timeZone;
  }

  /** What serialisation sees: everything but the keys, which show as "[set]". */
  toJSON(): Record<string, string | undefined> {
    return {
      meterId: this.meterId, topicId: this.topicId, systemTitle: this.systemTitle, profile: this.profile,
      timeZone: this.timeZone, guek: this.guek ? '[set]' : undefined, gak: this.gak ? '[set]' : undefined,
    };
  }

  [inspect.custom](): string {
    return `CachedMeter ${inspect(this.toJSON())}`;
  }
}

/** One cached meter: ~50 bytes plus its strings and 32 bytes of slab (see the module comment). */
export class MeterEntry {
  readonly meterId: string;
  readonly topicId: string;
  readonly #systemTitle: string | undefined;
  readonly #profile: string | undefined;
  readonly #timeZone: string;
  /** The slab holding the keys (GUEK first when present, then GAK), undefined for a meter without keys. */
  readonly #slab: Uint8Array | undefined;
  /** Offset × 4 + which keys (HAS_GUEK | HAS_GAK): one small integer. */
  readonly #keys: number;
  /** Expiry in whole seconds since the directory's epoch: a small integer, so no boxed number per meter. */
  #expiresAt = 0;

  constructor(fields: Omit<FleetMeter, 'guek' | 'gak'>, keys: MeterKeys, slab: KeySlab) {
    this.meterId = fields.meterId;
    this.topicId = fields.topicId;
    this.#systemTitle = fields.systemTitle;
    this.#profile = fields.profile;
    this.#timeZone = fields.timeZone;
    const has = (keys.guek ? HAS_GUEK : 0) | (keys.gak ? HAS_GAK : 0);
    const n = (keys.guek ? 1 : 0) + (keys.gak ? 1 : 0);
    if (n === 0) {
      this.#slab = undefined;
      this.#keys = 0;
      return;
    }
    const { slab: s, at } = slab.place(n * KEY_BYTES);
    if (keys.guek) s.set(keys.guek, at);
    if (keys.gak) s.set(keys.gak, at + (keys.guek ? KEY_BYTES : 0));
    this.#slab = s;
    this.#keys = at * 4 + has;
  }

  expiresBy(second: number): void {
    this.#expiresAt = second;
  }

  /** Whether it is still fresh at `second` (same epoch). */
  freshAt(second: number): boolean {
    return second < this.#expiresAt;
  }

  /** The meter as lookups hand it out: a new object with views of the slab (trusted worker code only). */
  meter(): CachedMeter {
    const keys: MeterKeys = {};
    const s = this.#slab;
    if (s !== undefined) {
      let at = this.#keys >>> 2;
      if (this.#keys & HAS_GUEK) {
        keys.guek = s.subarray(at, at + KEY_BYTES);
        at += KEY_BYTES;
      }
      if (this.#keys & HAS_GAK) keys.gak = s.subarray(at, at + KEY_BYTES);
    }
    return new CachedMeter({
      meterId: this.meterId, topicId: this.topicId, timeZone: this.#timeZone, systemTitle: this.#systemTitle, profile: this.#profile,
    }, keys);
  }

  toJSON(): Record<string, string | undefined> {
    return { meterId: this.meterId, topicId: this.topicId, keys: this.#slab ? '[set]' : undefined };
  }

  [inspect.custom](): string {
    return `MeterEntry ${inspect(this.toJSON())}`;
  }
}

/** Interns the few distinct profile and zone names so 100,000 meters share a handful of strings. */
export class StringInterner {
  private readonly strings = new Map<string, string>();

  constructor(private readonly max = 1024) {}

  intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size < this.max) this.strings.set(s, s);
    return s;
  }
}

/**
 * Places keys in 8 KB slabs, as Node's Buffer pool does: an offset per meter instead of a view plus its own
 * ArrayBuffer (and off-heap backing store) per key. A slab is freed once no cached meter (and no view a lookup
 * handed out) refers to it. Evicted meters' bytes are not reused: an eviction is rare, and a slab whose meters
 * are all gone goes with them.
 */
export class KeySlab {
  private slab = new Uint8Array(0);
  private used = 0;

  constructor(private readonly size = 8192) {}

  place(bytes: number): { slab: Uint8Array; at: number } {
    if (this.used + bytes > this.slab.length) {
      this.slab = new Uint8Array(Math.max(this.size, bytes));
      this.used = 0;
    }
    const at = this.used;
    this.used += bytes;
    return { slab: this.slab, at };
  }
}
