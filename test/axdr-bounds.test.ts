/**
 * Bounded A-XDR decoding (issue 7, item 1; docs/decoding-bounds.md): every value is bounded by the bytes it
 * occupies before it is built, a per-message budget throws LIMIT_EXCEEDED, no input deepens the stack. Work is
 * counted (`elements` of a decode), never timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDecoder } from '../src/index.js';
import { decodeAxdr, decodeAxdrPartial } from '../src/core/dlms/axdr.js';
import { AXDR_DEPTH_CAP } from '../src/core/dlms/axdr-cursor.js';
import { decodeDataNotification } from '../src/core/dlms/data-notification.js';
import { DEFAULT_AXDR_LIMITS, type DlmsValue } from '../src/core/dlms/types.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { MeterError } from '../src/core/errors.js';

const isCode = (code: string) => (e: unknown): boolean => e instanceof MeterError && e.code === code;

/** Values in a decoded tree (what `elements` must count), type descriptions included. */
function countValues(v: DlmsValue): number {
  if (v.type === 'array' || v.type === 'structure') return 1 + v.items.reduce((n, x) => n + countValues(x), 0);
  if (v.type === 'compact-array') {
    const d = (t: object): number => 1 + ('element' in t ? d(t.element as object) : 'fields' in t ? (t.fields as object[]).reduce((n: number, f) => n + d(f), 0) : 0);
    return 1 + d(v.description) + v.items.reduce((n, x) => n + countValues(x), 0);
  }
  return 1;
}

/** The values one decode may build per byte it occupies: a leaf per byte, plus one container per nesting level. */
const PER_BYTE = DEFAULT_AXDR_LIMITS.maxDepth + 1;

test('the 35-byte HDLC frame: nested compact-array descriptions of 0x1000 null elements are refused, not built', () => {
  // data-notification, body: compact-array of array[0x1000] of array[0x1000] of array[0x1000] of null-data,
  // one content byte. Before: 2^36 values were built (the process grew to 4 GB and died).
  const apdu = hexToBytes('0f00000001' + '00' + '13' + '011000'.repeat(3) + '00' + '01aa');
  const frame = encodeHdlcFrames(apdu);
  assert.ok(frame.length <= 35, `frame of ${frame.length} bytes`);
  assert.throws(() => decodeDataNotification(apdu), isCode('BAD_VALUE'));
  const out = createDecoder({ format: 'hdlc' }).push(frame);
  assert.equal(out.length, 1);
  assert.ok('error' in out[0] && out[0].error.code === 'BAD_VALUE', JSON.stringify(out[0]));
});

test('compact-array: a description whose minimum size exceeds its contents fails before any element is built', () => {
  // array[0x1000] of array[0x1000] of unsigned: at least 16 MiB per element, 128 bytes of contents.
  const bytes = hexToBytes('13' + '011000011000' + '11' + '8180' + '00'.repeat(128));
  const limits = { ...DEFAULT_AXDR_LIMITS, maxElements: 8 };
  assert.throws(() => decodeAxdr(bytes, 0, limits), isCode('TRUNCATED'), 'no element built (else LIMIT_EXCEEDED)');
  // A structure whose zero-size part would multiply: {array[0x1000] of null, unsigned} × 16 bytes.
  assert.throws(() => decodeAxdr(hexToBytes('13' + '0202' + '011000' + '00' + '11' + '10' + '00'.repeat(16))), isCode('BAD_VALUE'));
  for (const empty of ['010000' + '11', '0200']) {
    assert.throws(() => decodeAxdr(hexToBytes('13' + empty + '0100')), isCode('BAD_VALUE'), `empty description ${empty}`);
  }
});

