/** Own encoders → framers: every option round-trips to the same APDU; the encoders reproduce the real quirks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../src/core/bytes/hex.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames, type HdlcEncodeOptions } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames, type MbusEncodeOptions } from '../src/core/framing/encode-mbus.js';
import { createHdlcFramer } from '../src/core/framing/hdlc-framer.js';
import { createMbusFramer } from '../src/core/framing/mbus-framer.js';
import { isMeterError } from '../src/core/errors.js';
import { describe, hexFrames, runFramer } from './framing-support.js';

/** A general-glo-ciphering-shaped APDU of `n` content bytes (content is a counting pattern). */
function gloApdu(n: number, seed = 1): Uint8Array {
  const head = [0xdb, 0x08, 0x4b, 0x46, 0x4d, 0x67, 0x50, 0, 0, seed];
  const len = n < 0x80 ? [n] : n <= 0xff ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const body = Array.from({ length: n }, (_, i) => (i === 0 ? 0x20 : (i * 7 + seed) & 0xff));
  return Uint8Array.from([...head, ...len, ...body]);
}

const APDUS = [gloApdu(5), gloApdu(120), gloApdu(248), gloApdu(600), gloApdu(2000)];

test('M-Bus: every option round-trips', () => {
  const cases: MbusEncodeOptions[] = [{}, { maxSegmentData: 10 }, { maxSegmentData: 245 }, { address: 0x01, control: 0x73 },
    { maxSegmentData: 252, wrapLength: true }, { maxSegmentData: 506, wrapLength: true }];
  for (const opts of cases) {
    for (const apdu of APDUS) {
      if (Math.ceil(apdu.length / (opts.maxSegmentData ?? 245)) > 16) continue;
      const events = runFramer(createMbusFramer(), [encodeMbusFrames(apdu, opts)]);
      assert.deepEqual(hexFrames(events), [bytesToHex(apdu)], `${JSON.stringify(opts)} ${apdu.length}: ${describe(events)}`);
      assert.equal(events.length, 1);
    }
  }
});

test('M-Bus: two-segment Kaifa layout and the 68 01 01 68 wrap', () => {
  const kaifa = encodeMbusFrames(gloApdu(0xf8));
  assert.equal(bytesToHex(kaifa.subarray(0, 9)), '68fafa6853ff000167');
  assert.equal(bytesToHex(kaifa.subarray(256, 265)), '68141468' + '53ff110167');
  const wrapped = encodeMbusFrames(gloApdu(0xf8), { maxSegmentData: 252, wrapLength: true });
  assert.equal(bytesToHex(wrapped.subarray(0, 4)), '68010168');
  assert.equal(bytesToHex(wrapped.subarray(263, 267)), '680d0d68');
  assert.throws(() => encodeMbusFrames(gloApdu(0xf8), { maxSegmentData: 252 }), isMeterError);
});

test('M-Bus: several APDUs become consecutive frames', () => {
  const events = runFramer(createMbusFramer(), [encodeMbusFrames(APDUS.slice(0, 4), { maxSegmentData: 100 })]);
  assert.deepEqual(hexFrames(events), APDUS.slice(0, 4).map((a) => bytesToHex(a)));
});

test('HDLC: every option round-trips', () => {
  const addr = (...b: number[]) => Uint8Array.from(b);
  const cases: HdlcEncodeOptions[] = [{}, { maxInfo: 128 }, { maxInfo: 50, llcInEverySegment: true }, { llc: false },
    { llc: false, maxInfo: 64 }, { destAddress: addr(0xcf), srcAddress: addr(0x00, 0x02, 0x00, 0x23) },
    { destAddress: addr(0x02, 0x23), srcAddress: addr(0x41) }, { omitClosingFlag: true }, { sharedFlags: true, maxInfo: 90 },
    { sharedFlags: true, omitClosingFlag: true, maxInfo: 77 }, { control: 0x03 }];
  for (const opts of cases) {
    for (const apdu of APDUS) {
      const events = runFramer(createHdlcFramer(), [encodeHdlcFrames(apdu, opts)]);
      assert.deepEqual(hexFrames(events), [bytesToHex(apdu)], `${JSON.stringify(opts)} ${apdu.length}: ${describe(events)}`);
      assert.equal(events.length, 1);
    }
  }
});

