/**
 * Hostile structure through createDecoder().push (issue 7, "Tests"; DESIGN §3 and §7): streams built to make the
 * decoder work hard or hold on to bytes — long runs of start bytes, repeated plausible headers, nested
 * compact-array type descriptions, deep nesting, huge declared lengths, wide containers, endless M-Bus segment and
 * block-transfer chains, long DSMR lines — bare, in HDLC or M-Bus frames, encrypted or not. Properties: every
 * result is a message or an error of the error table (never INTERNAL) and nothing throws; any chunking gives the
 * same results; what comes out and what is held back is bounded by what went in. The large-count compact-array
 * bombs, which need a heap limit to be tried safely, are in pipeline-hostile-bounds.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDecoder } from '../src/index.js';
import { ERROR_CODES } from '../src/core/errors.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames } from '../src/core/framing/encode-mbus.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { createSimulator } from '../src/sim/simulator.js';
import type { DecodeResult } from '../src/core/model/message.js';
import type { FramingFormat } from '../src/core/framing/auto-framer.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x61 + i);
const GAK = Uint8Array.from({ length: 16 }, (_, i) => 0x41 + i);
const SYSTEM_TITLE = Uint8Array.of(0x4b, 0x46, 0x4d, 0x10, 0x20, 0x02, 0x98, 0x02);
const FORMATS: FramingFormat[] = ['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'];
/** The framers' buffer limit (DEFAULT_LIMITS.maxBuffer): no decoder may hold more unframed bytes than this. */
const MAX_HELD = 64 * 1024;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function repeat(part: Uint8Array, total: number): Uint8Array {
  const out = new Uint8Array(Math.max(total, part.length));
  for (let o = 0; o < out.length; o += part.length) out.set(part.subarray(0, out.length - o), o);
  return out;
}

const axdrLength = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);

// ---- hostile A-XDR elements (IEC 62056-6-2 §4.1.5), small enough to decode in-process on today's code ----

/** compact-array whose type description nests arrays (u16 counts) around a leaf, optionally with a 1-byte sibling. */
const compactNested = fc.record({
  counts: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 3 }),
  leaf: fc.constantFrom([0x00], [0x02, 0x00], [0x11], [0x12], [0x09], [0x03]),
  sibling: fc.boolean(),
  contents: fc.uint8Array({ maxLength: 200 }),
}).map(({ counts, leaf, sibling, contents }) => {
  const nested = [...counts.flatMap((c) => [0x01, 0, c]), ...leaf];
  const description = sibling ? [0x02, 0x02, ...nested, 0x11] : nested;
  return Uint8Array.from([0x13, ...description, ...axdrLength(contents.length), ...contents]);
});

const deepNesting = fc.record({ depth: fc.integer({ min: 1, max: 400 }), unit: fc.constantFrom([0x02, 0x01], [0x01, 0x01], [0x01, 0x81, 0x01], [0x13, 0x02, 0x01]) })
  .map(({ depth, unit }) => concat([repeat(Uint8Array.from(unit), unit.length * depth), Uint8Array.of(0x11, 0x2a)]));

const hugeLength = fc.record({
  tag: fc.constantFrom(0x01, 0x02, 0x04, 0x09, 0x0a, 0x0c),
  length: fc.constantFrom([0x84, 0xff, 0xff, 0xff, 0xff], [0x83, 0xff, 0xff, 0xff], [0x82, 0xff, 0xff], [0x84, 0, 1, 0, 0], [0x7f], [0x85, 1, 2, 3, 4, 5], [0x80]),
  rest: fc.uint8Array({ maxLength: 64 }),
}).map(({ tag, length, rest }) => concat([Uint8Array.from([tag, ...length]), rest]));

const wide = fc.record({ n: fc.integer({ min: 16, max: 2048 }), tag: fc.constantFrom(0x01, 0x02), element: fc.constantFrom([0x11, 0x01], [0x00], [0x12, 0, 1], [0x02, 0x00], [0x09, 0x00]) })
  .map(({ n, tag, element }) => concat([Uint8Array.from([tag, ...axdrLength(n)]), repeat(Uint8Array.from(element), element.length * n)]));

/** A data-notification (IEC 62056-5-3 §9.3.11) around a hostile body: no date-time, a date-time, or Kaifa's 09 0C. */
const hostileNotification = fc.record({
  body: fc.oneof(compactNested, deepNesting, hugeLength, wide),
  dateTime: fc.constantFrom<number[]>([0x00], [0x0c, 0x07, 0xea, 1, 15, 4, 8, 0, 0, 0, 0xff, 0xc4, 0], [0x09, 0x0c, 0x07, 0xea, 1, 15, 4, 8, 0, 0, 0, 0x80, 0, 0]),
  wrapped: fc.boolean(),
}).map(({ body, dateTime, wrapped }) => concat([Uint8Array.of(0x0f, 0, 0, 0, 1, ...dateTime), wrapped ? Uint8Array.of(0x02, 0x01) : new Uint8Array(0), body]));

