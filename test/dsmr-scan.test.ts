// DSMR auto-detection scan (dsmr-link-reader.ts): work per input byte whatever the chunking, the Iskra IE.5
// identification line, noise rejection, and overlong telegrams reported as LIMIT_EXCEEDED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDecoder } from '../src/index.js';
import { createDsmrFramer } from '../src/core/framing/dsmr-framer.js';
import { createDsmrLinkReader, scanDsmrTelegram } from '../src/core/framing/dsmr-link-reader.js';
import { createAutoFramer } from '../src/core/framing/auto-framer.js';
import { createScanningFramer } from '../src/core/framing/link-scanner.js';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import type { LinkReader } from '../src/core/framing/link-scanner.js';
import type { FramerEvent } from '../src/core/framing/types.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { chunked, runFramer } from './framing-support.js';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dsmrFrames = (ev: FramerEvent[]): string[] =>
  ev.flatMap((e) => (e.type === 'frame' && e.kind === 'dsmr' ? [String.fromCharCode(...e.payload)] : []));

function longTelegram(lines: number): string {
  return formatDsmrTelegram({ header: 'ISK5\\2M550T-1012', lines: Array.from({ length: lines },
    (_, i) => `0-0:96.13.0(${'41'.repeat(20 + (i % 7))})`) });
}

/**
 * Drives a reader's scan the way the scanning engine does (one buffer, bytes appended per chunk, the scan asked
 * again while it answers 'need') and counts the buffer bytes the scan reads, through a proxy on the buffer.
 */
function bytesRead(reader: LinkReader, stream: Uint8Array, chunks: number[]): number {
  const buf = new Uint8Array(stream.length);
  let reads = 0;
  const counted = new Proxy(buf, {
    get(t, p) {
      if (typeof p === 'string' && p.length > 0 && p.charCodeAt(0) >= 48 && p.charCodeAt(0) <= 57) reads++;
      return Reflect.get(t, p) as unknown;
    },
  });
  let end = 0, pos = 0;
  for (const piece of chunked(stream, chunks)) {
    buf.set(piece, end);
    end += piece.length;
    while (pos < end) {
      if (buf[pos] !== 0x2f) { pos++; continue; } // hunting is the engine's work, not the scan's
      const s = reader.scan(counted, pos, end, false);
      if (s.type === 'need') break;
      if (s.type === 'unit') reader.accept(buf.subarray(pos, pos + s.length));
      pos += s.type === 'unit' || s.type === 'skip' || s.type === 'quiet' ? s.length : 1;
    }
  }
  return reads;
}

test('work per byte: a long telegram arriving a byte at a time is scanned about once', () => {
  const t = enc(longTelegram(120)); // ~7 KB
  const oneByOne = Array.from({ length: t.length }, (_, i) => i);
  const reads = bytesRead(createDsmrLinkReader(createDsmrFramer()), t, oneByOne);
  assert.ok(reads <= 3 * t.length, `${reads} bytes read for a ${t.length}-byte telegram fed byte by byte`);
});

test('property: bytes examined per input byte stay bounded whatever the chunking and the input', () => {
  const storm = enc('x/ABC5\r\n'.repeat(600)); // many '/' that look like identification lines, no end
  const parts = fc.constantFrom(enc(longTelegram(40)), storm, enc('/ISK5\r\n\r\n1-0:1.8.1(1*kWh)\r\n'), enc('!\r\n'),
    Uint8Array.from([0x2f, 0x41, 0x0d, 0x0a, 0x00]));
  fc.assert(fc.property(fc.array(parts, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 300 }),
    (ps, cuts) => {
      const stream = Uint8Array.from(ps.flatMap((p) => [...p]));
      const reads = bytesRead(createDsmrLinkReader(createDsmrFramer()), stream, cuts);
      assert.ok(reads <= 4 * stream.length + 64, `${reads} reads for ${stream.length} bytes`);
      // The same bound through the real engine, counted by the reader itself.
      const reader = createDsmrLinkReader(createDsmrFramer());
      runFramer(createScanningFramer([reader]), chunked(stream, cuts));
      assert.ok(reader.examined <= 4 * stream.length + 64, `engine: ${reader.examined} for ${stream.length}`);
    }), { numRuns: 60 });
});

