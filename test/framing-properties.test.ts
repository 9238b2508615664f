/** Properties of the binary framers (DESIGN §5): chunking, noise, totality, bit flips. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesToHex } from '../src/core/bytes/hex.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames } from '../src/core/framing/encode-mbus.js';
import { createApduFramer } from '../src/core/framing/apdu-framer.js';
import { createHdlcFramer } from '../src/core/framing/hdlc-framer.js';
import { createMbusFramer } from '../src/core/framing/mbus-framer.js';
import { isMeterError } from '../src/core/errors.js';
import type { Framer } from '../src/core/framing/types.js';
import { chunked, describe, hexFrames, runFramer } from './framing-support.js';

/** A general-glo-ciphering APDU around arbitrary content (security control 0x30 first). */
const gloApdu = fc.uint8Array({ minLength: 5, maxLength: 700 }).map((c) => {
  c[0] = 0x30;
  const len = c.length < 0x80 ? [c.length] : c.length <= 0xff ? [0x81, c.length] : [0x82, c.length >> 8, c.length & 0xff];
  return Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, ...len, ...c]);
});

type Kind = 'mbus' | 'hdlc' | 'apdu';
const FRAMERS: Record<Kind, () => Framer> = { mbus: createMbusFramer, hdlc: createHdlcFramer, apdu: createApduFramer };
/** Bytes that may start a unit of each kind (kept out of "clean" noise). */
const STARTS: Record<Kind, number[]> = { mbus: [0x68, 0x10, 0xe5], hdlc: [0x7e], apdu: [0xdb, 0x0f] };

/** One message encoded for `kind` with options picked by `o`. */
function encode(kind: Kind, apdu: Uint8Array, o: number): Uint8Array {
  if (kind === 'apdu') return apdu;
  const list = o % 3 === 0 ? encodeGbtBlocks(apdu, 50 + o * 7) : [apdu];
  if (kind === 'mbus') return encodeMbusFrames(list, { maxSegmentData: 60 + o * 20 });
  return encodeHdlcFrames(list, { maxInfo: 40 + o * 30, sharedFlags: o % 2 === 0, llcInEverySegment: o === 4 });
}

const stream = (kind: Kind) => fc.tuple(fc.array(fc.tuple(gloApdu, fc.nat(5)), { minLength: 1, maxLength: 4 }),
  fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 5, maxLength: 5 })).map(([msgs, noise]) => {
  const parts: Uint8Array[] = [];
  msgs.forEach(([apdu, o], i) => parts.push(noise[i], encode(kind, apdu, o)));
  parts.push(noise[4]);
  const bytes = Uint8Array.from(parts.flatMap((p) => [...p]));
  return { apdus: msgs.map(([a]) => a), bytes, noise };
});

const cleanNoise = (kind: Kind, n: Uint8Array) => n.every((b) => !STARTS[kind].includes(b));

for (const kind of ['mbus', 'hdlc', 'apdu'] as const) {
  test(`${kind}: any chunking gives the same events`, () => {
    fc.assert(fc.property(stream(kind), fc.array(fc.nat(), { maxLength: 30 }), (s, cuts) => {
      const once = describe(runFramer(FRAMERS[kind](), [s.bytes]));
      assert.deepEqual(describe(runFramer(FRAMERS[kind](), chunked(s.bytes, cuts))), once);
    }), { numRuns: 150 });
  });

  test(`${kind}: frames survive noise around them`, () => {
    fc.assert(fc.property(stream(kind), (s) => {
      fc.pre(kind === 'hdlc' || s.noise.every((n) => cleanNoise(kind, n)));
      assert.deepEqual(hexFrames(runFramer(FRAMERS[kind](), [s.bytes])), s.apdus.map((a) => bytesToHex(a)));
    }), { numRuns: 150 });
  });

  test(`${kind}: random and mutated input never throws`, () => {
    fc.assert(fc.property(stream(kind), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 10 }), (s, edits, cuts) => {
        const bytes = s.bytes.slice();
        for (const [i, v] of edits) bytes[i % bytes.length] = v;
        const events = runFramer(FRAMERS[kind](), chunked(bytes, cuts));
        for (const e of events) {
          if (e.type === 'discarded') {
            assert.ok(e.bytes > 0);
            if (e.error) assert.ok(isMeterError(e.error) && e.error.layer === 'framing');
          }
        }
      }), { numRuns: 200 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      runFramer(FRAMERS[kind](), [bytes]);
    }), { numRuns: 300 });
  });
}

test('hdlc: flipping one bit of a frame gives a checksum discard, never a wrong frame', () => {
  fc.assert(fc.property(gloApdu, gloApdu, fc.nat(), fc.nat(7), (a, b, at, bit) => {
    const first = encodeHdlcFrames(a);
    const bytes = Uint8Array.from([...first, ...encodeHdlcFrames(b)]);
    const i = 1 + (at % (first.length - 2)); // format..FCS of the first frame
    bytes[i] ^= 1 << bit;
    const events = runFramer(createHdlcFramer(), [bytes]);
    assert.deepEqual(hexFrames(events), [bytesToHex(b)], describe(events).join(' | '));
    if (!(i === 1 && bit >= 4)) { // the frame-type nibble: then it is no frame start at all
      assert.ok(events.some((e) => e.type === 'discarded' && /BAD_CHECKSUM|BAD_FRAME/.test(e.error?.code ?? '')));
    }
  }), { numRuns: 300 });
});

test('mbus: flipping one bit of C..CS gives a checksum discard, never a wrong frame', () => {
  fc.assert(fc.property(gloApdu, gloApdu, fc.nat(), fc.nat(7), (a, b, at, bit) => {
    const first = encodeMbusFrames(a.subarray(0, 200));
    const bytes = Uint8Array.from([...first, ...encodeMbusFrames(b)]);
    const i = 4 + (at % (first.length - 5));
    bytes[i] ^= 1 << bit;
    const events = runFramer(createMbusFramer(), [bytes]);
    assert.deepEqual(hexFrames(events), [bytesToHex(b)], describe(events).join(' | '));
    assert.ok(events.some((e) => e.type === 'discarded' && e.error?.code === 'BAD_CHECKSUM'));
  }), { numRuns: 300 });
});

test('limits: a unit larger than maxBuffer is discarded with LIMIT_EXCEEDED, later frames still come', () => {
  const big = Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x82, 0x10, 0x00, 0x30, ...new Uint8Array(0x0fff)]);
  const small = Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x05, 0x30, 0, 0, 0, 1]);
  const f = createApduFramer({ maxBuffer: 1024 });
  const events = runFramer(f, [big, small]);
  assert.equal(events[0].type === 'discarded' && events[0].error?.code, 'LIMIT_EXCEEDED');
  assert.deepEqual(hexFrames(events), [bytesToHex(small)]);
});
