// Hostile inputs: structure built to make a decoder do much work for few bytes, or hold on to bytes forever.
// A-XDR (IEC 62056-6-2 §4.1.5): nested compact-array type descriptions with large counts, deep nesting, huge
// declared lengths, wide containers. Streams: long runs of start bytes (0x0F, 0xDB, 0x7E, 0x68, '/'), repeated
// plausible headers, unfinished frames fed one byte at a time, endless M-Bus segment and block-transfer chains,
// 1–10 MB DSMR lines. `size` picks small inputs mostly and large ones rarely, so a default run stays in budget.

const enc = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** `part` repeated to `total` bytes (doubling copies, so a 10 MB line costs a few copies, not a loop per byte). */
function repeat(part, total) {
  const out = new Uint8Array(Math.max(total, part.length));
  if (part.length === 1) return out.fill(part[0]);
  out.set(part, 0);
  for (let have = part.length; have < out.length; have *= 2) out.copyWithin(have, 0, Math.min(have, out.length - have));
  return out;
}

/** Input size: mostly up to 4 KiB, 1 in 500 up to 64 KiB, 1 in 20,000 up to 1 MiB (CPU amplification shows there). */
export function size(rng, max = 1 << 20) {
  const r = rng.float();
  if (r < 1 / 20000) return rng.logRange(65536, max);
  if (r < 1 / 500) return rng.logRange(4096, Math.min(max, 65536));
  return rng.logRange(16, Math.min(max, 4096));
}

const count16 = (rng, big) => (big ? rng.pick([0x1000, 0x0fff, 0xffff, 0x2000, 0x0800]) : rng.logRange(1, 0x40));

/**
 * A compact-array type description: nested arrays (u16 counts) and structures around a small leaf type. The
 * product of the counts stays within `budget` (values per element), so these inputs cost milliseconds each on a
 * decoder that builds what they declare; the bombs with unbounded products are compactBomb's.
 */
function typeDescription(rng, budget, depth = 0) {
  if (depth >= rng.range(2, 5) || budget < 2) return rng.pick([[0x00], [0x00], [0x02, 0x00], [0x11], [0x12], [0x09], [0x03]]);
  if (rng.chance(0.75)) {
    const n = Math.min(count16(rng, false), Math.floor(budget));
    return [0x01, n >> 8, n & 0xff, ...typeDescription(rng, budget / Math.max(1, n), depth + 1)];
  }
  const fields = rng.range(1, 3);
  const out = [0x02, fields];
  for (let i = 0; i < fields; i++) out.push(...(i === 0 ? typeDescription(rng, budget / fields, depth + 1) : rng.pick([[0x00], [0x11], [0x12]])));
  return out;
}

/** compact-array whose description multiplies large counts (the 35-byte HDLC frame that grew to 4 GB). */
function compactBomb(rng) {
  const levels = rng.range(2, 4);
  const leaf = rng.pick([[0x00], [0x02, 0x00], [0x01, 0x00, 0x00, 0x00]]);
  const d = [0x13];
  for (let i = 0; i < levels; i++) { const n = count16(rng, true); d.push(0x01, n >> 8, n & 0xff); }
  d.push(...leaf);
  if (rng.chance(0.5)) { // a sibling field that occupies a byte, so the element is not of size zero
    d.splice(1, 0, 0x02, 0x02);
    d.push(0x11);
  }
  const contents = rng.bytes(rng.range(1, 16));
  return Uint8Array.from([...d, contents.length, ...contents]);
}

function compactArray(rng) {
  const d = typeDescription(rng, rng.chance(0.005) ? 1 << 16 : 1 << 10);
  const contents = rng.bytes(Math.min(4000, size(rng, 65536)));
  const len = contents.length < 0x80 ? [contents.length] : [0x82, contents.length >> 8, contents.length & 0xff];
  return concat([Uint8Array.from([0x13, ...d, ...len]), contents]);
}

/**
 * compact-array of structures with many null fields beside one byte: each element occupies one byte of contents
 * but holds hundreds of values (a bound on element size alone does not stop it; a per-message budget does).
 */
function compactNullFields(rng) {
  const nulls = rng.logRange(16, 4000);
  // Mostly up to 2^16 values per input (milliseconds); 1 in 200 up to 4000 × 4096.
  const contents = rng.bytes(rng.logRange(1, rng.chance(0.005) ? 4096 : Math.max(1, Math.floor(65536 / nulls))));
  return concat([Uint8Array.of(0x13, 0x02, 0x82, (nulls + 1) >> 8, (nulls + 1) & 0xff), new Uint8Array(nulls), Uint8Array.of(0x11),
    Uint8Array.of(0x82, contents.length >> 8, contents.length & 0xff), contents]);
}

function deepNesting(rng) {
  const depth = rng.chance(0.8) ? rng.range(15, 64) : rng.logRange(64, 20000);
  const unit = rng.pick([[0x02, 0x01], [0x01, 0x01], [0x01, 0x81, 0x01], [0x13, 0x02, 0x01]]);
  return concat([repeat(Uint8Array.from(unit), unit.length * depth), Uint8Array.of(0x11, 0x2a)]);
}

