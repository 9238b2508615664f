// Mutations of seed inputs: bit flips, byte replacement, insertion, deletion, duplication of ranges, truncation,
// splicing two inputs, and length-field boosting (A-XDR, M-Bus L, HDLC frame length, general-glo-cipher and
// general-block-transfer lengths set to large values). Each returns a new Uint8Array; the seed is not touched.

/** Bytes that mean something to one of the decoders: start bytes, A-XDR tags and length prefixes, limits. */
const INTERESTING = [0x00, 0x01, 0x02, 0x09, 0x0a, 0x0c, 0x0f, 0x13, 0x10, 0x16, 0x21, 0x2f, 0x21, 0x30, 0x68, 0x7e,
  0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xa0, 0xa8, 0xdb, 0xe0, 0xe6, 0xff, 0x0d, 0x0a, 0x28, 0x29, 0x2a];
/** Large A-XDR lengths in their encoded form. */
const BIG_LENGTHS = [[0x7f], [0x81, 0xff], [0x82, 0xff, 0xff], [0x82, 0x10, 0x00], [0x83, 0xff, 0xff, 0xff],
  [0x84, 0xff, 0xff, 0xff, 0xff], [0x84, 0x7f, 0xff, 0xff, 0xff], [0x80], [0x85, 1, 2, 3, 4, 5]];
/** A-XDR tags followed by a length or count. */
const LENGTH_TAGS = new Set([0x01, 0x02, 0x04, 0x09, 0x0a, 0x0c, 0x13]);

function splice(bytes, at, removeCount, insert) {
  const out = new Uint8Array(bytes.length - removeCount + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + removeCount), at + insert.length);
  return out;
}

function bitFlip(rng, b) {
  const out = b.slice();
  if (out.length === 0) return out;
  for (let n = rng.range(1, 8); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return out;
}

function replaceBytes(rng, b) {
  const out = b.slice();
  if (out.length === 0) return out;
  for (let n = rng.range(1, 4); n > 0; n--) out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.byte();
  return out;
}

function insertBytes(rng, b) {
  const n = rng.logRange(1, 64);
  const fill = rng.chance(0.4) ? new Uint8Array(n).fill(rng.pick(INTERESTING)) : rng.bytes(n);
  return splice(b, rng.int(b.length + 1), 0, fill);
}

function deleteRange(rng, b) {
  if (b.length === 0) return b.slice();
  const at = rng.int(b.length);
  return splice(b, at, Math.min(b.length - at, rng.logRange(1, 64)), new Uint8Array(0));
}

function duplicateRange(rng, b) {
  if (b.length === 0) return b.slice();
  const from = rng.int(b.length);
  const part = b.slice(from, from + rng.logRange(1, Math.min(256, b.length - from)));
  const times = rng.chance(0.2) ? rng.logRange(2, 64) : 1;
  const rep = new Uint8Array(part.length * times);
  for (let i = 0; i < times; i++) rep.set(part, i * part.length);
  return splice(b, rng.int(b.length + 1), 0, rep);
}

function truncate(rng, b) {
  if (b.length < 2) return b.slice();
  return rng.chance(0.7) ? b.slice(0, rng.int(b.length)) : b.slice(rng.range(1, b.length - 1));
}

/** Sets a length field to a large value: A-XDR lengths after a tag, M-Bus L L, HDLC format, DB/E0 lengths. */
function boostLength(rng, b) {
  const spots = [];
  // Look at a random window of up to 512 bytes: enough candidates, and linear cost on large seeds stays small.
  const from = b.length > 512 ? rng.int(b.length - 512) : 0;
  for (let i = from; i + 1 < Math.min(b.length, from + 512); i++) {
    const x = b[i];
    if (LENGTH_TAGS.has(x) && b[i + 1] < 0x80) spots.push(['axdr', i + 1]);
    else if (x === 0x68 && i + 3 < b.length && b[i + 3] === 0x68) spots.push(['mbus', i + 1]);
    else if (x === 0x7e && (b[i + 1] & 0xf0) === 0xa0) spots.push(['hdlc', i + 1]);
    else if (x === 0xdb && b[i + 1] === 0x08 && i + 10 < b.length) spots.push(['glo', i + 10]);
    else if (x === 0xe0 && i + 6 < b.length) spots.push(['gbt', i + 6]);
    if (spots.length > 64) break;
  }
  if (spots.length === 0) return splice(b, rng.int(b.length + 1), 0, Uint8Array.from(rng.pick(BIG_LENGTHS)));
  const [kind, at] = rng.pick(spots);
  const out = b.slice();
  if (kind === 'mbus') {
    const l = rng.chance(0.5) ? 0xff : rng.byte();
    out[at] = l; out[at + 1] = rng.chance(0.8) ? l : rng.byte();
    return out;
  }
  if (kind === 'hdlc') {
    out[at] = (out[at] & 0xf8) | 0x07; out[at + 1] = 0xff;
    return out;
  }
  const old = b[at] >= 0x80 ? 1 + Math.min(4, b[at] & 0x7f) : 1;
  return splice(b, at, Math.min(old, b.length - at), Uint8Array.from(rng.pick(BIG_LENGTHS)));
}

export const MUTATIONS = {
  'bit-flip': bitFlip, 'replace': replaceBytes, 'insert': insertBytes, 'delete': deleteRange,
  'duplicate': duplicateRange, 'truncate': truncate, 'boost-length': boostLength,
};
const NAMES = Object.keys(MUTATIONS);

/** Applies 1–3 random mutations; returns the bytes and the names of the mutations applied. */
export function mutate(rng, seed) {
  let b = seed;
  const names = [];
  for (let n = rng.chance(0.6) ? 1 : rng.range(2, 3); n > 0; n--) {
    const name = rng.pick(NAMES);
    b = MUTATIONS[name](rng, b);
    names.push(name);
  }
  return { bytes: b, names };
}

/** The start of one input followed by the end of another (frames cut and joined as on a noisy line). */
export function spliceTwo(rng, a, b) {
  const head = a.subarray(0, rng.int(a.length + 1));
  const tail = b.subarray(rng.int(b.length + 1));
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}
