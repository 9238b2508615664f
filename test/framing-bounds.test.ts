/**
 * Linear framing (issue 7, item 1; docs/decoding-bounds.md): every binary framer looks at each input byte a
 * bounded number of times whatever the input and the chunking, and noise yields a bounded number of events.
 * Work is counted with the framers' work meter (steps ≈ bytes looked at), never timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeAxdr } from '../src/core/dlms/encode-axdr.js';
import { encodeDataNotification } from '../src/core/dlms/encode-data-notification.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames } from '../src/core/framing/encode-mbus.js';
import { MAX_BARE_NOTIFICATION } from '../src/core/framing/apdu-framer.js';
import { createFramer, type FramingFormat } from '../src/core/framing/auto-framer.js';
import { HUNT_REPORT } from '../src/core/framing/link-scanner.js';
import { DEFAULT_LIMITS, type FramerEvent, type WorkMeter } from '../src/core/framing/types.js';
import { DataTag, type DlmsValue } from '../src/core/dlms/types.js';
import { isMeterError } from '../src/core/errors.js';
import { createMbusFramer } from '../src/core/framing/mbus-framer.js';
import { chunked, describe, hexFrames, runFramer } from './framing-support.js';

type Binary = Exclude<FramingFormat, 'dsmr'>;
const FORMATS: Binary[] = ['auto', 'mbus', 'hdlc', 'apdu'];

/**
 * Steps per input byte the worst known input costs: overlapping bare data-notification candidates hidden in
 * each other's strings, each walked up to MAX_BARE_NOTIFICATION bytes (about MAX_BARE_NOTIFICATION / 44 steps
 * per byte, see docs/decoding-bounds.md). Everything else costs a few steps per byte.
 */
const WORST_STEPS_PER_BYTE = MAX_BARE_NOTIFICATION / 32;

function run(format: Binary, chunks: Uint8Array[]): { events: FramerEvent[]; steps: number } {
  const meter: WorkMeter = { steps: 0 };
  const f = createFramer(format, { ...DEFAULT_LIMITS, meter });
  const events: FramerEvent[] = [];
  for (const c of chunks) events.push(...f.push(c));
  events.push(...f.flush());
  return { events, steps: meter.steps };
}

const bytewise = (b: Uint8Array): Uint8Array[] => Array.from(b, (x) => Uint8Array.of(x));
const repeat = (pattern: number[], n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => pattern[i % pattern.length]);

test('an unfinished data-notification fed one byte at a time is walked once, not once per byte', () => {
  const items: DlmsValue[] = Array.from({ length: 1800 }, (_, i) => ({ type: 'integer', tag: DataTag.Uint8, value: i & 0xff }));
  const apdu = encodeDataNotification({ invokeId: 1, body: { type: 'structure', items } });
  assert.ok(apdu.length > 3000 && apdu.length <= MAX_BARE_NOTIFICATION);
  for (const format of ['apdu', 'auto'] as const) {
    const one = run(format, [apdu]);
    const slow = run(format, bytewise(apdu));
    assert.deepEqual(describe(slow.events), describe(one.events));
    assert.deepEqual(hexFrames(slow.events).length, 1);
    assert.ok(slow.steps >= apdu.length && slow.steps <= 4 * apdu.length, `${format}: ${slow.steps} steps for ${apdu.length} bytes`);
  }
  // Never finished: a body of 65535 elements. Given up once it is longer than a bare notification may be.
  const head = [0x0f, 0, 0, 0, 1, 0x00, 0x01, 0x82, 0xff, 0xff];
  const endless = Uint8Array.from([...head, ...repeat([0x11, 0x01], 16 * 1024)]);
  const r = run('apdu', bytewise(endless));
  assert.ok(r.steps <= 4 * endless.length, `${r.steps} steps for ${endless.length} bytes`);
  assert.deepEqual(describe(r.events), describe(run('apdu', [endless]).events));
  assert.equal(r.events.filter((e) => e.type === 'frame').length, 0);
  assert.ok(r.events.some((e) => e.type === 'discarded' && e.error?.code === 'LIMIT_EXCEEDED'));
});

