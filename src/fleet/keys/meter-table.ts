/**
 * The directory's cache of decrypted meters, packed into a few arrays indexed by a slot number instead of one
 * object per meter: a worker holds 100,000 of them, and an object per meter (its header, eight fields, a map
 * entry of its own) was ~220 of the ~320 bytes each cost. Here a meter is a map entry topic id → slot (the map's
 * key string is the topic id), a pointer to its meter id (the same string when they are equal), its system title,
 * 32 bytes of keys, and a few bytes of flags, expiry and interned profile and zone.
 *
 * A freed slot is never reused and its bytes never overwritten: a lookup hands out views of the key array, and a
 * frame may still be decoding with such a view while the meter is evicted (a notification arriving during another
 * meter's query). When freed slots outnumber live ones, the live meters move to fresh arrays; the old arrays stay
 * with the views that still refer to them until the garbage collector takes both.
 */
import type { FleetMeter } from '../contracts.js';
import { CachedMeter } from './cached-meter.js';
import type { MeterKeys } from './envelope.js';

const KEY_BYTES = 16;
const SLOT_KEY_BYTES = 2 * KEY_BYTES;
const HAS_GUEK = 1;
const HAS_GAK = 2;
const INITIAL_SLOTS = 1024;

export type MeterFields = Omit<FleetMeter, 'guek' | 'gak'>;

/** Profile and zone names by small index (0: none), shared by every meter that has them. */
class NameIndex {
  readonly names: (string | undefined)[] = [undefined];
  private readonly index = new Map<string, number>();

  /** The name's index; the few distinct names fit (65,535 at most, then further ones are refused). */
  of(name: string | undefined): number {
    if (name === undefined) return 0;
    const known = this.index.get(name);
    if (known !== undefined) return known;
    if (this.names.length > 0xffff) throw new RangeError('more than 65,535 distinct profile and zone names');
    this.names.push(name);
    this.index.set(name, this.names.length - 1);
    return this.names.length - 1;
  }
}

export class MeterTable {
  /** topic id → slot. */
  #slots = new Map<string, number>();
  /** meter id → topic id, only for meters whose meter id differs from their topic id (eviction by meter id). */
  #topicOfMeter = new Map<string, string>();
  #meterIds: string[] = [];
  #titles: (string | undefined)[] = [];
  #keys = new Uint8Array(INITIAL_SLOTS * SLOT_KEY_BYTES);
  #has = new Uint8Array(INITIAL_SLOTS);
  #expires = new Int32Array(INITIAL_SLOTS);
  #profiles = new Uint16Array(INITIAL_SLOTS);
  #zones = new Uint16Array(INITIAL_SLOTS);
  #used = 0;
  readonly #names = new NameIndex();

  get size(): number {
    return this.#slots.size;
  }

  /** The meter's slot, or -1. */
  slotOf(topicId: string): number {
    return this.#slots.get(topicId) ?? -1;
  }

  /** Whether the slot's entry is still fresh at `second` (the directory's clock). */
  freshAt(slot: number, second: number): boolean {
    return second < this.#expires[slot];
  }

