/**
 * The directory's cache of decrypted meters, packed into typed arrays indexed by a slot number: a worker holds
 * 100,000 of them, and JS objects, strings and Map entries cost ~320 bytes a meter (30 MB); here a meter is ~100
 * bytes. Its topic id and meter id are UTF-8 bytes in a text slab, found through an open-addressing hash index;
 * its keys are 32 bytes, its system title 8; flags, expiry and the interned profile and zone a few more. A lookup
 * builds the meter's strings (meter id, system title) again: a few short-lived objects for the young generation.
 *
 * A freed slot is never reused and its bytes are never overwritten: a lookup hands out views of the key array, and
 * a frame may still be decoding with such a view while the meter is evicted (a notification arriving during another
 * meter's query). When the arrays are full they are replaced by fresh ones holding only the live meters; the old
 * ones stay with the views that still refer to them until the garbage collector takes both.
 */
import type { FleetMeter } from '../contracts.js';
import { CachedMeter } from './cached-meter.js';
import type { MeterKeys } from './envelope.js';

const KEY_BYTES = 16;
const SLOT_KEY_BYTES = 2 * KEY_BYTES;
const TITLE_BYTES = 8;
const HAS_GUEK = 1;
const HAS_GAK = 2;
/** The system title is in the title array (16 upper-case hex digits, as the import writes them). */
const HAS_TITLE = 4;
/** The system title is some other text, kept in `#oddTitles`. */
const HAS_ODD_TITLE = 8;
const LIVE = 16;
/** `#meterLen` of a meter whose meter id is its topic id. */
const SAME_AS_TOPIC = 0xffff;
const INITIAL_SLOTS = 256;
const CANONICAL_TITLE = /^[0-9A-F]{16}$/;

export type MeterFields = Omit<FleetMeter, 'guek' | 'gak'>;

