/**
 * A compiled plaintext of one simulated family: the bytes the real encoder (profile-frames.ts) writes, with the
 * positions of what changes from frame to frame (values, clock, invoke id, meter number, DSMR CRC). Encoding a
 * DLMS body through the generic A-XDR writer costs 100–700 µs; patching a template costs a few: the fleet
 * simulator's 25,000 frames/s need the latter. The slots are found by encoding probes that differ in one input
 * and comparing bytes, and a template is only used after it reproduced the real encoder's output exactly for
 * many random inputs (else the family stays on the real encoder).
 */
import { encodeCosemDate, encodeCosemDateTime, encodeCosemTime } from '../../core/dlms/datetime.js';
import { formatDsmrTimestamp } from '../../core/dsmr/format-telegram.js';
import { crc16Arc } from '../../core/bytes/crc.js';
import { DataTag } from '../../core/dlms/types.js';
import type { Profile } from '../../core/profiles/types.js';
import { cosemNow, encodeSimulatedPlaintext, type SimFrameOptions, type SimValueOf } from '../profile-frames.js';
import type { SimRecipe } from '../recipes.js';
import type { MeterState } from '../meter-model.js';
import { stateGetter } from '../state-values.js';

/** A value the meter sends: the code, unit and scaler its recipe or layout asks the model for. */
export interface TemplateField { obis: string; unit: string | undefined; scaler: number }

type Slot =
  | { kind: 'int'; at: number; width: number; field: number }
  | { kind: 'dec'; at: number; int: number; frac: number; field: number }
  | { kind: 'cosem-date-time' | 'cosem-date' | 'cosem-time' | 'dsmr-time' | 'counter' | 'meter-number' | 'meter-number-hex'; at: number };

export interface FrameTemplate {
  /** The values the meter sends, in the order the encoder asks for them. */
  readonly fields: readonly TemplateField[];
  /** The fields' values for a state (the readings a decoder must return), into `into` when given. */
  values(state: MeterState, into?: number[]): number[];
  /**
   * The plaintext for these field values (same order as `fields`), or undefined when a value does not fit its
   * slot (then the caller uses the real encoder for this frame). It is a view of the template's own buffer,
   * which the next fill overwrites.
   */
  fill(values: ArrayLike<number>, timeMs: number, frameCounter: number, meterNumber: string): Uint8Array | undefined;
}

export interface TemplateSample { state: MeterState; counter: number; meterNumber: string }

const INT_WIDTH: Readonly<Record<number, number>> = {
  [DataTag.Uint8]: 1, [DataTag.Int8]: 1, [DataTag.Enum]: 1, [DataTag.Uint16]: 2, [DataTag.Int16]: 2,
  [DataTag.Uint32]: 4, [DataTag.Int32]: 4, [DataTag.Uint64]: 8, [DataTag.Int64]: 8,
};

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const isDecChar = (b: number): boolean => (b >= 0x30 && b <= 0x39) || b === 0x2e;

function indexesOf(hay: Uint8Array, needle: Uint8Array, taken: Uint8Array): number[] {
  const out: number[] = [];
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j] || taken[i + j]) continue outer;
    out.push(i);
    i += needle.length - 1;
  }
  return out;
}