test('runs of start bytes: a few steps per byte and a few events, for every binary format', () => {
  // An HDLC header candidate at every byte is read (≤ 12 bytes: format, addresses, control, HCS) each time.
  const n = 64 * 1024;
  for (const format of FORMATS) {
    for (const start of [0x0f, 0xdb, 0x7e, 0x68, 0x10, 0xe5]) {
      for (const pattern of [[start], [start, 0xa0], [start, 0x08], [start, start, 0x00]]) {
        const { events, steps } = run(format, [repeat(pattern, n)]);
        const what = `${format}, ${pattern.map((b) => b.toString(16)).join(' ')}…`;
        assert.ok(steps >= n && steps <= 13 * n, `${what}: ${steps} steps`);
        assert.ok(events.length <= n / HUNT_REPORT + 4, `${what}: ${events.length} events`);
        for (const e of events) if (e.type === 'discarded') assert.ok(e.bytes > 0);
      }
    }
  }
});

test('M-Bus headers whose wrapped length (L + 256) ends at a stop byte: one checksum each, bounded per byte', () => {
  // The M-Bus worst case: a candidate every 5 bytes whose wrapped end holds a stop byte, each costing a checksum
  // over L + 256 ≤ 511 bytes (509 / 5 ≈ 102 steps per byte; a 3-byte period forces L = 0x16: 278 / 3).
  for (const pattern of [[0x68, 0xfd, 0xfd, 0x68, 0x16], [0x68, 0x16, 0x16], [0x68, 0x03, 0x03, 0x68, 0x16]]) {
    for (const format of ['mbus', 'auto'] as const) {
      const bytes = repeat(pattern, 32 * 1024);
      const { events, steps } = run(format, [bytes]);
      assert.ok(steps <= 105 * bytes.length, `${format}: ${(steps / bytes.length).toFixed(1)} steps/byte`);
      assert.ok(events.length <= bytes.length / HUNT_REPORT + 4);
    }
  }
});

test('overlapping notification candidates hidden in each other\'s strings: bounded steps per byte', () => {
  const candidate = [0x0f, 0, 0, 0, 0, 0x00, 0x01, 0x82, 0xff, 0xff];
  for (const nulls of [0, 4, 10, 20]) {
    const bytes = repeat([0x09, candidate.length, ...candidate, ...new Array(nulls).fill(0)], 32 * 1024);
    for (const format of ['apdu', 'auto'] as const) {
      const { events, steps } = run(format, [bytes]);
      assert.ok(steps <= WORST_STEPS_PER_BYTE * bytes.length, `${nulls} nulls, ${format}: ${(steps / bytes.length).toFixed(1)} steps/byte`);
      assert.ok(events.length <= bytes.length / HUNT_REPORT + 4, `${events.length} events`);
    }
  }
});

// Hostile streams: runs of start bytes, notification headers declaring huge bodies, hidden candidates, ciphered
// APDU headers with huge lengths, HDLC and M-Bus headers with bad checksums, and real frames in between.
const glo = Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0x40, 0x30, ...new Array(0x3f).fill(0x5a)]);
const notification = encodeDataNotification({ invokeId: 7, body: { type: 'structure', items: [{ type: 'null' }, { type: 'integer', tag: DataTag.Uint16, value: 258 }] } });
const piece: fc.Arbitrary<number[]> = fc.oneof(
  fc.tuple(fc.constantFrom(0x0f, 0xdb, 0x7e, 0x68, 0x10, 0xe5, 0x00), fc.nat(700)).map(([b, n]) => new Array(n).fill(b)),
  fc.tuple(fc.constantFrom(0x00, 0x0c), fc.constantFrom(0x01, 0x02)).map(([dt, c]) => [0x0f, 0, 0, 0, 1, dt, ...(dt ? new Array(12).fill(0) : []), c, 0x82, 0xff, 0xff]),
  fc.nat(12).map((m) => [0x09, 0x0a, 0x0f, 0, 0, 0, 0, 0x00, 0x01, 0x82, 0xff, 0xff, ...new Array(m).fill(0)]),
  fc.nat(0xffff).map((len) => [0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x82, len >> 8, len & 0xff, 0x30]),
  fc.tuple(fc.nat(0x7ff), fc.constantFrom(0xa0, 0xa8)).map(([l, f]) => [0x7e, f | (l >> 8), l & 0xff, 0x03, 0x13, 0, 0]),
  fc.tuple(fc.nat(255), fc.boolean()).map(([l, stop]) => [0x68, l, l, 0x68, ...new Array(l).fill(0x08), 0x99, stop ? 0x16 : 0x17]),
  fc.uint8Array({ maxLength: 64 }).map((b) => [...b]),
  fc.constantFrom(glo, notification, encodeHdlcFrames(glo), encodeMbusFrames(glo), encodeHdlcFrames(encodeGbtBlocks(glo, 20)),
    encodeAxdr({ type: 'null' })).map((b) => [...b]),
);
const hostile = fc.array(piece, { minLength: 1, maxLength: 24 }).map((ps) => Uint8Array.from(ps.flat()));

