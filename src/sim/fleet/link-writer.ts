/**
 * The link layer of a simulated family written in place: M-Bus long frames (EN 13757-2, as encode-mbus.ts) and
 * HDLC type 3 frames (IEC 62056-46, as encode-hdlc.ts, with general-block-transfer blocks as encode-gbt.ts). The
 * generic encoders build an array per segment and concatenate (3–5 µs per fleet frame); these write straight
 * into the output buffer. Only the options the simulator's recipes use are covered, and a writer is only used
 * after it matched the generic encoder for many lengths (else the family keeps the generic one).
 */
import { crc16X25, mbusChecksum } from '../../core/bytes/crc.js';
import { encodeMbusFrames } from '../../core/framing/encode-mbus.js';
import { encodeHdlcFrames } from '../../core/framing/encode-hdlc.js';
import { encodeGbtBlocks } from '../../core/framing/encode-gbt.js';
import type { Profile } from '../../core/profiles/types.js';
import type { SimRecipe } from '../recipes.js';

/** Writes the frames around apdu[0, length) at out[at] and returns the end, or -1 when the length does not fit. */
export type LinkWriter = (out: Uint8Array, at: number, apdu: Uint8Array, length: number) => number;

/** The generic encoders, as protectAndFrame uses them. */
export function encodeLink(profile: Profile, recipe: SimRecipe, apdu: Uint8Array): Uint8Array {
  switch (profile.framing) {
    case 'dsmr': case 'apdu': return apdu;
    case 'mbus': return encodeMbusFrames(apdu, recipe.mbus);
    case 'hdlc': return encodeHdlcFrames(recipe.gbtBlockSize ? encodeGbtBlocks(apdu, recipe.gbtBlockSize) : apdu, recipe.hdlc);
  }
}

function mbusWriter(recipe: SimRecipe): LinkWriter {
  const o = recipe.mbus ?? {};
  const size = o.maxSegmentData ?? 0xfa - 5;
  const control = o.control ?? 0x53, address = o.address ?? 0xff;
  return (out, at, apdu, length) => {
    const count = Math.max(1, Math.ceil(length / size));
    if (count > 16) return -1;
    let p = at;
    for (let i = 0; i < count; i++) {
      const from = i * size, part = Math.min(size, length - from);
      const l = 5 + part;
      if (l > 255 && !(o.wrapLength && l <= 511)) return -1;
      out[p] = 0x68; out[p + 1] = l & 0xff; out[p + 2] = l & 0xff; out[p + 3] = 0x68;
      out[p + 4] = control; out[p + 5] = address; out[p + 6] = i | (i === count - 1 ? 0x10 : 0); out[p + 7] = 0x01; out[p + 8] = 0x67;
      out.set(apdu.subarray(from, from + part), p + 9);
      out[p + l + 4] = mbusChecksum(out, p + 4, p + l + 4);
      out[p + l + 5] = 0x16;
      p += l + 6;
    }
    return p;
  };
}

const LLC = [0xe6, 0xe7, 0x00];

function hdlcWriter(recipe: SimRecipe): LinkWriter | undefined {
  const o = recipe.hdlc ?? {};
  if (o.llc === false || o.llcInEverySegment || o.omitClosingFlag || o.sharedFlags) return undefined;
  const header = [...(o.destAddress ?? [0x41]), ...(o.srcAddress ?? [0x03]), o.control ?? 0x13];
  const maxInfo = o.maxInfo ?? 0x7ff - header.length - 6;
  const block = recipe.gbtBlockSize;
  // One message's information stream (LLC, the GBT block header when blocks, the data), before segmentation.
  let info = new Uint8Array(2048);
  const frameMessage = (out: Uint8Array, p: number, data: Uint8Array, from: number, n: number, gbt: number[] | undefined): number => {
    const total = 3 + (gbt ? gbt.length : 0) + n;
    if (info.length < total) info = new Uint8Array(2 * total);
    info[0] = LLC[0]; info[1] = LLC[1]; info[2] = LLC[2];
    let q = 3;
    if (gbt) for (const b of gbt) info[q++] = b;
    info.set(data.subarray(from, from + n), q);
    const frames = Math.max(1, Math.ceil(total / maxInfo));
    for (let f = 0; f < frames; f++) {
      const chunk = Math.min(maxInfo, total - f * maxInfo);
      const length = header.length + 6 + chunk;
      if (length > 0x7ff) return -1;
      out[p++] = 0x7e;
      const start = p;
      out[p++] = 0xa0 | (f < frames - 1 ? 0x08 : 0) | (length >> 8);
      out[p++] = length & 0xff;
      for (const b of header) out[p++] = b;
      const hcs = crc16X25(out, start, p);
      out[p++] = hcs & 0xff; out[p++] = hcs >> 8;
      out.set(info.subarray(f * maxInfo, f * maxInfo + chunk), p);
      p += chunk;
      const fcs = crc16X25(out, start, p);
      out[p++] = fcs & 0xff; out[p++] = fcs >> 8;
      out[p++] = 0x7e;
    }
    return p;
  };
  return (out, at, apdu, length) => {
    if (!block) return frameMessage(out, at, apdu, 0, length, undefined);
    const count = Math.max(1, Math.ceil(length / block));
    let p = at;
    for (let i = 0; i < count && p >= 0; i++) {
      const n = Math.min(block, length - i * block);
      // E0, last/streaming flags, block number, block-number-ack 0, A-XDR length (n < 0x80 or 0x81 nn or 0x82 nn nn)
      const len = n < 0x80 ? [n] : n <= 0xff ? [0x81, n] : [0x82, n >> 8, n & 0xff];
      p = frameMessage(out, p, apdu, i * block, n, [0xe0, i === count - 1 ? 0xc0 : 0x40, (i + 1) >> 8, (i + 1) & 0xff, 0, 0, ...len]);
    }
    return p;
  };
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The family's in-place link writer, checked against the generic encoder for APDU lengths around `typical`
 * (and every segment boundary near it); undefined when the family has no link layer or the writer disagrees.
 */
export function compileLinkWriter(profile: Profile, recipe: SimRecipe, typical: number): LinkWriter | undefined {
  const writer = profile.framing === 'mbus' ? mbusWriter(recipe) : profile.framing === 'hdlc' ? hdlcWriter(recipe) : undefined;
  if (!writer) return undefined;
  const apdu = new Uint8Array(2 * typical + 64);
  for (let i = 0; i < apdu.length; i++) apdu[i] = (i * 131 + 7) & 0xff;
  const out = new Uint8Array(4 * apdu.length + 1024);
  for (let n = Math.max(1, typical - 40); n <= Math.min(apdu.length, typical + 40); n++) {
    let want: Uint8Array | undefined;
    try { want = encodeLink(profile, recipe, apdu.subarray(0, n)); } catch { want = undefined; }
    // With the room the simulator gives it (4n + 1024): writing past it throws or loses bytes, a mismatch either way.
    let end: number;
    try { end = writer(out.subarray(0, 5 + 4 * n + 1024), 5, apdu, n); } catch { return undefined; }
    if (want === undefined ? end >= 0 : end < 0 || !equal(out.subarray(5, end), want)) return undefined;
  }
  return writer;
}
