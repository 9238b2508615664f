// DSMR P1 framer: telegram boundaries, resync rules, bounded buffer, and chunking/noise properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDsmrFramer } from '../src/core/framing/dsmr-framer.js';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import type { FramerEvent } from '../src/core/framing/types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

function run(chunks: Uint8Array[], maxBuffer?: number): FramerEvent[] {
  const f = createDsmrFramer(maxBuffer ? { maxBuffer } : undefined);
  const events: FramerEvent[] = [];
  for (const c of chunks) events.push(...f.push(c));
  events.push(...f.flush());
  return events;
}

const framesOf = (events: FramerEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'frame' ? [dec(e.payload)] : []));
const discards = (events: FramerEvent[]) => events.flatMap((e) => (e.type === 'discarded' ? [e] : []));

const T1 = formatDsmrTelegram({ header: 'ISK5\\2M550T-1012', lines: ['1-3:0.2.8(50)', '1-0:1.8.1(000001.000*kWh)'] });
const T2 = formatDsmrTelegram({ header: 'KFM5KAIFA-METER', lines: ['1-0:1.7.0(00.244*kW)'], crc: 'none' });
const T3 = formatDsmrTelegram({ header: 'FLU5\\253769484_A', lines: ['0-1:24.2.3(200512134558S)(00112.384*m3)'] });

test('emits each telegram with its CRC line; CRC-less telegrams end at "!\\r\\n"', () => {
  const events = run([enc(T1 + T2 + T3)]);
  assert.deepEqual(framesOf(events), [T1, T2, T3]);
  assert.deepEqual(discards(events), []);
  const frame = events[0];
  assert.ok(frame.type === 'frame' && frame.kind === 'dsmr' && frame.segments === 1);
});

test('garbage before "/" is discarded with a count; blank lines between telegrams are not garbage', () => {
  const events = run([enc(`xx\u0000yy${T1}\r\n\r\n${T2}`)]);
  assert.deepEqual(framesOf(events), [T1, T2]);
  const d = discards(events);
  assert.equal(d.length, 1);
  assert.equal(d[0].bytes, 5);
  assert.match(d[0].reason, /no "\/"/);
});

test('a second "/" before "!" drops the cut telegram and starts over', () => {
  const cut = T1.slice(0, 30);
  const events = run([enc(cut + T3)]);
  assert.deepEqual(framesOf(events), [T3]);
  const d = discards(events);
  assert.equal(d.length, 1);
  assert.equal(d[0].bytes, 30);
  assert.match(d[0].reason, /cut short/);
});

test('a "!" that does not start a line is data, not the end', () => {
  const t = T1.replace('1-0:1.8.1', '1-0:1.8.1!');
  assert.deepEqual(framesOf(run([enc(t)])), [t]);
});

test('telegrams longer than the buffer limit are discarded, then the framer resyncs', () => {
  const long = formatDsmrTelegram({ header: 'BIG5', lines: Array.from({ length: 50 }, (_, i) => `1-0:1.8.${i}(1*kWh)`) });
  const events = run([enc(long + T1)], 200);
  assert.deepEqual(framesOf(events), [T1]);
  assert.ok(discards(events).some((d) => /longer than 200/.test(d.reason)));
});

test('flush: a telegram whose final CRLF never came is emitted; an unfinished one is discarded', () => {
  const noCrlf = T1.slice(0, -2);
  assert.deepEqual(framesOf(run([enc(noCrlf)])), [noCrlf]);
  const events = run([enc(T1.slice(0, 40))]);
  assert.deepEqual(framesOf(events), []);
  assert.equal(discards(events)[0].bytes, 40);
  assert.match(discards(events)[0].reason, /ended inside a telegram/);
});

test('a telegram whose CRC line is followed directly by the next "/" is still complete', () => {
  const events = run([enc(T1.slice(0, -2) + T3)]);
  assert.deepEqual(framesOf(events), [T1.slice(0, -2), T3]);
});

/** Splits bytes at the given points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) { out.push(bytes.subarray(from, p)); from = p; }
  out.push(bytes.subarray(from));
  return out;
}

const noise = fc.uint8Array({ maxLength: 40 });
const telegram = fc.constantFrom(T1, T2, T3);

test('property: any chunking gives the same events (frames and discarded byte totals)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(noise, telegram), { minLength: 1, maxLength: 5 }), noise,
    fc.array(fc.nat(), { maxLength: 12 }), (parts, tail, cuts) => {
      const stream = Uint8Array.from([...parts.flatMap(([n, t]) => [...n, ...enc(t)]), ...tail]);
      const whole = run([stream]);
      const chunked = run(split(stream, cuts));
      assert.deepEqual(framesOf(chunked), framesOf(whole));
      const total = (ev: FramerEvent[]) => discards(ev).reduce((s, d) => s + d.bytes, 0);
      assert.equal(total(chunked), total(whole));
    }), { numRuns: 400 });
});

test('property: random noise around valid telegrams never loses them', () => {
  fc.assert(fc.property(fc.array(fc.tuple(noise, telegram), { minLength: 1, maxLength: 5 }), noise,
    fc.array(fc.nat(), { maxLength: 6 }), (parts, tail, cuts) => {
      const stream = Uint8Array.from([...parts.flatMap(([n, t]) => [...n, ...enc(t)]), ...tail]);
      const got = framesOf(run(split(stream, cuts)));
      let k = 0;
      for (const f of got) if (k < parts.length && f === parts[k][1]) k++;
      assert.equal(k, parts.length, `lost a telegram; frames: ${JSON.stringify(got)}`);
    }), { numRuns: 400 });
});

test('property: the framer never throws and frames stay within the limit', () => {
  const alphabet = fc.constantFrom(...enc('/!\r\n0123456789ABCDEF()x'));
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 500 }), fc.array(alphabet, { maxLength: 500 }).map((a) => Uint8Array.from(a))),
    fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 300 }), (bytes, cuts, max) => {
      const events = run(split(bytes, cuts), max);
      for (const e of events) {
        if (e.type === 'frame') assert.ok(e.payload.length <= Math.max(16, max) + 8 && e.payload[0] === 47);
        else assert.ok(e.bytes > 0);
      }
    }), { numRuns: 500 });
});
