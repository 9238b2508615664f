/**
 * The fleet simulator's in-place link writers (M-Bus, HDLC, HDLC with general-block-transfer) write exactly what
 * the generic encoders write, for every family that has a link layer and random APDUs of many lengths (segment
 * boundaries, lengths the generic encoder refuses), at an offset of the output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compileLinkWriter, encodeLink } from '../src/sim/fleet/link-writer.js';
import { fleetProfiles } from '../src/sim/fleet/fleet-meters.js';
import { recipeFor } from '../src/sim/profile-frames.js';
import { getProfile } from '../src/core/profiles/builtin.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('every family with a link layer has an in-place writer that matches the generic encoder', () => {
  const withLink = fleetProfiles().filter((p) => ['mbus', 'hdlc'].includes(getProfile(p)!.framing));
  assert.ok(withLink.length >= 6, `${withLink.length} families with M-Bus or HDLC`);
  for (const id of withLink) {
    const profile = getProfile(id)!, recipe = recipeFor(id);
    const writer = compileLinkWriter(profile, recipe, 300);
    assert.ok(writer, `${id}: writer`);
    for (const n of [1, 2, 118, 119, 120, 121, 237, 238, 239, 245, 246, 251, 252, 253, 490, 504, 505, 700, 1500]) {
      const apdu = new Uint8Array(randomBytes(n));
      let want: Uint8Array | undefined;
      try { want = encodeLink(profile, recipe, apdu); } catch { want = undefined; }
      const out = new Uint8Array(2 * n + 2000).fill(0x55);
      const end = writer(out, 11, apdu, n);
      if (want === undefined) assert.equal(end, -1, `${id}, ${n} bytes: refused like the generic encoder`);
      else assert.equal(hex(out.subarray(11, end)), hex(want), `${id}, ${n} bytes`);
    }
  }
});

test('families without a link layer get no writer', () => {
  for (const id of ['nl-dsmr5', 'lu-smarty']) assert.equal(compileLinkWriter(getProfile(id)!, recipeFor(id), 300), undefined);
});