test('budget: elements, bytes and nesting give LIMIT_EXCEEDED; nesting never deepens the stack', () => {
  const many = hexToBytes('0182' + '0400' + '00'.repeat(0x400)); // array of 1024 nulls
  assert.equal(decodeAxdr(many).elements, 1025);
  assert.throws(() => decodeAxdr(many, 0, { ...DEFAULT_AXDR_LIMITS, maxElements: 1000 }), isCode('LIMIT_EXCEEDED'));
  assert.throws(() => decodeAxdr(many, 0, { ...DEFAULT_AXDR_LIMITS, maxBytes: 512 }), isCode('LIMIT_EXCEEDED'));
  assert.equal(decodeAxdr(many, 0, { ...DEFAULT_AXDR_LIMITS, maxBytes: many.length }).end, many.length);
  const string = hexToBytes('0982' + '1000' + 'ab'.repeat(0x1000));
  assert.throws(() => decodeAxdr(string, 0, { ...DEFAULT_AXDR_LIMITS, maxBytes: 100 }), isCode('LIMIT_EXCEEDED'));
  // 200,000 nested arrays with limits that allow any depth: the decoder caps its recursion itself.
  const deep = hexToBytes('0101'.repeat(200000) + '00');
  assert.throws(() => decodeAxdr(deep, 0, { ...DEFAULT_AXDR_LIMITS, maxDepth: 1e9 }), isCode('LIMIT_EXCEEDED'));
  assert.throws(() => decodeAxdrPartial(deep, 0, { ...DEFAULT_AXDR_LIMITS, maxDepth: 1e9 }), isCode('LIMIT_EXCEEDED'));
  const capped = hexToBytes('0101'.repeat(AXDR_DEPTH_CAP - 1) + '00');
  assert.equal(decodeAxdr(capped, 0, { ...DEFAULT_AXDR_LIMITS, maxDepth: 1e9 }).end, capped.length);
  // A compact-array description nested too deep.
  assert.throws(() => decodeAxdr(hexToBytes('13' + '010001'.repeat(40) + '11' + '0101')), isCode('LIMIT_EXCEEDED'));
});

/** Hostile compact arrays: nested descriptions with large counts, zero-size parts, random contents. */
const description: fc.Arbitrary<number[]> = fc.letrec<{ d: number[] }>((tie) => ({
  d: fc.oneof({ depthSize: 'small' },
    fc.constantFrom(0x00, 0x11, 0x12, 0x09, 0x04, 0x19, 0x16, 0x13, 0x07).map((t) => [t]),
    fc.tuple(fc.oneof(fc.constantFrom(0, 1, 0x1000, 0xffff), fc.nat(0xffff)), tie('d')).map(([n, e]) => [0x01, n >> 8, n & 0xff, ...e]),
    fc.array(tie('d'), { maxLength: 4 }).map((fs) => [0x02, fs.length, ...fs.flat()])),
})).d;

const hostileCompact = fc.tuple(description, fc.oneof(fc.nat(300), fc.constantFrom(0x80, 0xffff)), fc.uint8Array({ maxLength: 300 }))
  .map(([d, len, contents]) => {
    const l = len < 0x80 ? [len] : len <= 0xff ? [0x81, len] : [0x82, len >> 8, len & 0xff];
    return Uint8Array.from([0x13, ...d, ...l, ...contents]);
  });

test('property: hostile compact arrays return or throw MeterError; values built stay within the bytes', () => {
  fc.assert(fc.property(hostileCompact, fc.boolean(), (bytes, partial) => {
    try {
      const r = partial ? decodeAxdrPartial(bytes) : decodeAxdr(bytes);
      // A partial decode also counts what it built of the element the input cut short.
      if (partial) assert.ok(r.elements >= countValues(r.value));
      else assert.equal(r.elements, countValues(r.value));
      assert.ok(r.elements <= PER_BYTE * (partial ? bytes.length : r.end), `${r.elements} values from ${r.end} bytes`);
    } catch (e) {
      if (!(e instanceof MeterError)) throw e;
    }
  }), { numRuns: 3000 });
});

/** Hostile tagged structure: huge declared counts and lengths, deep nesting, every tag. */
const hostileTagged = fc.array(fc.oneof(
  fc.constantFrom([0x01, 0x84, 0xff, 0xff, 0xff, 0xff], [0x02, 0x82, 0xff, 0xff], [0x01, 0x7f], [0x01, 0x01], [0x02, 0x01],
    [0x09, 0x84, 0x7f, 0xff, 0xff, 0xff], [0x04, 0x82, 0xff, 0xff], [0x00], [0x0f, 0x0f], [0x13, 0x01, 0x10, 0x00]),
  fc.uint8Array({ maxLength: 4 }).map((b) => [...b])), { maxLength: 60 }).map((parts) => Uint8Array.from(parts.flat()));

test('property: hostile tagged values return or throw MeterError; values built stay within the bytes', () => {
  fc.assert(fc.property(hostileTagged, (bytes) => {
    for (const partial of [false, true]) {
      try {
        const r = partial ? decodeAxdrPartial(bytes) : decodeAxdr(bytes);
        if (partial) assert.ok(r.elements >= countValues(r.value));
        else assert.equal(r.elements, countValues(r.value));
        assert.ok(r.elements <= PER_BYTE * (partial ? bytes.length : r.end));
      } catch (e) {
        if (!(e instanceof MeterError)) throw e;
      }
    }
  }), { numRuns: 3000 });
});