function beBytes(raw: number, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let v = BigInt(raw);
  if (v < 0n) v += 1n << BigInt(width * 8);
  for (let i = width - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Encodes with the real encoder and records which fields it asked for. */
function probe(o: SimFrameOptions, values: Map<string, number>, timeMs: number, seen?: TemplateField[]): Uint8Array {
  const valueOf: SimValueOf = (obis, unit, scaler) => {
    const key = `${obis}|${unit ?? ''}|${scaler}`;
    if (seen && !seen.some((f) => `${f.obis}|${f.unit ?? ''}|${f.scaler}` === key)) seen.push({ obis, unit, scaler });
    return values.get(key);
  };
  return encodeSimulatedPlaintext(valueOf, timeMs, o);
}

const keyOf = (f: TemplateField): string => `${f.obis}|${f.unit ?? ''}|${f.scaler}`;

/** A field's slot from the bytes that changed when only its value moved by one step (CRC bytes excluded). */
function slotOf(base: Uint8Array, moved: Uint8Array, field: number, raw: number, limit: number, dsmr: boolean): Slot | undefined {
  let first = -1, last = -1;
  for (let i = 0; i < limit; i++) if (base[i] !== moved[i]) { if (first < 0) first = i; last = i; }
  if (first < 0 || base.length !== moved.length) return undefined;
  if (dsmr) {
    let a = first, b = last + 1;
    while (a > 0 && isDecChar(base[a - 1])) a--;
    while (b < limit && isDecChar(base[b])) b++;
    const text = String.fromCharCode(...base.subarray(a, b));
    const dot = text.indexOf('.');
    return { kind: 'dec', at: a, int: dot < 0 ? text.length : dot, frac: dot < 0 ? 0 : text.length - dot - 1, field };
  }
  const end = last + 1;
  for (const width of [1, 2, 4, 8]) {
    const at = end - width;
    if (at < 1 || at > first || INT_WIDTH[base[at - 1]] !== width) continue;
    // The tag could be a value byte that looks like one: the bytes must also be the probe's integer.
    if (Math.abs(raw) >= 2 ** (8 * width) || !equalBytes(base.subarray(at, end), beBytes(raw, width))) continue;
    return { kind: 'int', at, width, field };
  }
  return undefined;
}

function writeInt(out: Uint8Array, at: number, width: number, raw: number): boolean {
  if (!Number.isSafeInteger(raw)) return false;
  if (width <= 4) {
    const bits = width * 8;
    const span = 2 ** bits;
    if (raw < -(span / 2) || raw >= span) return false;
    let v = raw < 0 ? raw + span : raw;
    for (let i = at + width - 1; i >= at; i--) { out[i] = v & 0xff; v = Math.floor(v / 256); }
    return true;
  }
  out.set(beBytes(raw, width), at);
  return true;
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

function writeDec(out: Uint8Array, at: number, int: number, frac: number, value: number): boolean {
  let raw = Math.round(value * POW10[frac]);
  if (!(raw >= 0 && raw < POW10[int + frac])) return false;
  let p = at + int + (frac > 0 ? 1 : 0) + frac - 1;
  for (let i = 0; i < frac; i++) { const q = Math.floor(raw / 10); out[p--] = 0x30 + raw - q * 10; raw = q; }
  if (frac > 0) out[p--] = 0x2e;
  for (let i = 0; i < int; i++) { const q = Math.floor(raw / 10); out[p--] = 0x30 + raw - q * 10; raw = q; }
  return true;
}

const HEX = '0123456789ABCDEF';
const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));
const hexOfText = (text: string): string => [...text].map((c) => HEX[(c.charCodeAt(0) >>> 4) & 0xf] + HEX[c.charCodeAt(0) & 0xf]).join('');

/** The clock encodings of the last second asked for: the meters of a fleet mostly send within the same second. */
function clockCache(encode: (ms: number) => Uint8Array): (ms: number) => Uint8Array {
  let second = NaN;
  let bytes: Uint8Array = new Uint8Array(0);
  return (ms) => {
    const s = Math.floor(ms / 1000);
    if (s !== second) { bytes = encode(s * 1000); second = s; }
    return bytes;
  };
}
const cosemDateTimeAt = clockCache((ms) => encodeCosemDateTime(cosemNow(ms)));
const cosemDateAt = clockCache((ms) => encodeCosemDate(cosemNow(ms)));
const cosemTimeAt = clockCache((ms) => encodeCosemTime(cosemNow(ms)));
const dsmrTimeAt = clockCache((ms) => ascii(formatDsmrTimestamp(new Date(ms).toISOString())));

const slotLength = (s: Slot, meterNumberLength: number): number => s.kind === 'dec' ? s.int + s.frac + (s.frac > 0 ? 1 : 0)
  : s.kind === 'dsmr-time' ? 13 : s.kind === 'meter-number' ? meterNumberLength : s.kind === 'meter-number-hex' ? 2 * meterNumberLength : 0;

/**
 * DSMR value text at out[p]: the integer part zero-padded to its minimum width `int`, `frac` decimals. Returns the
 * end, or -1 when the value is negative or not a safe integer in that precision.
 */
function writeDecText(out: Uint8Array, p: number, value: number, int: number, frac: number): number {
  const raw = Math.round(value * POW10[frac]);
  if (!(raw >= 0 && Number.isSafeInteger(raw))) return -1;
  let whole = Math.floor(raw / POW10[frac]);
  let digits = 1;
  while (digits < 16 && whole >= POW10[digits]) digits++;
  const width = Math.max(int, digits);
  let q = p + width - 1;
  for (let i = 0; i < width; i++) { const d = Math.floor(whole / 10); out[q--] = 0x30 + whole - d * 10; whole = d; }
  p += width;
  if (frac === 0) return p;
  out[p] = 0x2e;
  let rest = raw % POW10[frac];
  for (let i = frac; i >= 1; i--) { const d = Math.floor(rest / 10); out[p + i] = 0x30 + rest - d * 10; rest = d; }
  return p + 1 + frac;
}

/**
 * A DSMR telegram from the bytes between the slots (values may be wider than the probe's), then its CRC, into one
 * buffer per template (each fill overwrites the last).
 */
function dsmrFill(base: Uint8Array, bang: number, slots: readonly Slot[], meterNumberLength: number): FrameTemplate['fill'] {
  const sorted = [...slots].sort((a, b) => a.at - b.at);
  const pieces: Uint8Array[] = [];
  let p = 0;
  for (const s of sorted) {
    pieces.push(base.slice(p, s.at));
    p = s.at + slotLength(s, meterNumberLength);
  }
  const tail = base.slice(p, bang + 1);
  // A value grows by at most 17 characters past its probe's width (16 digits of a safe integer and a dot).
  const out = new Uint8Array(base.length + 17 * sorted.length + 16);
  return (values, timeMs, _counter, meterNumber) => {
    if (meterNumber.length !== meterNumberLength) return undefined;
    let q = 0;
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i];
      out.set(pieces[i], q);
      q += pieces[i].length;
      switch (s.kind) {
        case 'dec': q = writeDecText(out, q, values[s.field], s.int, s.frac); if (q < 0) return undefined; break;
        case 'dsmr-time': { const t = dsmrTimeAt(timeMs); out.set(t, q); q += t.length; break; }
        case 'meter-number': for (let k = 0; k < meterNumberLength; k++) out[q++] = meterNumber.charCodeAt(k) & 0xff; break;
        case 'meter-number-hex':
          for (let k = 0; k < meterNumberLength; k++) {
            const c = meterNumber.charCodeAt(k) & 0xff;
            out[q++] = HEX_CODES[c >>> 4];
            out[q++] = HEX_CODES[c & 0xf];
          }
          break;
        default: return undefined;
      }
    }
    out.set(tail, q);
    q += tail.length;
    const crc = crc16Arc(out, 0, q);
    out[q++] = HEX_CODES[crc >>> 12]; out[q++] = HEX_CODES[(crc >>> 8) & 0xf]; out[q++] = HEX_CODES[(crc >>> 4) & 0xf]; out[q++] = HEX_CODES[crc & 0xf];
    out[q++] = 0x0d; out[q++] = 0x0a;
    return out.subarray(0, q);
  };
}