/** Profile and zone names by small index (0: none), shared by every meter that has them. */
class NameIndex {
  readonly names: (string | undefined)[] = [undefined];
  private readonly index = new Map<string, number>();

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

const encoder = new TextEncoder();

/** FNV-1a over bytes: short ids, few collisions, no allocation. */
function hashOf(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** The arrays of one generation of slots (replaced whole when full, see the module comment). */
class Slots {
  readonly keys: Uint8Array;
  readonly titles: Buffer;
  readonly flags: Uint8Array;
  readonly expires: Int32Array;
  readonly profiles: Uint16Array;
  readonly zones: Uint16Array;
  readonly topicAt: Int32Array;
  readonly topicLen: Uint16Array;
  readonly meterAt: Int32Array;
  readonly meterLen: Uint16Array;
  /** Open-addressing indexes: slot + 1, 0 for empty; topic ids, and meter ids that differ from theirs. */
  readonly byTopic: Int32Array;
  readonly byMeter: Int32Array;
  text: Buffer;
  textUsed = 0;
  used = 0;

  constructor(readonly capacity: number, textBytes: number) {
    this.keys = new Uint8Array(capacity * SLOT_KEY_BYTES);
    this.titles = Buffer.alloc(capacity * TITLE_BYTES);
    this.flags = new Uint8Array(capacity);
    this.expires = new Int32Array(capacity);
    this.profiles = new Uint16Array(capacity);
    this.zones = new Uint16Array(capacity);
    this.topicAt = new Int32Array(capacity);
    this.topicLen = new Uint16Array(capacity);
    this.meterAt = new Int32Array(capacity);
    this.meterLen = new Uint16Array(capacity);
    // Slots are never reused, so an index holds at most `capacity` entries: twice that keeps probes short.
    this.byTopic = new Int32Array(capacity * 2);
    this.byMeter = new Int32Array(capacity * 2);
    this.text = Buffer.alloc(textBytes);
  }

  /** Appends UTF-8 text; returns its offset. */
  addText(bytes: Uint8Array): number {
    if (this.textUsed + bytes.length > this.text.length) {
      const bigger = Buffer.alloc(Math.max(this.text.length * 2, this.textUsed + bytes.length));
      this.text.copy(bigger, 0, 0, this.textUsed);
      this.text = bigger;
    }
    const at = this.textUsed;
    this.text.set(bytes, at);
    this.textUsed += bytes.length;
    return at;
  }
}

export class MeterTable {
  #s = new Slots(INITIAL_SLOTS, INITIAL_SLOTS * 16);
  #live = 0;
  /** System titles that are not 16 upper-case hex digits (not from the import): by slot. */
  #oddTitles = new Map<number, string>();
  readonly #names = new NameIndex();
  #scratch = new Uint8Array(1024);

  get size(): number {
    return this.#live;
  }

  /** UTF-8 of `id` in the scratch buffer; returns its length. */
  #encode(id: string): number {
    if (id.length * 3 > this.#scratch.length) this.#scratch = new Uint8Array(id.length * 3);
    return encoder.encodeInto(id, this.#scratch).written;
  }

  /** The index position of the live meter whose id is the `n` bytes in the scratch, or -1. Freed ones are passed over. */
  #find(index: Int32Array, n: number, at: Int32Array, len: Uint16Array): number {
    const s = this.#s;
    const mask = index.length - 1;
    const scratch = this.#scratch;
    for (let i = hashOf(scratch, 0, n) & mask; ; i = (i + 1) & mask) {
      const entry = index[i];
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (len[slot] !== n || !(s.flags[slot] & LIVE)) continue;
      const from = at[slot];
      let same = true;
      for (let j = 0; j < n; j++) {
        if (s.text[from + j] !== scratch[j]) {
          same = false;
          break;
        }
      }
      if (same) return i;
    }
  }

  /** The live meter's slot, or -1. */
  slotOf(topicId: string): number {
    const s = this.#s;
    const i = this.#find(s.byTopic, this.#encode(topicId), s.topicAt, s.topicLen);
    return i < 0 ? -1 : s.byTopic[i] - 1;
  }

  /** Whether the slot's entry is still fresh at `second` (the directory's clock). */
  freshAt(slot: number, second: number): boolean {
    return second < this.#s.expires[slot];
  }

  /**
   * Caches a meter until `expiresAt` (whole seconds), replacing what was cached for its topic id and for its
   * meter id (a meter that moved to another topic id). Copies the keys; the caller wipes its own. Returns the slot.
   */
  set(fields: MeterFields, keys: MeterKeys, expiresAt: number): number {
    const topic = encoder.encode(fields.topicId);
    const meter = fields.meterId === fields.topicId ? undefined : encoder.encode(fields.meterId);
    if (topic.length >= SAME_AS_TOPIC || (meter?.length ?? 0) >= SAME_AS_TOPIC) throw new RangeError('topic id or meter id too long');
    this.deleteMeter(fields.meterId);
    this.#deleteTopic(fields.topicId);
    if (this.#s.used === this.#s.capacity) this.#renew();
    const s = this.#s;
    const slot = s.used++;
    const k = slot * SLOT_KEY_BYTES;
    if (keys.guek) s.keys.set(keys.guek, k);
    if (keys.gak) s.keys.set(keys.gak, k + KEY_BYTES);
    let flags = LIVE | (keys.guek ? HAS_GUEK : 0) | (keys.gak ? HAS_GAK : 0);
    const title = fields.systemTitle;
    if (title !== undefined && CANONICAL_TITLE.test(title)) {
      s.titles.write(title, slot * TITLE_BYTES, TITLE_BYTES, 'hex');
      flags |= HAS_TITLE;
    } else if (title !== undefined) {
      this.#oddTitles.set(slot, title);
      flags |= HAS_ODD_TITLE;
    }
    s.flags[slot] = flags;
    s.expires[slot] = expiresAt;
    s.profiles[slot] = this.#names.of(fields.profile);
    s.zones[slot] = this.#names.of(fields.timeZone);
    s.topicAt[slot] = s.addText(topic);
    s.topicLen[slot] = topic.length;
    this.#insert(s.byTopic, slot, topic);
    if (meter === undefined) {
      s.meterLen[slot] = SAME_AS_TOPIC;
    } else {
      s.meterAt[slot] = s.addText(meter);
      s.meterLen[slot] = meter.length;
      this.#insert(s.byMeter, slot, meter);
    }
    this.#live++;
    return slot;
  }

  /** Puts the slot into an index at the first free position of its text's probe sequence. */
  #insert(index: Int32Array, slot: number, text: Uint8Array): void {
    const mask = index.length - 1;
    let i = hashOf(text, 0, text.length) & mask;
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot + 1;
  }

  /** The cached meter of a slot: a new object with views of the key array (trusted worker code only). */
  meter(slot: number, topicId: string): CachedMeter {
    const s = this.#s;
    const keys: MeterKeys = {};
    const k = slot * SLOT_KEY_BYTES;
    const flags = s.flags[slot];
    if (flags & HAS_GUEK) keys.guek = s.keys.subarray(k, k + KEY_BYTES);
    if (flags & HAS_GAK) keys.gak = s.keys.subarray(k + KEY_BYTES, k + SLOT_KEY_BYTES);
    const names = this.#names.names;
    const len = s.meterLen[slot];
    const meterId = len === SAME_AS_TOPIC ? topicId : s.text.toString('utf8', s.meterAt[slot], s.meterAt[slot] + len);
    const fields: MeterFields = { meterId, topicId, timeZone: names[s.zones[slot]] as string };
    if (flags & HAS_TITLE) fields.systemTitle = s.titles.toString('hex', slot * TITLE_BYTES, (slot + 1) * TITLE_BYTES).toUpperCase();
    else if (flags & HAS_ODD_TITLE) fields.systemTitle = this.#oddTitles.get(slot);
    const profile = names[s.profiles[slot]];
    if (profile !== undefined) fields.profile = profile;
    return new CachedMeter(fields, keys);
  }

  /** Forgets the meter with this meter id, wherever its topic id points. */
  deleteMeter(meterId: string): void {
    const s = this.#s;
    const n = this.#encode(meterId);
    const i = this.#find(s.byMeter, n, s.meterAt, s.meterLen);
    if (i >= 0) {
      this.#free(s.byMeter[i] - 1);
      return;
    }
    const t = this.#find(s.byTopic, n, s.topicAt, s.topicLen);
    if (t >= 0 && s.meterLen[s.byTopic[t] - 1] === SAME_AS_TOPIC) this.#free(s.byTopic[t] - 1);
  }

  clear(): void {
    this.#s = new Slots(INITIAL_SLOTS, INITIAL_SLOTS * 16);
    this.#oddTitles = new Map();
    this.#live = 0;
  }

  #deleteTopic(topicId: string): void {
    const slot = this.slotOf(topicId);
    if (slot >= 0) this.#free(slot);
  }

  /** Marks the slot freed: it stays in the indexes (probes pass over it) and keeps its bytes until the arrays are renewed. */
  #free(slot: number): void {
    const s = this.#s;
    if (!(s.flags[slot] & LIVE)) return;
    s.flags[slot] &= ~LIVE;
    this.#oddTitles.delete(slot);
    this.#live--;
  }