test('property: hostile streams in any chunking give the same events, bounded work and events', () => {
  fc.assert(fc.property(hostile, fc.array(fc.nat(), { maxLength: 40 }), fc.constantFrom(...FORMATS), (bytes, cuts, format) => {
    const once = run(format, [bytes]);
    const split = run(format, chunked(bytes, cuts));
    assert.deepEqual(describe(split.events), describe(once.events));
    for (const r of [once, split]) {
      assert.ok(r.steps <= WORST_STEPS_PER_BYTE * bytes.length + 64, `${r.steps} steps for ${bytes.length} bytes`);
      // Frames and checksum-failed units occupy several bytes each; merged discards at most HUNT_REPORT.
      assert.ok(r.events.length <= bytes.length / 6 + 4, `${r.events.length} events for ${bytes.length} bytes`);
      for (const e of r.events) {
        if (e.type !== 'discarded') continue;
        assert.ok(e.bytes > 0);
        if (e.error) assert.ok(isMeterError(e.error) && e.error.layer === 'framing');
      }
    }
  }), { numRuns: 200 });
});

test('property: hostile streams fed one byte at a time give the same events with bounded work', () => {
  fc.assert(fc.property(hostile.filter((b) => b.length <= 3000), fc.constantFrom(...FORMATS), (bytes, format) => {
    const once = run(format, [bytes]);
    const slow = run(format, bytewise(bytes));
    assert.deepEqual(describe(slow.events), describe(once.events));
    // Waiting for a unit to complete, a reader re-reads at most its header (HDLC: up to 12 bytes) per push.
    assert.ok(slow.steps <= once.steps + 16 * bytes.length, `${slow.steps} steps for ${bytes.length} bytes`);
  }), { numRuns: 60 });
});

test('merged discards: plain noise, then a false start with the noise after it, up to the next frame', () => {
  // createMbusFramer: no format watch (createFramer('mbus') would add its NO_FRAME notice after 1034 bytes).
  const frame = encodeMbusFrames(glo);
  const badStart = [0x68, 0x05, 0x06, 0x68]; // length bytes differ: a false start with a reason
  for (const after of [10, 4092, 4095, 5000]) { // 4092: the piece ends exactly before the frame
    const bytes = Uint8Array.from([...new Array(7).fill(0x55), ...badStart, ...new Array(after).fill(0x55), ...frame, ...new Array(9).fill(0x55)]);
    const got = describe(runFramer(createMbusFramer(), [bytes])).map((d) => d.replace(/ [0-9a-f]{40,}/, ''));
    const bad = 'discard mbus %d M-Bus long frame header with differing length bytes BAD_FRAME ';
    // A stretch longer than one piece: the later pieces keep the reason, not the error (one cause, one error).
    const pieces = after + 4 <= 4096 ? [bad.replace('%d', String(after + 4))]
      : [bad.replace('%d', '4096'), bad.replace('%d', String(after + 4 - 4096)).replace('BAD_FRAME ', ' ')];
    assert.deepEqual(got, ['discard mbus 7 no frame start (hunting for the next start byte)  ', ...pieces, 'frame mbus x1',
      'discard mbus 9 no frame start (hunting for the next start byte)  '], `${after}`);
  }
});
