/**
 * Bodies that name their objects by untagged COSEM attribute descriptors (the Czech Sagemcom XT211 push): found
 * in a bare stream, decoded to OBIS readings with the cz-sagemcom-xt211 profile, whatever the chunking; a cut or
 * broken list is an error, never a crash. The fixture is written here byte by byte from the documented shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder, type DecodeResult, type MeterMessage } from '../src/index.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
/** structure(2) { class u16, logical name 6, attribute i8 — untagged —, tagged value }. */
const object = (classId: number, ln: number[], attribute: number, value: number[]): number[] =>
  [0x02, 0x02, classId >> 8, classId & 0xff, ...ln, attribute, ...value];

const OBJECTS = [
  object(1, [0, 0, 96, 1, 1, 255], 2, [0x09, 0x0a, ...ascii('5100005149')]),
  object(70, [0, 0, 96, 3, 10, 255], 3, [0x16, 0x01]),
  object(40, [0, 2, 25, 9, 0, 255], 1, [0x09, 0x06, 0, 2, 25, 9, 0, 255]),
  object(3, [1, 0, 1, 7, 0, 255], 2, [0x06, 0x00, 0x00, 0x07, 0xa4]),
  object(3, [1, 0, 1, 8, 0, 255], 2, [0x06, 0x00, 0x4a, 0xfa, 0x82]),
];
const PUSH = Uint8Array.from([0x0f, 0x80, 0x00, 0xf1, 0xd5, 0x00, 0x02, 0x02, 0x16, 0x01, 0x01, OBJECTS.length, ...OBJECTS.flat()]);

function run(chunks: Uint8Array[], format: 'auto' | 'apdu' = 'auto'): DecodeResult[] {
  const d = createDecoder({ format });
  return [...chunks.flatMap((c) => d.push(c)), ...d.flush()];
}

test('an XT211 attribute-descriptor push is framed, named and scaled by its profile', () => {
  for (const format of ['auto', 'apdu'] as const) {
    const [m, ...rest] = run([PUSH], format) as MeterMessage[];
    assert.equal(rest.length, 0);
    assert.ok(!('error' in m), JSON.stringify(m));
    assert.equal(m.meter.profile, 'cz-sagemcom-xt211');
    const byObis = new Map(m.readings.map((r) => [r.obis, r]));
    assert.equal(byObis.get('0-0:96.1.1')?.value, '5100005149');
    assert.equal(byObis.get('0-0:96.3.10')?.value, 1);
    assert.equal(byObis.get('0-2:25.9.0'), undefined, 'the push setup names itself only');
    assert.deepEqual([byObis.get('1-0:1.7.0')?.value, byObis.get('1-0:1.7.0')?.unit], [1956, 'W']);
    assert.deepEqual([byObis.get('1-0:1.8.0')?.value, byObis.get('1-0:1.8.0')?.unit], [4913794, 'Wh']);
  }
});

test('the same messages fed a byte at a time, and with noise around', () => {
  const whole = JSON.stringify(run([PUSH]));
  assert.equal(JSON.stringify(run([...PUSH].map((b) => Uint8Array.of(b)))), whole);
  const noisy = Uint8Array.from([0x55, 0x0f, 0x00, ...PUSH, 0x00, 0x00]);
  const ms = run([noisy]).filter((r) => !('error' in r));
  assert.equal(JSON.stringify(ms), whole);
});

test('a cut or broken attribute list is an error or nothing, never a crash', () => {
  for (let n = 1; n < PUSH.length; n++) {
    const rs = run([PUSH.subarray(0, n)], 'apdu');
    for (const r of rs) if ('error' in r) assert.notEqual(r.error.code, 'INTERNAL');
  }
  const broken = PUSH.slice();
  broken[14] = 0x99; // the first descriptor's class high byte: not a descriptor any more
  for (const r of run([broken], 'apdu')) if ('error' in r) assert.notEqual(r.error.code, 'INTERNAL');
});
