/**
 * Whole-pipeline properties: whatever bytes arrive, createDecoder().push never throws and never reports an
 * internal error; valid frames survive noise around them; a stream gives the same messages however it is cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDecoder } from '../src/index.js';
import { createMeterModel } from '../src/sim/meter-model.js';
import { encodeSimulatedFrame, simulatedProfiles } from '../src/sim/profile-frames.js';
import { getProfile } from '../src/core/profiles/builtin.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import type { DecodeResult } from '../src/core/model/message.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x20 + i);
const GAK = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);

/** Three consecutive messages of each simulated family (one line carries one meter's framing). */
const FAMILIES: Record<string, Uint8Array[]> = Object.fromEntries(simulatedProfiles().map((id, i) => {
  const profile = getProfile(id)!;
  const model = createMeterModel({ seed: i + 1, startMs: T0 });
  return [id, [1, 2, 3].map((k) => encodeSimulatedFrame(model.step(T0 + k * 60_000), { profile, aes, key: KEY, authKey: GAK, frameCounter: 100 + k }))];
}));
const FRAMES: Uint8Array[] = Object.values(FAMILIES).flat();

function run(chunks: Uint8Array[]): DecodeResult[] {
  const d = createDecoder({ key: KEY, authKey: GAK });
  const out: DecodeResult[] = [];
  for (const c of chunks) out.push(...d.push(c));
  out.push(...d.flush());
  return out;
}

function noInternal(results: DecodeResult[]): void {
  for (const r of results) if ('error' in r) assert.notEqual(r.error.code, 'INTERNAL', r.error.message);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const ps = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of ps) { out.push(bytes.subarray(prev, p)); prev = p; }
  out.push(bytes.subarray(prev));
  return out;
}

const summary = (rs: DecodeResult[]) => rs.filter((r) => !('error' in r)).map((r) => JSON.stringify(r));

test('random bytes never throw and never give an internal error', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
    noInternal(run(chunks));
  }), { numRuns: 400 });
});

test('mutated valid frames never throw and never give an internal error', () => {
  fc.assert(fc.property(fc.nat(FRAMES.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
    (which, flips) => {
      const frame = FRAMES[which].slice();
      for (const [pos, x] of flips) frame[pos % frame.length] ^= x;
      noInternal(run([frame]));
    }), { numRuns: 600 });
});

for (const [id, frames] of Object.entries(FAMILIES)) {
  test(`${id}: the same messages however the stream is chunked, and despite noise between frames`, () => {
    const stream = concat(frames);
    const whole = summary(run([stream]));
    assert.equal(whole.length, frames.length, 'one message per frame');
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 30 }), (points) => {
      assert.deepEqual(summary(run(cut(stream, points))), whole);
    }), { numRuns: 60 });
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 4, maxLength: 4 }), (noise) => {
      // Idle bytes (a quiet line between pushes) separate the noise from the next frame's start.
      const idle = new Uint8Array(8);
      const parts: Uint8Array[] = [];
      frames.forEach((f, i) => parts.push(noise[i], idle, f, idle));
      parts.push(noise[3]);
      assert.deepEqual(summary(run([concat(parts)])), whole, 'a frame was lost or changed in noise');
    }), { numRuns: 60 });
  });
}