/** The notification on a link: bare, HDLC, M-Bus or HDLC with general-block-transfer; encrypted or not. */
const onLink = fc.record({
  apdu: hostileNotification,
  sc: fc.constantFrom(undefined, 0x20, 0x30),
  link: fc.constantFrom('bare', 'hdlc', 'mbus', 'gbt'),
  counter: fc.nat(),
}).map(({ apdu, sc, link, counter }) => {
  const a = sc === undefined ? apdu : encodeGeneralGloCipher(apdu, { systemTitle: SYSTEM_TITLE, securityControl: sc, invocationCounter: counter, key: KEY, authKey: GAK }, aes);
  if (link === 'hdlc') return encodeHdlcFrames(a);
  if (link === 'mbus' && a.length <= 16 * 245) return encodeMbusFrames(a);
  if (link === 'gbt') return encodeHdlcFrames(encodeGbtBlocks(a, 64));
  return a;
});

// ---- hostile streams ----

const HEADS = [
  [0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x84, 0x00, 0xff, 0xff, 0xff], [0x0f, 0, 0, 0, 1, 0x00, 0x01, 0x82, 0x0f, 0xff],
  [0xdb, 0x08, ...SYSTEM_TITLE, 0x82, 0xff, 0xf0, 0x30, 0, 0, 0, 1], [0x7e, 0xa7, 0xff, 0x41, 0x03, 0x13],
  [0x68, 0xff, 0xff, 0x68, 0x53, 0xff, 0x00, 0x01, 0x67], [...ascii('/XXX5\\SIM\r\n\r\n1-0:1.8.0(')],
].map((h) => Uint8Array.from(h));

const startRun = fc.record({ byte: fc.constantFrom(0x0f, 0xdb, 0x7e, 0x68, 0x2f, 0x10, 0xe0), n: fc.integer({ min: 1, max: 6000 }) })
  .map(({ byte, n }) => new Uint8Array(n).fill(byte));

const plausibleRun = fc.record({ head: fc.constantFrom(...HEADS), filler: fc.uint8Array({ maxLength: 24 }), n: fc.integer({ min: 1, max: 6000 }) })
  .map(({ head, filler, n }) => repeat(concat([head, filler]), n));

/** An M-Bus long frame (EN 13757-2): 68 L L 68 C A CI 01 67 data CS 16, CS = sum of C..data mod 256. */
function mbusFrame(ci: number, data: Uint8Array): Uint8Array {
  const body = concat([Uint8Array.of(0x53, 0xff, ci, 0x01, 0x67), data]);
  const cs = body.reduce((s, b) => (s + b) & 0xff, 0);
  return concat([Uint8Array.of(0x68, body.length, body.length, 0x68), body, Uint8Array.of(cs, 0x16)]);
}

const mbusChain = fc.array(fc.tuple(fc.integer({ min: 0, max: 0x1f }), fc.uint8Array({ minLength: 1, maxLength: 120 })), { minLength: 2, maxLength: 40 })
  .map((frames) => concat(frames.map(([ci, data]) => mbusFrame(ci, data))));

const gbtChain = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 1, maxLength: 100 })), { minLength: 2, maxLength: 40 })
  .map((blocks) => encodeHdlcFrames(blocks.map(([last, n, raw]) => concat([Uint8Array.of(0xe0, last ? 0xc0 : 0x40, n >> 8, n & 0xff, 0, 0, raw.length), raw]))));

const longDsmrLine = fc.record({
  pattern: fc.constantFrom('9', '(', '(1)', ')', 'a', '\\', '1-0:1.8.0(1*kWh)'),
  n: fc.integer({ min: 100, max: 20000 }),
  close: fc.constantFrom('', ')', '*kWh)'),
  end: fc.constantFrom('', '\r\n!', '\r\n!1234\r\n'),
}).map(({ pattern, n, close, end }) => concat([ascii('/XXX5\\SIM\r\n\r\n1-0:1.8.0('), repeat(ascii(pattern), n), ascii(close + end)]));

/** Valid frames of the simulated meters (own encoder), so hostile bytes also sit next to real messages. */
const VALID: Uint8Array[] = ['at-evn-sagemcom-t210d', 'lu-smarty', 'at-kaernten-am550', 'nl-dsmr5', 'at-lg-e450'].map((profile, i) =>
  createSimulator({ profile, key: KEY, authKey: GAK, seed: i + 1, frameCounter: 500 }).frame(Date.UTC(2026, 0, 15, 8)));

const hostilePart = fc.oneof(onLink, startRun, plausibleRun, mbusChain, gbtChain, longDsmrLine, fc.constantFrom(...VALID), fc.uint8Array({ maxLength: 64 }));
const hostileStream = fc.array(hostilePart, { minLength: 1, maxLength: 3 }).map(concat);
const keysArb = fc.constantFrom({ key: KEY, authKey: GAK }, { key: KEY }, {});

