/**
 * Auto-detection. The DSMR framer is another module; when it cannot be loaded, the binary cases run on the same
 * engine with a stand-in DSMR framer and the real-DSMR case is skipped with a message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesToHex } from '../src/core/bytes/hex.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames } from '../src/core/framing/encode-mbus.js';
import { createApduLinkReader } from '../src/core/framing/apdu-framer.js';
import { createDsmrLinkReader, scanDsmrTelegram } from '../src/core/framing/dsmr-link-reader.js';
import { createHdlcLinkReader } from '../src/core/framing/hdlc-framer.js';
import { createScanningFramer } from '../src/core/framing/link-scanner.js';
import { createMbusLinkReader } from '../src/core/framing/mbus-framer.js';
import type { Framer, FramerEvent } from '../src/core/framing/types.js';
import { loadVectors } from './support/vectors.js';
import { chunked, describe, hexFrames, runFramer } from './framing-support.js';

type AutoModule = typeof import('../src/core/framing/auto-framer.js');
let auto: AutoModule | undefined;
let autoMissing = '';
try {
  auto = await import('../src/core/framing/auto-framer.js');
} catch (e) {
  autoMissing = `auto-framer not loadable (DSMR framer missing?): ${(e as Error).message}`;
}

/** Stand-in DSMR framer: a telegram is whatever was pushed since the last flush. */
function standInDsmr(): Framer {
  let got: number[] = [];
  return {
    push(c) { got.push(...c); return []; },
    flush(): FramerEvent[] {
      const e: FramerEvent[] = got.length ? [{ type: 'frame', kind: 'dsmr', payload: Uint8Array.from(got), segments: 1 }] : [];
      got = [];
      return e;
    },
  };
}

function createAuto(): Framer {
  if (auto) return auto.createAutoFramer();
  return createScanningFramer([createDsmrLinkReader(standInDsmr()), createMbusLinkReader(), createHdlcLinkReader(),
    createApduLinkReader()]);
}

const glo = (n: number, seed: number) => Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, seed, 0x81, n, 0x30,
  ...Array.from({ length: n - 1 }, (_, i) => (i * 13 + seed) & 0xff)]);
const APDUS = [glo(200, 1), glo(150, 2), glo(250, 3)];
const notification = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x02, 0x11, 0x05, 0x12, 0x01, 0x02]);

test('auto: each binary framing is recognised, with noise in front', () => {
  const noise = Uint8Array.from({ length: 50 }, (_, i) => (i * 37 + 11) & 0xff).filter((b) => ![0x68, 0x7e, 0xdb, 0x0f, 0x2f, 0x10, 0xe5].includes(b));
  const streams: [string, Uint8Array, Uint8Array[]][] = [
    ['mbus', encodeMbusFrames(APDUS), APDUS],
    ['hdlc', encodeHdlcFrames(APDUS, { maxInfo: 100 }), APDUS],
    ['hdlc-gbt', encodeHdlcFrames(encodeGbtBlocks(APDUS[0], 70)), [APDUS[0]]],
    ['apdu', Uint8Array.from([...APDUS[0], ...notification, ...APDUS[1]]), [APDUS[0], notification, APDUS[1]]],
  ];
  for (const [name, bytes, apdus] of streams) {
    const events = runFramer(createAuto(), [Uint8Array.from([...noise, ...bytes])]);
    assert.deepEqual(hexFrames(events), apdus.map((a) => bytesToHex(a)), `${name}: ${describe(events).join(' | ')}`);
    assert.equal(events[0].type, 'discarded');
  }
});

test('auto: once locked on HDLC, an APDU-looking run inside junk is not taken for a frame', () => {
  const junk = Uint8Array.from([1, 2, 3, ...APDUS[2], 4, 5]);
  const bytes = Uint8Array.from([...encodeHdlcFrames(APDUS[0]), ...junk, ...encodeHdlcFrames(APDUS[1])]);
  const events = runFramer(createAuto(), [bytes]);
  assert.deepEqual(hexFrames(events), [bytesToHex(APDUS[0]), bytesToHex(APDUS[1])]);
  assert.ok(events.every((e) => e.type !== 'frame' || e.kind === 'hdlc'));
});

test('auto: re-detects after sustained garbage', () => {
  const garbage = new Uint8Array(5000).fill(0x55);
  const bytes = Uint8Array.from([...encodeHdlcFrames(APDUS[0]), ...garbage, ...encodeMbusFrames(APDUS.slice(1))]);
  const events = runFramer(createAuto(), [bytes]);
  assert.deepEqual(events.filter((e) => e.type === 'frame').map((e) => e.kind), ['hdlc', 'mbus', 'mbus']);
});

test('auto: chunking does not change the events, random input never throws', () => {
  const mixed = Uint8Array.from([...encodeHdlcFrames(APDUS[0]), ...new Uint8Array(4200).fill(0x33),
    ...encodeMbusFrames(APDUS, { maxSegmentData: 90 }), ...new Uint8Array(600).fill(0x44), ...APDUS[1]]);
  const once = describe(runFramer(createAuto(), [mixed]));
  fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
    assert.deepEqual(describe(runFramer(createAuto(), chunked(mixed, cuts))), once);
  }), { numRuns: 100 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
    runFramer(createAuto(), chunked(bytes, cuts));
  }), { numRuns: 300 });
});

test('DSMR telegram boundaries: CRC line, no CRC (DSMR 2.2), binary bytes reject the start', () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const t = text('/ISK5\\2M550T-1012\r\n\r\n1-0:1.8.1(000123.456*kWh)\r\n!56DD\r\n');
  assert.deepEqual(scanDsmrTelegram(t, 0, t.length, false), { type: 'unit', length: t.length, checked: false });
  assert.deepEqual(scanDsmrTelegram(t, 0, t.length - 1, false), { type: 'need' });
  const old = text('/ISk5\\2MT382-1004\r\n\r\n0-0:96.1.1(4B)\r\n!\r\n');
  assert.equal((scanDsmrTelegram(old, 0, old.length, false) as { length: number }).length, old.length);
  const bin = Uint8Array.from([0x2f, 0x41, 0x00, 0x21, 0x0d, 0x0a]);
  assert.deepEqual(scanDsmrTelegram(bin, 0, bin.length, false), { type: 'skip', length: 1 });
});

test('auto: real DSMR telegrams next to binary noise', { skip: autoMissing || false }, () => {
  const v = loadVectors()?.find((x) => x.id === 'dsmr50-iskra-mt382');
  if (!v?.raw_text) return;
  const t = new TextEncoder().encode(v.raw_text);
  const events = runFramer(auto!.createAutoFramer(), [Uint8Array.from([0x00, 0x7e, 0x99, ...t, ...t])]);
  assert.equal(events.filter((e) => e.type === 'frame' && e.kind === 'dsmr').length, 2, describe(events).join(' | '));
});

test('createFramer: every format, and a clear error for an unknown one', { skip: autoMissing || false }, () => {
  for (const f of ['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'] as const) assert.ok(auto!.createFramer(f).push);
  assert.throws(() => auto!.createFramer('x' as 'auto'), (e: { code?: string }) => e.code === 'UNKNOWN_FORMAT');
});