// Iskra IE.5 (Belgium) lines as published with its telegrams (dsmr_parser's ISKRA_IE specification): no version
// line, a time stamp without W/S, the meter number in 0-0:96.1.0.
const IE5_LINES = ['1-0:0.0.0(00000000)', '0-0:96.1.0(89547619)', '0-0:1.0.0(230404213104)', '1-0:1.8.1(000016.854*kWh)',
  '1-0:1.8.2(000040.107*kWh)', '1-0:2.8.1(000126.212*kWh)', '0-0:96.14.0(0001)', '1-0:1.7.0(01.449*kW)',
  '1-0:32.7.0(234.5*V)', '1-0:31.7.0(004*A)', '0-0:96.3.10(1)', '0-0:96.13.0()'];

test('Iskra IE.5 identification line, with a literal "\\2" or a 0x02 byte, is found by auto-detection', () => {
  for (const header of ['ISk5\\2MIE5T-200', 'ISk5\u0002MIE5T-200']) {
    const telegram = formatDsmrTelegram({ header, lines: IE5_LINES });
    const noisy = Uint8Array.from([0x00, 0x7e, 0x99, 0x2f, 0x02, 0xff, ...enc(telegram), 0x13, ...enc(telegram)]);
    assert.deepEqual(dsmrFrames(runFramer(createAutoFramer(), [noisy])), [telegram, telegram], JSON.stringify(header));
    const [msg] = createDecoder().push(enc(telegram)) as MeterMessage[];
    assert.ok(msg && !('error' in msg), JSON.stringify(msg));
    assert.equal(msg.readings.find((r) => r.obis === '1-0:1.8.1')?.value, 16.854);
    assert.equal(msg.meter.manufacturer, 'ISK');
  }
});

test('noise rejection: control bytes only pass in the identification line; NUL and binary still reject a "/"', () => {
  const scan = (b: number[]) => scanDsmrTelegram(Uint8Array.from(b), 0, b.length, false);
  const line = [...enc('\r\n\r\n1-0:1.8.1(1*kWh)\r\n!\r\n')];
  assert.equal(scan([0x2f, 0x41, 0x02, 0x42, ...line]).type, 'unit');
  assert.deepEqual(scan([0x2f, 0x41, 0x00, 0x42, ...line]), { type: 'skip', length: 1 });
  assert.deepEqual(scan([0x2f, 0x41, 0x90, 0x42, ...line]), { type: 'skip', length: 1 });
  assert.deepEqual(scan([0x2f, 0x41, ...enc('\r\n\r\n1-0:1.8.1(1\u0002kWh)\r\n!\r\n')]), { type: 'skip', length: 1 });
  // An identification line past 128 bytes is still no telegram, but one worth reporting (LIMIT_EXCEEDED).
  const long = scan([0x2f, ...enc('A'.repeat(200)), ...line]) as { type: string; length: number; fault?: { code: string } };
  assert.deepEqual([long.type, long.length, long.fault?.code], ['skip', 1, 'LIMIT_EXCEEDED']);
  const t = enc(formatDsmrTelegram({ header: 'ISk5\u0002MIE5T-200', lines: IE5_LINES }));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 6 }),
    (before, after, cuts) => {
      const stream = Uint8Array.from([...before, ...t, ...after]);
      assert.deepEqual(dsmrFrames(runFramer(createAutoFramer(), chunked(stream, cuts))), [String.fromCharCode(...t)]);
    }), { numRuns: 300 });
});

test('an overlong telegram is a LIMIT_EXCEEDED error saying the limit, with format dsmr and auto', () => {
  const big = longTelegram(1300); // ~80 KB, over the 64 KiB default buffer
  for (const format of ['dsmr', 'auto'] as const) {
    const decoder = createDecoder({ format });
    const out = [...decoder.push(enc(big)), ...decoder.flush()];
    const errors = out.flatMap((m) => ('error' in m ? [m.error] : []));
    assert.equal(errors.length, 1, `${format}: ${JSON.stringify(out).slice(0, 300)}`);
    assert.equal(errors[0].code, 'LIMIT_EXCEEDED');
    assert.match(errors[0].message, /65536/);
    assert.equal(out.length, 1, `${format}: nothing else is delivered`);
  }
});