  /** Fresh arrays with only the live meters: twice as many slots as live meters, at least the current number. */
  #renew(): void {
    const old = this.#s;
    const capacity = this.#live * 2 <= old.capacity ? Math.max(INITIAL_SLOTS, old.capacity) : old.capacity * 2;
    const oddTitles = this.#oddTitles;
    this.#s = new Slots(capacity, Math.max(INITIAL_SLOTS * 16, old.textUsed));
    this.#oddTitles = new Map();
    this.#live = 0;
    const s = this.#s;
    for (let from = 0; from < old.used; from++) {
      if (!(old.flags[from] & LIVE)) continue;
      const to = s.used++;
      s.keys.set(old.keys.subarray(from * SLOT_KEY_BYTES, (from + 1) * SLOT_KEY_BYTES), to * SLOT_KEY_BYTES);
      s.titles.set(old.titles.subarray(from * TITLE_BYTES, (from + 1) * TITLE_BYTES), to * TITLE_BYTES);
      s.flags[to] = old.flags[from];
      s.expires[to] = old.expires[from];
      s.profiles[to] = old.profiles[from];
      s.zones[to] = old.zones[from];
      const odd = oddTitles.get(from);
      if (odd !== undefined) this.#oddTitles.set(to, odd);
      const topic = old.text.subarray(old.topicAt[from], old.topicAt[from] + old.topicLen[from]);
      s.topicAt[to] = s.addText(topic);
      s.topicLen[to] = topic.length;
      this.#insert(s.byTopic, to, topic);
      const len = old.meterLen[from];
      s.meterLen[to] = len;
      if (len !== SAME_AS_TOPIC) {
        const meter = old.text.subarray(old.meterAt[from], old.meterAt[from] + len);
        s.meterAt[to] = s.addText(meter);
        this.#insert(s.byMeter, to, meter);
      }
      this.#live++;
    }
  }

  toJSON(): Record<string, number> {
    return { meters: this.size };
  }
}