function hugeLength(rng) {
  const tag = rng.pick([0x01, 0x02, 0x09, 0x0a, 0x0c, 0x04, 0x13]);
  const len = rng.pick([[0x84, 0xff, 0xff, 0xff, 0xff], [0x83, 0xff, 0xff, 0xff], [0x82, 0xff, 0xff], [0x84, 0x00, 0x01, 0x00, 0x00], [0x7f]]);
  const head = tag === 0x13 ? [0x13, 0x11, ...len] : [tag, ...len];
  return concat([Uint8Array.from(head), rng.bytes(rng.logRange(0, 256))]);
}

/** A structure or array of many small elements (bounded by the bytes present: linear, but a lot of values). */
function wide(rng) {
  const n = rng.chance(0.7) ? rng.logRange(16, 4096) : rng.pick([4097, 0xffff, 0x10000]);
  const elem = Uint8Array.from(rng.pick([[0x11, 0x01], [0x00], [0x12, 0x00, 0x01], [0x02, 0x00], [0x09, 0x00]]));
  const tag = rng.pick([0x01, 0x02]);
  const head = n < 0x80 ? [tag, n] : n <= 0xffff ? [tag, 0x82, n >> 8, n & 0xff] : [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat([Uint8Array.from(head), repeat(elem, elem.length * n)]);
}

/** Hostile A-XDR Data elements, by generator name. */
export const AXDR_GENERATORS = { 'compact-bomb': compactBomb, 'compact-array': compactArray, 'compact-null-fields': compactNullFields, 'deep-nesting': deepNesting, 'huge-length': hugeLength, wide };

/** A data-notification around `body`: invoke id, then no date-time, a date-time, or Kaifa's 09 0C date-time. */
export function notification(rng, body) {
  const dt = rng.pick([[0x00], [0x0c, 0x07, 0xea, 0x01, 0x0f, 0x04, 0x08, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00],
    [0x09, 0x0c, 0x07, 0xea, 0x01, 0x0f, 0x04, 0x08, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00]]);
  const inner = rng.chance(0.5) ? concat([Uint8Array.of(0x02, 0x01), body]) : body;
  return concat([Uint8Array.of(0x0f, 0x00, 0x00, 0x00, rng.byte()), Uint8Array.from(dt), inner]);
}

/** An M-Bus long frame (EN 13757-2): 68 L L 68 C A CI 01 67 data CS 16, CS = sum of C..data mod 256. */
export function mbusFrame(ci, data) {
  const body = concat([Uint8Array.of(0x53, 0xff, ci, 0x01, 0x67), data.subarray(0, 250)]);
  let cs = 0;
  for (const b of body) cs = (cs + b) & 0xff;
  return concat([Uint8Array.of(0x68, body.length, body.length, 0x68), body, Uint8Array.of(cs, 0x16)]);
}

/**
 * Puts an APDU on a link: bare, HDLC (with LLC, segmented when long), M-Bus segments, or first encrypted as a
 * general-glo-cipher APDU with the fuzz keys (always with `enc.forceCipher`). `enc` holds the project's encoders
 * (any may be missing) and optionally the `link` to use (the framing of a format-specific entry point).
 */
export function wrapApdu(rng, apdu, enc, keys) {
  let a = apdu;
  if (enc.encodeGeneralGloCipher && enc.aes && (enc.forceCipher || rng.chance(0.35))) {
    const sc = rng.pick([0x20, 0x30, 0x21]);
    a = enc.encodeGeneralGloCipher(apdu, { systemTitle: enc1('KFM', 0x12345), securityControl: sc,
      invocationCounter: rng.u32() >>> 1, key: keys.key, authKey: keys.authKey }, enc.aes);
  }
  const link = enc.link === 'hdlc' ? rng.pick(['hdlc', 'hdlc', 'gbt']) : enc.link ?? rng.weighted({ bare: 3, hdlc: 3, mbus: 2, gbt: 1 });
  if (link === 'hdlc' && enc.encodeHdlcFrames) return enc.encodeHdlcFrames(a, rng.chance(0.3) ? { maxInfo: rng.range(32, 200) } : {});
  if (link === 'mbus' && enc.encodeMbusFrames && a.length <= 16 * 245) return enc.encodeMbusFrames(a);
  if (link === 'gbt' && enc.encodeGbtBlocks && enc.encodeHdlcFrames && a.length < 60000) {
    return enc.encodeHdlcFrames(enc.encodeGbtBlocks(a, rng.range(16, 200)));
  }
  return a;
}

function enc1(maker, serial) {
  const st = new Uint8Array(8);
  for (let i = 0; i < 3; i++) st[i] = maker.charCodeAt(i);
  for (let i = 0; i < 5; i++) st[7 - i] = (serial >>> (8 * i)) & 0xff;
  return st;
}

/** Plausible frame headers that make a scanner wait for (or walk) a unit that never completes. */
const HEADS = [
    [0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x84, 0x00, 0xff, 0xff, 0xff],
    [0x0f, 0, 0, 0, 1, 0x00, 0x01, 0x82, 0x0f, 0xff],
    [0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x7f],
    [0xdb, 0x08, 0x4b, 0x46, 0x4d, 0x10, 0x20, 0x02, 0x98, 0x02, 0x82, 0xff, 0xf0, 0x30, 0, 0, 0, 1],
    [0x7e, 0xa7, 0xff, 0x41, 0x03, 0x13],
    [0x68, 0xff, 0xff, 0x68, 0x53, 0xff, 0x00, 0x01, 0x67],
    [...enc('/XXX5\\SIM\r\n\r\n1-0:1.8.0(')],
].map((h) => Uint8Array.from(h));
const plausibleHead = (rng) => rng.pick(HEADS);

/** Stream-level hostile inputs; each returns { bytes, chunking?, keys? } (chunking 'bytewise' = one byte per push). */
export const STREAM_GENERATORS = {
  'start-run': (rng) => {
    const run = new Uint8Array(size(rng)).fill(rng.pick([0x0f, 0xdb, 0x7e, 0x68, 0x2f, 0x10, 0xe0, 0x21]));
    return { bytes: run };
  },
  'plausible-run': (rng) => {
    const head = plausibleHead(rng);
    const filler = rng.chance(0.5) ? rng.bytes(rng.range(0, 24)) : new Uint8Array(rng.range(0, 24));
    return { bytes: repeat(concat([head, filler]), size(rng)) };
  },
  'unfinished-bytewise': (rng) => {
    const head = plausibleHead(rng);
    const fill = rng.pick([0x11, 0x00, 0x7e, 0x0f, 0x30]);
    return { bytes: concat([head, new Uint8Array(size(rng, 65536)).fill(fill)]), chunking: 'bytewise' };
  },
  'mbus-chain': (rng) => {
    const frames = [];
    const n = rng.chance(0.9) ? rng.logRange(2, 64) : rng.logRange(64, 2000);
    for (let i = 0; i < n; i++) frames.push(mbusFrame(rng.chance(0.9) ? i & 0x0f : rng.byte(), rng.bytes(rng.range(1, 250))));
    return { bytes: concat(frames) };
  },
  'gbt-chain': (rng, enc) => {
    if (!enc.encodeHdlcFrames) return { bytes: rng.bytes(64) };
    const n = rng.chance(0.9) ? rng.logRange(2, 64) : rng.logRange(64, 1200);
    const blocks = [];
    for (let i = 0; i < n; i++) {
      const raw = rng.bytes(rng.range(1, 120));
      const bn = rng.chance(0.9) ? i + 1 : rng.int(0x10000);
      blocks.push(concat([Uint8Array.of(0xe0, rng.chance(0.05) ? 0xc0 : 0x40, bn >> 8, bn & 0xff, 0, 0, raw.length), raw]));
    }
    return { bytes: enc.encodeHdlcFrames(blocks) };
  },
  'long-dsmr-line': (rng) => dsmrLongLine(rng, rng.chance(0.001) ? rng.logRange(1 << 20, 10 << 20) : size(rng)),
};

/** A telegram with one very long line (numbers, parentheses, text), closed or not, with or without its "!CRC". */
const LINE_PATTERNS = ['9', '(', '(1)', ')', '*', '1-0:1.8.0(1*kWh)', 'a', '\\', '0', '9.'].map(enc);
export function dsmrLongLine(rng, n) {
  const line = repeat(rng.pick(LINE_PATTERNS), n);
  const open = rng.pick(['1-0:1.8.0(', '0-0:96.13.0(', '0-1:24.2.1(200101000000W)(', '']);
  const close = rng.pick(['', ')', '*kWh)', ')(1)', '*m3)\r\n1-0:2.8.0(1*kWh)']);
  const end = rng.chance(0.5) ? '\r\n!1234\r\n' : rng.chance(0.5) ? '\r\n!' : '';
  return { bytes: concat([enc(`/${rng.pick(['XXX5\\SIM', 'ISk5\\2MT382-1000'])}\r\n\r\n${open}`), line, enc(close + end)]) };
}

const DSMR_LINES = ['1-0:1.8.0(000001.000*kWh)\r\n', '0-1:24.2.1(200101000000W)(00001.000*m3)\r\n',
  '1-0:99.97.0(9)(0-0:96.7.19)' + '(000101000000W)(0000000001*s)'.repeat(9) + '\r\n', '\r\n', '(\r\n'].map(enc);

/** DSMR text hostile inputs for the telegram parser. */
export const DSMR_GENERATORS = {
  'long-dsmr-line': STREAM_GENERATORS['long-dsmr-line'],
  'many-lines': (rng) => {
    const line = rng.pick(DSMR_LINES);
    return { bytes: concat([enc('/XXX5\\SIM\r\n\r\n'), repeat(line, size(rng)), enc('!ABCD\r\n')]) };
  },
  'start-run': (rng) => ({ bytes: new Uint8Array(size(rng)).fill(rng.pick([0x2f, 0x21, 0x28, 0x0a])) }),
};
