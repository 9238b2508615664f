/**
 * "A wrong `format` gives no message and no error" (issue 7): a framer forced to one format, on a stream of
 * another kind, reports one NO_FRAME error per stretch without a valid unit, saying what the stream looks like.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames } from '../src/core/framing/encode-mbus.js';
import { createFramer, type FramingFormat } from '../src/core/framing/auto-framer.js';
import type { FrameKind, FramerEvent } from '../src/core/framing/types.js';
import { createDecoder } from '../src/index.js';
import { chunked, describe, runFramer } from './framing-support.js';

const glo = (n: number, seed: number): Uint8Array => Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, seed, 0x81, n, 0x30,
  ...Array.from({ length: n - 1 }, (_, i) => (i * 29 + seed * 7) & 0xff)]);
const APDUS = Array.from({ length: 8 }, (_, i) => glo(200 + i * 5, i + 1));
const telegram = new TextEncoder().encode(formatDsmrTelegram({ header: 'ISK5\\2M550T-1012',
  lines: ['1-3:0.2.8(50)', '0-0:1.0.0(230101120000W)', '1-0:1.8.1(000123.456*kWh)', '1-0:1.7.0(00.412*kW)', '1-0:32.7.0(230.1*V)'] }));

function repeated(unit: Uint8Array, atLeast: number): Uint8Array {
  const n = Math.ceil(atLeast / unit.length);
  const out = new Uint8Array(n * unit.length);
  for (let i = 0; i < n; i++) out.set(unit, i * unit.length);
  return out;
}

/** About 40 KiB of each kind: more than twice the largest unit of every format. */
const STREAMS: Record<FrameKind, Uint8Array> = {
  dsmr: repeated(telegram, 40000),
  mbus: repeated(encodeMbusFrames(APDUS), 40000),
  hdlc: repeated(encodeHdlcFrames([...APDUS.slice(0, 4), ...encodeGbtBlocks(APDUS[4], 64)]), 40000),
  apdu: repeated(Uint8Array.from(APDUS.flatMap((a) => [...a])), 40000),
};
const FORCED: Exclude<FramingFormat, 'auto'>[] = ['dsmr', 'mbus', 'hdlc', 'apdu'];

const notices = (events: FramerEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'discarded' && e.error?.code === 'NO_FRAME' ? [e.error.message] : []));

test('a forced format on a stream of another kind says once what the stream looks like', () => {
  for (const actual of Object.keys(STREAMS) as FrameKind[]) {
    for (const format of FORCED) {
      // Ciphered APDUs inside M-Bus and HDLC frames are found by the bare-APDU framer: not a silent stream.
      if (format === actual || (format === 'apdu' && actual !== 'dsmr')) continue;
      const events = runFramer(createFramer(format), [STREAMS[actual]]);
      const found = notices(events);
      assert.equal(found.length, 1, `${actual} stream, format ${format}: ${found.join(' | ')}`);
      // The DSMR framer's watch sees counts, not bytes (format-watch.ts): it points to auto instead of naming the kind.
      const hint = format === 'dsmr' ? 'use format auto' : `use format ${actual} or auto`;
      assert.match(found[0], new RegExp(hint), `${actual} stream, format ${format}`);
      assert.equal(events.filter((e) => e.type === 'frame').length, 0);
    }
  }
});

test('the right format, and noise below the threshold, give no notice', () => {
  for (const kind of FORCED) assert.deepEqual(notices(runFramer(createFramer(kind), [STREAMS[kind]])), [], kind);
  const noise = new Uint8Array(900).fill(0x55);
  const frames = encodeMbusFrames(APDUS.slice(0, 1));
  const bytes = Uint8Array.from([...noise, ...frames, ...noise, ...frames, ...noise]);
  const events = runFramer(createFramer('mbus'), [bytes]);
  assert.deepEqual(notices(events), []);
  assert.equal(events.filter((e) => e.type === 'frame').length, 2);
});

test('once per stretch without a valid unit: a frame in between starts a new stretch', () => {
  const garbage = new Uint8Array(20000).fill(0x55);
  const frame = encodeHdlcFrames(APDUS[0]);
  const events = runFramer(createFramer('hdlc'), [Uint8Array.from([...garbage, ...frame, ...garbage, ...garbage])]);
  const found = notices(events);
  assert.equal(found.length, 2, found.join(' | '));
  assert.match(found[0], /no HDLC frame in 4\d{3} bytes, and no other framing recognised/);
  assert.equal(events.filter((e) => e.type === 'frame').length, 1);
});

test('property: the notice does not depend on chunking (binary formats)', () => {
  const cases: [FramingFormat, FrameKind][] = [['mbus', 'hdlc'], ['hdlc', 'mbus'], ['apdu', 'dsmr'], ['mbus', 'apdu']];
  fc.assert(fc.property(fc.constantFrom(...cases), fc.array(fc.nat(), { maxLength: 60 }), ([format, actual], cuts) => {
    const bytes = STREAMS[actual].subarray(0, 12000);
    assert.deepEqual(describe(runFramer(createFramer(format), chunked(bytes, cuts))), describe(runFramer(createFramer(format), [bytes])));
  }), { numRuns: 40 });
});

test('through the decoder: a wrong format is one NO_FRAME error message', () => {
  const out = [...createDecoder({ format: 'mbus' }).push(STREAMS.dsmr)];
  const errors = out.filter((m) => 'error' in m && m.error.code === 'NO_FRAME');
  assert.equal(errors.length, 1);
  assert.ok('error' in errors[0] && /looks like DSMR telegrams/.test(errors[0].error.message));
});