function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const ps = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of ps) { out.push(bytes.subarray(prev, p)); prev = p; }
  out.push(bytes.subarray(prev));
  return out;
}

interface Run { results: DecodeResult[]; maxHeld: number }

/**
 * Bytes a framer may drop without counting them as discarded: HDLC flags (7E), M-Bus ACKs (E5) and M-Bus short
 * frames (10 C A CS 16). Counting every such byte over-estimates them, so `pushed - discarded - quiet` is a lower
 * bound of what the decoder holds while it has framed nothing.
 */
function quietBound(chunk: Uint8Array): number {
  let n = 0;
  for (const b of chunk) n += b === 0x7e || b === 0xe5 ? 1 : b === 0x10 ? 5 : 0;
  return n;
}

/** Pushes the chunks and flushes; tracks (a lower bound of) the unframed bytes held while nothing was framed. */
function run(chunks: Uint8Array[], format: FramingFormat, keys: { key?: Uint8Array; authKey?: Uint8Array }): Run {
  const d = createDecoder({ ...keys, format });
  const results: DecodeResult[] = [];
  let pushed = 0, quiet = 0, maxHeld = 0;
  for (const c of chunks) {
    results.push(...d.push(c));
    pushed += c.length;
    quiet += quietBound(c);
    if (d.stats.frames === 0) maxHeld = Math.max(maxHeld, pushed - d.stats.discardedBytes - quiet);
  }
  results.push(...d.flush());
  return { results, maxHeld };
}

function assertWellFormed(results: DecodeResult[]): void {
  for (const r of results) {
    if ('error' in r) {
      assert.ok(Object.hasOwn(ERROR_CODES, r.error.code), `error code ${r.error.code} is not in the error table`);
      assert.notEqual(r.error.code, 'INTERNAL', r.error.message);
    } else {
      assert.ok(Array.isArray(r.readings) && Array.isArray(r.issues), 'a message has readings and issues');
    }
  }
}

const bigintSafe = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);
const summary = (rs: DecodeResult[]): string[] => rs.map((r) => ('error' in r ? `error ${r.error.code}` : JSON.stringify(r, bigintSafe)));

test('hostile streams: every result is a message or an error of the table, never INTERNAL; push and flush never throw', () => {
  fc.assert(fc.property(hostileStream, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom(...FORMATS), keysArb, (bytes, points, format, keys) => {
    assertWellFormed(run(cut(bytes, points), format, keys).results);
  }), { numRuns: 250 });
});

test('hostile streams give the same results however they are cut', () => {
  fc.assert(fc.property(hostileStream, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), fc.constantFrom(...FORMATS), (bytes, points, format) => {
    const keys = { key: KEY, authKey: GAK };
    assert.deepEqual(summary(run(cut(bytes, points), format, keys).results), summary(run([bytes], format, keys).results));
  }), { numRuns: 120 });
});

test('what comes out and what is held back is bounded by what went in', () => {
  const garbage = fc.oneof(startRun, plausibleRun).chain((part) => fc.integer({ min: 1, max: 24 }).map((k) => repeat(part, part.length * k)));
  fc.assert(fc.property(fc.oneof(garbage, hostileStream), fc.constantFrom(...FORMATS), fc.integer({ min: 1, max: 4096 }), (bytes, format, size) => {
    const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
    const { results, maxHeld } = run(chunks, format, { key: KEY, authKey: GAK });
    const produced = results.reduce((n, r) => n + 1 + ('error' in r ? 0 : r.readings.length + r.issues.length), 0);
    assert.ok(produced <= 2 * bytes.length + 16, `${produced} results, readings and issues from ${bytes.length} bytes`);
    assert.ok(maxHeld <= MAX_HELD + size, `held ${maxHeld} unframed bytes (limit ${MAX_HELD})`);
  }), { numRuns: 40 });
});

/** A telegram longer than any framer keeps (64 KiB): it must be reported, not dropped without a word. */
function overlongTelegramIsReported(format: FramingFormat): void {
  const check = (n: number, pattern: string): void => {
    const telegram = concat([ascii('/XXX5\\SIM\r\n\r\n0-0:96.13.0('), repeat(ascii(pattern), n), ascii(')\r\n!1234\r\n')]);
    const { results } = run([telegram], format, {});
    assertWellFormed(results);
    assert.ok(results.some((r) => 'error' in r), `a ${telegram.length}-byte telegram gave ${results.length} results and no error`);
  };
  check(10 * 1024 * 1024, '9');
  fc.assert(fc.property(fc.integer({ min: 70_000, max: 200_000 }), fc.constantFrom('9', 'a', '(1)'), check), { numRuns: 4 });
}

test('an overlong DSMR telegram is reported (format auto)', () => overlongTelegramIsReported('auto'));

// Issue 7, "an overlong DSMR telegram is dropped silently with format: dsmr": the DSMR framer used to drop it with a
// discard that carried no error.
test('an overlong DSMR telegram is reported (format dsmr)', () => overlongTelegramIsReported('dsmr'));