  /**
   * Caches a meter until `expiresAt` (whole seconds), replacing what was cached for its topic id and for its
   * meter id (a meter that moved to another topic id). Copies the keys; the caller wipes its own.
   */
  set(fields: MeterFields, keys: MeterKeys, expiresAt: number): void {
    this.deleteMeter(fields.meterId);
    this.#deleteTopic(fields.topicId);
    if (this.#used === this.#has.length) this.#grow();
    const slot = this.#used++;
    const at = slot * SLOT_KEY_BYTES;
    if (keys.guek) this.#keys.set(keys.guek, at);
    if (keys.gak) this.#keys.set(keys.gak, at + KEY_BYTES);
    this.#has[slot] = (keys.guek ? HAS_GUEK : 0) | (keys.gak ? HAS_GAK : 0);
    this.#expires[slot] = expiresAt;
    this.#profiles[slot] = this.#names.of(fields.profile);
    this.#zones[slot] = this.#names.of(fields.timeZone);
    this.#meterIds[slot] = fields.meterId === fields.topicId ? fields.topicId : fields.meterId;
    this.#titles[slot] = fields.systemTitle;
    this.#slots.set(fields.topicId, slot);
    if (fields.meterId !== fields.topicId) this.#topicOfMeter.set(fields.meterId, fields.topicId);
  }

  /** The cached meter of a slot: a new object with views of the key array (trusted worker code only). */
  meter(slot: number, topicId: string): CachedMeter {
    const keys: MeterKeys = {};
    const at = slot * SLOT_KEY_BYTES;
    const has = this.#has[slot];
    if (has & HAS_GUEK) keys.guek = this.#keys.subarray(at, at + KEY_BYTES);
    if (has & HAS_GAK) keys.gak = this.#keys.subarray(at + KEY_BYTES, at + SLOT_KEY_BYTES);
    const names = this.#names.names;
    const fields: MeterFields = { meterId: this.#meterIds[slot], topicId, timeZone: names[this.#zones[slot]] as string };
    const title = this.#titles[slot];
    if (title !== undefined) fields.systemTitle = title;
    const profile = names[this.#profiles[slot]];
    if (profile !== undefined) fields.profile = profile;
    return new CachedMeter(fields, keys);
  }

  /** Forgets the meter with this meter id, wherever its topic id points. */
  deleteMeter(meterId: string): void {
    const topic = this.#topicOfMeter.get(meterId);
    if (topic !== undefined) {
      this.#topicOfMeter.delete(meterId);
      this.#free(topic);
      return;
    }
    const slot = this.#slots.get(meterId);
    if (slot !== undefined && this.#meterIds[slot] === meterId) this.#free(meterId);
  }

  clear(): void {
    this.#slots = new Map();
    this.#topicOfMeter = new Map();
    this.#allocate(INITIAL_SLOTS);
  }

  #deleteTopic(topicId: string): void {
    const slot = this.#slots.get(topicId);
    if (slot === undefined) return;
    const meterId = this.#meterIds[slot];
    if (meterId !== topicId) this.#topicOfMeter.delete(meterId);
    this.#free(topicId);
  }

  #free(topicId: string): void {
    const slot = this.#slots.get(topicId);
    if (slot === undefined) return;
    this.#slots.delete(topicId);
    // The slot's strings go now; its bytes stay (views may be in use) until the arrays are replaced.
    this.#meterIds[slot] = '';
    this.#titles[slot] = undefined;
  }

  /** Room for one more: compacts into fresh arrays when most slots are freed ones, else doubles them. */
  #grow(): void {
    const live = this.#slots.size;
    const capacity = live * 2 <= this.#used ? Math.max(INITIAL_SLOTS, live * 2) : this.#has.length * 2;
    const old = { keys: this.#keys, has: this.#has, expires: this.#expires, profiles: this.#profiles, zones: this.#zones, meterIds: this.#meterIds, titles: this.#titles };
    const slots = [...this.#slots];
    this.#allocate(capacity);
    for (const [topicId, from] of slots) {
      const to = this.#used++;
      this.#keys.set(old.keys.subarray(from * SLOT_KEY_BYTES, (from + 1) * SLOT_KEY_BYTES), to * SLOT_KEY_BYTES);
      this.#has[to] = old.has[from];
      this.#expires[to] = old.expires[from];
      this.#profiles[to] = old.profiles[from];
      this.#zones[to] = old.zones[from];
      this.#meterIds[to] = old.meterIds[from];
      this.#titles[to] = old.titles[from];
      this.#slots.set(topicId, to);
    }
  }

  /** Fresh, empty arrays of `capacity` slots (the old ones are left to outstanding views and the GC). */
  #allocate(capacity: number): void {
    this.#keys = new Uint8Array(capacity * SLOT_KEY_BYTES);
    this.#has = new Uint8Array(capacity);
    this.#expires = new Int32Array(capacity);
    this.#profiles = new Uint16Array(capacity);
    this.#zones = new Uint16Array(capacity);
    this.#meterIds = [];
    this.#titles = [];
    this.#used = 0;
  }

  toJSON(): Record<string, number> {
    return { meters: this.size };
  }
}