/**
 * Compiles the template of a family, checked against the real encoder for `checks` random inputs drawn from
 * `sample` (field values, time, counter, meter number). Undefined when the family does not fit the model.
 */
export function compileTemplate(profile: Profile, recipe: SimRecipe, sample: (i: number) => TemplateSample, checks = 40): FrameTemplate | undefined {
  const o = (counter: number, meterNumber: string): SimFrameOptions =>
    ({ profile, recipe: { ...recipe, meterNumber }, frameCounter: counter } as SimFrameOptions);
  const dsmr = recipe.dsmrFields !== undefined;
  // The field list: whatever the encoder asks for, less what the model has no value for (the encoder leaves those
  // out). The probe without values may throw (a positional layout needs them all): it has asked by then.
  const asked: TemplateField[] = [];
  const s0 = sample(0);
  try { probe(o(s0.counter, recipe.meterNumber), new Map(), s0.state.timeMs, asked); } catch { /* asked is complete */ }
  const getters: ((s: MeterState) => number)[] = [];
  const fields: TemplateField[] = [];
  for (const f of asked) {
    const g = stateGetter(f.obis, f.unit, f.scaler);
    if (g) { fields.push(f); getters.push(g); }
  }
  const values = (state: MeterState, into: number[] = new Array<number>(getters.length)): number[] => {
    for (let i = 0; i < getters.length; i++) into[i] = getters[i](state);
    into.length = getters.length;
    return into;
  };
  const first = { values: values(s0.state), timeMs: s0.state.timeMs };
  // The sample's values are keyed in the field order the encoder asked for them.
  const valuesOf = (vals: ArrayLike<number>): Map<string, number> => new Map(fields.map((f, i) => [keyOf(f), vals[i]]));
  const counter0 = 0x5a3c9e17;
  // DSMR values are padded to a minimum width and grow past it: probing with zeros shows the minimum widths.
  const baseValues = dsmr ? first.values.map(() => 0) : first.values;
  const base = probe(o(counter0, recipe.meterNumber), valuesOf(baseValues), first.timeMs);
  const taken = new Uint8Array(base.length);
  const slots: Slot[] = [];
  const mark = (at: number, n: number): void => { for (let i = 0; i < n; i++) taken[at + i] = 1; };
  // DSMR: `!` then four hex digits of CRC-16/ARC over everything up to and including the `!`.
  const bang = dsmr ? base.lastIndexOf(0x21) : -1;
  const limit = dsmr ? bang : base.length;
  if (dsmr && (bang < 0 || bang + 5 > base.length)) return undefined;

  for (let f = 0; f < fields.length; f++) {
    const step = 10 ** fields[f].scaler;
    const moved = [...baseValues];
    moved[f] = baseValues[f] + step;
    const raw = Math.round(baseValues[f] / step);
    const slot = slotOf(base, probe(o(counter0, recipe.meterNumber), valuesOf(moved), first.timeMs), f, raw, limit, dsmr);
    if (!slot) return undefined;
    slots.push(slot);
    mark(slot.at, slot.kind === 'int' ? slot.width : slot.kind === 'dec' ? slot.int + slot.frac + (slot.frac > 0 ? 1 : 0) : 0);
  }
  const clocks: [Slot['kind'], Uint8Array][] = dsmr
    ? [['dsmr-time', ascii(formatDsmrTimestamp(new Date(first.timeMs).toISOString()))]]
    : [['cosem-date-time', encodeCosemDateTime(cosemNow(first.timeMs))], ['cosem-date', encodeCosemDate(cosemNow(first.timeMs))],
      ['cosem-time', encodeCosemTime(cosemNow(first.timeMs))]];
  if (!dsmr) clocks.push(['counter', beBytes(counter0, 4)]);
  clocks.push(['meter-number', ascii(recipe.meterNumber)]);
  // DSMR writes the equipment id as hex of its characters.
  if (dsmr) clocks.push(['meter-number-hex', ascii(hexOfText(recipe.meterNumber))]);
  for (const [kind, bytes] of clocks) {
    for (const at of indexesOf(base.subarray(0, limit), bytes, taken)) {
      slots.push({ kind, at } as Slot);
      mark(at, bytes.length);
    }
  }

  // One small writer per slot, made once: the per-frame loop is then a plain call per slot.
  type Writer = (out: Uint8Array, values: ArrayLike<number>, timeMs: number, counter: number, meterNumber: string) => boolean;
  const writers: Writer[] = slots.map((s): Writer => {
    const at = s.at;
    switch (s.kind) {
      case 'int': {
        const { width, field } = s;
        const div = 10 ** fields[field].scaler;
        return (out, values) => writeInt(out, at, width, Math.round(values[field] / div));
      }
      case 'dec': {
        const { int, frac, field } = s;
        return (out, values) => writeDec(out, at, int, frac, values[field]);
      }
      case 'cosem-date-time': return (out, _v, t) => { out.set(cosemDateTimeAt(t), at); return true; };
      case 'cosem-date': return (out, _v, t) => { out.set(cosemDateAt(t), at); return true; };
      case 'cosem-time': return (out, _v, t) => { out.set(cosemTimeAt(t), at); return true; };
      case 'dsmr-time': return (out, _v, t) => { out.set(dsmrTimeAt(t), at); return true; };
      case 'counter': return (out, _v, _t, c) => writeInt(out, at, 4, c >>> 0);
      case 'meter-number': return (out, _v, _t, _c, m) => {
        if (m.length !== recipe.meterNumber.length) return false;
        for (let i = 0; i < m.length; i++) out[at + i] = m.charCodeAt(i) & 0xff;
        return true;
      };
      case 'meter-number-hex': return (out, _v, _t, _c, m) => {
        if (m.length !== recipe.meterNumber.length) return false;
        for (let i = 0; i < m.length; i++) {
          const c = m.charCodeAt(i) & 0xff;
          out[at + 2 * i] = HEX_CODES[c >>> 4];
          out[at + 2 * i + 1] = HEX_CODES[c & 0xf];
        }
        return true;
      };
    }
  });
  const out = base.slice();
  const fill: FrameTemplate['fill'] = dsmr ? dsmrFill(base, bang, slots, recipe.meterNumber.length) : (values, timeMs, frameCounter, meterNumber) => {
    out.set(base);
    for (let i = 0; i < writers.length; i++) if (!writers[i](out, values, timeMs, frameCounter, meterNumber)) return undefined;
    return out;
  };

  for (let i = 1; i <= checks; i++) {
    const s = sample(i);
    const v = values(s.state);
    const real = probe(o(s.counter, s.meterNumber), valuesOf(v), s.state.timeMs);
    const mine = fill(v, s.state.timeMs, s.counter, s.meterNumber);
    if (!mine || !equalBytes(real, mine)) return undefined;
  }
  return { fields, values, fill };
}
