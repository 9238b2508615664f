/**
 * Own fixtures: the encoder/simulator produces every supported family's frames (framing × security × quirk),
 * and the decoder must return exactly the simulated meter's values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createMeterModel } from '../src/sim/meter-model.js';
import { encodeSimulatedFrame, recipeFor, simulatedProfiles } from '../src/sim/profile-frames.js';
import { stateValue } from '../src/sim/state-values.js';
import { getProfile } from '../src/core/profiles/builtin.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { bytesToHex } from '../src/core/bytes/hex.js';
import type { MeterMessage } from '../src/core/model/message.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const GAK = Uint8Array.from({ length: 16 }, (_, i) => 0xd0 + i);

function simulate(profileId: string, frames: number) {
  const profile = getProfile(profileId)!;
  const model = createMeterModel({ seed: 7, startMs: Date.UTC(2026, 6, 1, 10, 0, 0) });
  const out: { bytes: Uint8Array; state: ReturnType<typeof model.step> }[] = [];
  for (let i = 0; i < frames; i++) {
    const state = model.step(Date.UTC(2026, 6, 1, 10, 0, 0) + i * profile.intervalMs);
    out.push({ state, bytes: encodeSimulatedFrame(state, { profile, aes, key: KEY, authKey: GAK, frameCounter: 1000 + i }) });
  }
  return { profile, frames: out };
}

for (const id of simulatedProfiles()) {
  test(`simulated ${id} decodes to the model's values`, () => {
    const { profile, frames } = simulate(id, 3);
    const recipe = recipeFor(id);
    const decoder = createDecoder({ key: KEY, authKey: GAK });
    const messages: MeterMessage[] = [];
    for (const f of frames) {
      for (const r of decoder.push(f.bytes)) {
        assert.ok(!('error' in r), `${id}: ${JSON.stringify(r)}`);
        messages.push(r);
      }
    }
    messages.push(...(decoder.flush() as MeterMessage[]));
    assert.equal(messages.length, frames.length, `${id}: one message per frame`);
    for (let i = 0; i < frames.length; i++) {
      const m = messages[i];
      const fields = recipe.dsmrFields ?? recipe.fields ??
        profile.layouts!.find((l) => l.elements === recipe.elements)!.fields.filter((f) => !f.role && !f.skip && f.scaler !== undefined);
      let checked = 0;
      for (const f of fields) {
        const scaler = 'scaler' in f && f.scaler !== undefined ? f.scaler : 0;
        const expected = stateValue(frames[i].state, f.obis, f.unit, scaler);
        if (expected === undefined) continue;
        const r = m.readings.find((x) => x.obis === f.obis);
        assert.ok(r, `${id}: reading ${f.obis} missing; got ${m.readings.map((x) => x.obis).join(' ')}`);
        // The tariff indicator stays the meter's text ("0002"); everything else is a number.
        assert.equal(typeof r.value === 'string' ? Number(r.value) : r.value, expected, `${id} ${f.obis}`);
        checked++;
      }
      assert.ok(checked >= 4, `${id}: checked ${checked} values`);
      assert.ok(m.timestamp, `${id}: message timestamp`);
      assert.ok(Math.abs(Date.parse(m.timestamp!) - frames[i].state.timeMs) < 1000, `${id}: timestamp ${m.timestamp}`);
      if (recipe.securityControl !== undefined) {
        assert.equal(m.security?.securityControl, recipe.securityControl);
        assert.equal(m.security?.frameCounter, 1000 + i);
        assert.equal(m.security?.authenticated, (recipe.securityControl & 0x10) !== 0);
      }
    }
  });
}

test('the quirks are really produced: 68 01 01 68, two M-Bus segments, HDLC segmentation, GBT, 09 0C date-time', () => {
  const hex = (id: string) => bytesToHex(simulate(id, 1).frames[0].bytes);
  assert.match(hex('at-evn-sagemcom-t210d'), /^6801016853ff000167db/);
  assert.match(hex('at-evn-kaifa-ma309'), /^68fafa6853ff000167db.*6853ff110167/);
  assert.match(hex('no-aidon'), /^7ea8/, 'segmented HDLC (A8) first');
  assert.match(hex('at-lg-e450'), /e6e700e04000010000/, 'general-block-transfer block 1');
  assert.match(hex('no-kaifa'), /^7ea0.{12,20}e6e7000f.{8}090c07/, 'date-time with extra 09 tag');
  assert.match(hex('at-ksm-west-kaifa'), /db084b464d.{10}82.{4}21/, 'security control 0x21');
});

test('an authenticated simulated frame with a wrong GAK is AUTH_FAILED, without GAK it is unverified', () => {
  const { frames } = simulate('at-lg-e450', 1);
  const wrong = createDecoder({ key: KEY, authKey: new Uint8Array(16) }).push(frames[0].bytes);
  assert.equal('error' in wrong[0] && wrong[0].error.code, 'AUTH_FAILED');
  const noGak = createDecoder({ key: KEY }).push(frames[0].bytes)[0] as MeterMessage;
  assert.ok(noGak.readings.every((r) => r.quality.includes('unverified')));
  assert.equal(noGak.security?.authenticated, false);
});

test('an encryption-only simulated frame with a wrong key is WRONG_KEY, never values', () => {
  const { frames } = simulate('at-evn-kaifa-ma309', 1);
  const r = createDecoder({ key: new Uint8Array(16).fill(7) }).push(frames[0].bytes);
  assert.equal(r.length, 1);
  assert.equal('error' in r[0] && r[0].error.code, 'WRONG_KEY');
});
