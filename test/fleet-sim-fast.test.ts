/**
 * The fleet simulator's fast path (compiled templates filled in place, the in-place envelope and link writers,
 * views of reused buffers) sends exactly the bytes of the generic encoders, for every family, over many frames
 * (counters, clocks and values moving, a clock that has to catch up); views equal copies; and the frames decode
 * with each meter's own keys to the readings the simulator intended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '../src/index.js';
import { createFleetSimulator } from '../src/sim/fleet/fleet-simulator.js';
import { fleetProfiles } from '../src/sim/fleet/fleet-meters.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const START = Date.UTC(2026, 2, 29, 0, 59, 58); // across the switch to summer time (CET → CEST at 01:00 UTC)

test('fast frames are the generic encoders\' bytes, for every family and many frames', () => {
  const n = 3 * fleetProfiles().length;
  const fast = createFleetSimulator({ meters: n, seed: 21 });
  const generic = createFleetSimulator({ meters: n, seed: 21, generic: true });
  const viewed = createFleetSimulator({ meters: n, seed: 21 });
  let compared = 0;
  for (let round = 0; round < 12; round++) {
    // Mostly a few seconds apart, sometimes twice in one second (the clock moves on), sometimes hours later.
    const at = START + round * 2_500 + (round === 5 ? -2_000 : 0) + (round >= 9 ? round * 3_600_000 : 0);
    for (let i = 0; i < n; i++) {
      const a = fast.frame(i, at), b = generic.frame(i, at);
      const v = viewed.view(i, at);
      assert.equal(hex(a.bytes), hex(b.bytes), `${fast.meters[i].profile}, meter ${i}, round ${round}`);
      assert.equal(hex(v), hex(b.bytes), `${fast.meters[i].profile}: view`);
      assert.deepEqual(a.readings, b.readings);
      assert.equal(a.meterTimeMs, b.meterTimeMs);
      assert.equal(a.frameCounter, b.frameCounter);
      compared++;
    }
  }
  assert.equal(compared, 12 * n);
});

test('a view is overwritten by the next frame; bytes() is a copy that stays', () => {
  const sim = createFleetSimulator({ meters: fleetProfiles().length, seed: 22, profiles: ['at-evn-kaifa-ma309', 'lu-smarty'] });
  const kept = sim.bytes(0, START);
  const copy = hex(kept);
  const view = sim.view(0, START + 1000);
  const seen = hex(view);
  sim.view(0, START + 2000);
  assert.equal(hex(kept), copy, 'bytes() unchanged by later frames');
  assert.notEqual(hex(view), seen, 'the view was reused');
});

test('fast frames decode with their meter\'s keys to the intended readings, the tag verified', () => {
  const sim = createFleetSimulator({ meters: 2 * fleetProfiles().length, seed: 23 });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < sim.meters.length; i++) {
      const m = sim.meters[i];
      const f = sim.frame(i, START + round * 7_000);
      const out = decode(f.bytes, { key: m.guek, authKey: m.gak, profile: m.profile });
      assert.ok(out.length === 1 && !isErrorMessage(out[0]), `${m.profile}: ${JSON.stringify(out[0])}`);
      const msg = out[0] as MeterMessage;
      if (m.gak) assert.equal(msg.security?.authenticated, true, `${m.profile}: tag verified`);
      for (const e of f.readings) {
        const r = msg.readings.find((x) => x.obis === e.obis);
        assert.equal(typeof r?.value === 'string' ? Number(r.value) : r?.value, e.value, `${m.profile} ${e.obis}`);
      }
    }
  }
});