test('HDLC: several APDUs, shared flags, segments of different messages', () => {
  const list = APDUS.slice(0, 4);
  for (const opts of [{ maxInfo: 100 }, { maxInfo: 100, sharedFlags: true }, { sharedFlags: true }]) {
    const events = runFramer(createHdlcFramer(), [encodeHdlcFrames(list, opts)]);
    assert.deepEqual(hexFrames(events), list.map((a) => bytesToHex(a)), JSON.stringify(opts));
  }
  const stream = encodeHdlcFrames(gloApdu(300), { maxInfo: 100, sharedFlags: true });
  assert.equal(bytesToHex(stream.subarray(0, 2)), '7ea8');
  assert.equal(stream.filter((b, i) => b === 0x7e && (stream[i + 1] & 0xf0) === 0xa0).length, 4);
});

test('HDLC: invalid addresses and sizes are refused', () => {
  assert.throws(() => encodeHdlcFrames(gloApdu(5), { destAddress: Uint8Array.of(0x02) }), isMeterError);
  assert.throws(() => encodeHdlcFrames(gloApdu(5), { srcAddress: Uint8Array.of(0x02, 0x04, 0x07) }), isMeterError);
  assert.throws(() => encodeHdlcFrames(gloApdu(5), { maxInfo: 3000 }), isMeterError);
});

test('GBT: blocks through HDLC and M-Bus come out as the inner APDU', () => {
  for (const apdu of APDUS) {
    for (const size of [1, 119, 500]) {
      const blocks = encodeGbtBlocks(apdu, size);
      if (blocks.length > 40) continue;
      for (const [name, bytes, framer] of [
        ['hdlc', encodeHdlcFrames(blocks), createHdlcFramer()],
        ['hdlc-segmented', encodeHdlcFrames(blocks, { maxInfo: 60 }), createHdlcFramer()],
        ['mbus', encodeMbusFrames(blocks), createMbusFramer()],
      ] as const) {
        const events = runFramer(framer, [bytes]);
        assert.deepEqual(hexFrames(events), [bytesToHex(apdu)], `${name} ${apdu.length}/${size}: ${describe(events)}`);
        assert.equal(events.length, 1);
      }
    }
  }
});

test('missing last segment: M-Bus and HDLC report the partial APDU at end of input', () => {
  const apdu = gloApdu(600);
  const mbus = encodeMbusFrames(apdu, { maxSegmentData: 245 });
  const cutM = runFramer(createMbusFramer(), [mbus.subarray(0, 2 * 256)]);
  assert.equal(cutM.length, 1);
  assert.ok(cutM[0].type === 'discarded' && cutM[0].error?.code === 'TRUNCATED');
  assert.equal(bytesToHex(cutM[0].partial!), bytesToHex(apdu.subarray(0, 490)));
  const hdlc = encodeHdlcFrames(apdu, { maxInfo: 200 });
  const cutH = runFramer(createHdlcFramer(), [hdlc.subarray(0, 2 * 211)]);
  assert.equal(cutH.length, 1, describe(cutH).join(' | '));
  assert.ok(cutH[0].type === 'discarded' && cutH[0].partial?.length === 400 - 3);
  // A segment out of order drops what was gathered and the stray segment, then the next message still comes.
  const [s0, s1, s2] = [0, 1, 2].map((i) => mbus.subarray(i * 256, (i + 1) * 256));
  const events = runFramer(createMbusFramer(), [s0, s2, s1, encodeMbusFrames(gloApdu(20))]);
  assert.deepEqual(hexFrames(events), [bytesToHex(gloApdu(20))]);
  assert.equal(events.filter((e) => e.type === 'discarded').length, 3);
});
