/**
 * A decrypted meter as the directory caches it. A class only for its prototype: `JSON.stringify` and
 * `util.inspect` (console.log, pino's serializers) show "[set]" instead of the keys, so a stray log line cannot
 * carry them; the keys themselves are plain fields (spreading or destructuring works as for any FleetMeter).
 * Keys are slices of a shared slab and repeated strings are shared, and the expiry is a small integer in a
 * private field (not copied by spread, not serialised): 100,000 of these stay small.
 */
import { inspect } from 'node:util';
import type { FleetMeter } from '../contracts.js';
import type { MeterKeys } from './envelope.js';

export class CachedMeter implements FleetMeter {
  meterId: string;
  topicId: string;
  systemTitle?: string;
  profile?: string;
  guek?: Uint8Array;
  gak?: Uint8Array;
  timeZone: string;
  /** Expiry in whole seconds since the directory's epoch: a small integer, so no boxed number per meter. */
  #expiresAt = 0;

  constructor(fields: Omit<FleetMeter, 'guek' | 'gak'>, keys: MeterKeys) {
    this.meterId = fields.meterId;
    this.topicId = fields.topicId;
    if (fields.systemTitle !== undefined) this.systemTitle = fields.systemTitle;
    if (fields.profile !== undefined) this.profile = fields.profile;
    if (keys.guek !== undefined) this.guek = keys.guek;
    if (keys.gak !== undefined) this.gak = keys.gak;
    this.timeZone = fields.timeZone;
  }

  expiresBy(second: number): void {
    this.#expiresAt = second;
  }

  /** Whether it is still fresh at `second` (same epoch). */
  freshAt(second: number): boolean {
    return second < this.#expiresAt;
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
 * Hands out key-sized slices of 8 KB slabs, as Node's Buffer pool does: one small view per key instead of a
 * view plus its own ArrayBuffer (and off-heap backing store). A slab is freed once none of its keys is cached.
 * The slab is internal to the directory; its views belong to trusted worker code.
 */
export class KeySlab {
  private slab = new Uint8Array(0);
  private used = 0;

  constructor(private readonly size = 8192) {}

  take(bytes: number): Uint8Array {
    if (this.used + bytes > this.slab.length) {
      this.slab = new Uint8Array(Math.max(this.size, bytes));
      this.used = 0;
    }
    const view = this.slab.subarray(this.used, this.used + bytes);
    this.used += bytes;
    return view;
  }
}
