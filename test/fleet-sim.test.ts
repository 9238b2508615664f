/**
 * The fleet simulator without MQTT: every meter has its own keys and system title, its frames decrypt with its
 * own keys only and decode to the readings the simulator intended, the meters file round-trips and is reused
 * only when it matches, and the compiled templates write exactly what the generic encoder writes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '../src/index.js';
import { createFleetSimulator, usesTemplate } from '../src/sim/fleet/fleet-simulator.js';
import { fleetProfiles, generateFleetMeters, isEncrypted, isAuthenticated } from '../src/sim/fleet/fleet-meters.js';
import { formatMetersCsv, loadOrCreateMeters, METERS_HEADER, parseMetersCsv, readMetersFile } from '../src/sim/fleet/meters-file.js';
import { encodeSimulatedPlaintext, protectAndFrame, recipeFor } from '../src/sim/profile-frames.js';
import { stateValue } from '../src/sim/state-values.js';
import { getProfile } from '../src/core/profiles/builtin.js';
import { nodeAesGcm } from '../src/crypto/node-aes-gcm.js';
import { createMeterModel, prng } from '../src/sim/meter-model.js';
import { compileTemplate } from '../src/sim/fleet/frame-template.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '');
const NOW = Date.UTC(2026, 5, 1, 11, 30, 7);

test('N meters get N distinct keys and system titles, every family, and the CSV round-trips', () => {
  const n = 260;
  const meters = generateFleetMeters(n);
  assert.equal(meters.length, n);
  const families = fleetProfiles();
  assert.deepEqual(new Set(meters.map((m) => m.profile)), new Set(families), 'every family the simulator plays');
  assert.ok(families.some(isEncrypted) && families.some((p) => !isEncrypted(p)), 'encrypted and plaintext families');
  const encrypted = meters.filter((m) => isEncrypted(m.profile));
  assert.ok(encrypted.every((m) => m.guek?.length === 16 && /^[0-9A-F]{16}$/.test(m.systemTitle ?? '')));
  assert.ok(meters.filter((m) => !isEncrypted(m.profile)).every((m) => m.guek === undefined && m.systemTitle === undefined));
  assert.ok(meters.every((m) => (m.gak !== undefined) === isAuthenticated(m.profile)));
  assert.equal(new Set(encrypted.map((m) => hex(m.guek))).size, encrypted.length, 'distinct GUEKs');
  const gaks = meters.filter((m) => m.gak).map((m) => hex(m.gak));
  assert.equal(new Set(gaks).size, gaks.length, 'distinct GAKs');
  assert.equal(new Set(encrypted.map((m) => m.systemTitle)).size, encrypted.length, 'distinct system titles');
  assert.equal(new Set(meters.map((m) => m.topicId)).size, n, 'distinct topic ids');
  assert.equal(new Set(meters.map((m) => m.meterId)).size, n, 'distinct meter ids');

  const csv = formatMetersCsv(meters);
  assert.equal(csv.split('\n')[0], METERS_HEADER);
  assert.equal(csv.trim().split('\n').length, n + 1);
  assert.deepEqual(parseMetersCsv(csv), meters);
  assert.match(csv.split('\n')[1], /^sim-000001,[^,]+,[0-9A-F]{0}(|[0-9A-F]{16}),nl-dsmr5,,,Europe\/Amsterdam$/);
});

test('keys come from the CSPRNG unless a seed is given; a seed gives the same meters every time', () => {
  assert.notEqual(formatMetersCsv(generateFleetMeters(20)), formatMetersCsv(generateFleetMeters(20)));
  assert.equal(formatMetersCsv(generateFleetMeters(20, { seed: 9 })), formatMetersCsv(generateFleetMeters(20, { seed: 9 })));
  assert.notEqual(formatMetersCsv(generateFleetMeters(20, { seed: 9 })), formatMetersCsv(generateFleetMeters(20, { seed: 10 })));
});

test('each meter\'s frame decrypts with its own keys to the intended readings, and not with another meter\'s key', () => {
  const sim = createFleetSimulator({ meters: 2 * fleetProfiles().length, seed: 4 });
  for (let i = 0; i < sim.meters.length; i++) {
    const m = sim.meters[i];
    for (const at of [NOW, NOW + 5000]) {
      const f = sim.frame(i, at);
      const out = decode(f.bytes, { key: m.guek, authKey: m.gak, profile: m.profile });
      assert.equal(out.length, 1, `${m.profile}: one message`);
      assert.ok(!isErrorMessage(out[0]), `${m.profile}: ${JSON.stringify(out[0])}`);
      const msg = out[0] as MeterMessage;
      assert.ok(f.readings.length >= 4, `${m.profile}: ${f.readings.length} expected readings`);
      for (const e of f.readings) {
        const r = msg.readings.find((x) => x.obis === e.obis);
        assert.ok(r, `${m.profile}: ${e.obis} missing`);
        assert.equal(typeof r.value === 'string' ? Number(r.value) : r.value, e.value, `${m.profile} ${e.obis}`);
      }
      assert.equal(Date.parse(msg.timestamp!), f.meterTimeMs, `${m.profile}: meter time`);
      if (m.systemTitle) assert.equal(msg.meter.systemTitle?.toUpperCase(), m.systemTitle, `${m.profile}: own system title`);
      if (f.frameCounter !== undefined) assert.equal(msg.security?.frameCounter, f.frameCounter);
    }
    if (m.guek) {
      // The next meter of the same family: same layout, other keys.
      const other = sim.meters[(i + fleetProfiles().length) % sim.meters.length];
      assert.equal(other.profile, m.profile);
      const wrong = decode(sim.frame(i, NOW + 10_000).bytes, { key: other.guek, authKey: other.gak, profile: m.profile });
      assert.ok(wrong.length >= 1 && wrong.every(isErrorMessage), `${m.profile}: another meter's key must not decode`);
    }
  }
});

test('households differ: two meters of a family at the same instant send different values', () => {
  const sim = createFleetSimulator({ meters: 2 * fleetProfiles().length, seed: 5 });
  const k = fleetProfiles().length;
  for (let i = 0; i < k; i++) {
    // An evening instant: demand, no solar export, so even the power-only family (Aidon) imports.
    const evening = Date.UTC(2026, 5, 1, 17, 0, 0);
    const a = sim.frame(i, evening).readings, b = sim.frame(i + k, evening).readings;
    // Energy where the family sends it (Aidon sends power only), else the import power.
    const main = (r: typeof a) => (r.find((x) => /:1\.8\.[01]$/.test(x.obis)) ?? r.find((x) => x.obis.endsWith(':1.7.0')))?.value;
    assert.ok(main(a) !== undefined, `${sim.meters[i].profile}: sends energy or power`);
    assert.notEqual(main(a), main(b), `${sim.meters[i].profile}: households`);
  }
});

test('frame counters rise, each frame has its own meter-clock second, and energy never goes back', () => {
  const sim = createFleetSimulator({ meters: fleetProfiles().length, seed: 6 });
  for (let i = 0; i < sim.meters.length; i++) {
    if (!isEncrypted(sim.meters[i].profile)) continue;
    const a = sim.frame(i, NOW), b = sim.frame(i, NOW + 1), c = sim.frame(i, NOW + 60_000);
    // b asked for 1 ms after a: the meter clock still moves to the next second (rows are keyed on meter time).
    assert.equal(b.meterTimeMs, a.meterTimeMs + 1000);
    assert.ok(b.frameCounter! > a.frameCounter!);
    assert.ok(c.frameCounter! > b.frameCounter!);
    assert.equal(c.meterTimeMs, Math.floor((NOW + 60_000) / 1000) * 1000);
    const e = (f: typeof a) => f.readings.find((x) => x.obis.endsWith(':1.8.0') || x.obis.endsWith(':1.8.1'))!.value;
    assert.ok(e(c) >= e(a));
  }
});

test('every family has a compiled template, and it writes the generic encoder\'s bytes for random inputs', () => {
  const rnd = prng(77);
  for (const id of fleetProfiles()) {
    assert.ok(usesTemplate(id), `${id}: template`);
    const profile = getProfile(id)!;
    const recipe = recipeFor(id);
    const sample = (i: number) => {
      const t = Date.UTC(2024, 0, 1) + Math.floor(rnd() * 6 * 365 * 86_400) * 1000;
      const k = Math.min(8, recipe.meterNumber.length);
      const serial = String(Math.floor(rnd() * 10 ** k)).padStart(k, '0');
      return { state: createMeterModel({ seed: i + 100, startMs: t }).step(t), counter: Math.floor(rnd() * 2 ** 32),
        meterNumber: recipe.meterNumber.slice(0, -k) + serial };
    };
    const template = compileTemplate(profile, recipe, sample, 5)!;
    assert.ok(template, `${id}: compiles`);
    for (let i = 0; i < 60; i++) {
      const s = sample(i);
      const o = { profile, aes: nodeAesGcm, frameCounter: s.counter, recipe: { ...recipe, meterNumber: s.meterNumber } };
      const generic = encodeSimulatedPlaintext((obis, unit, scaler) => stateValue(s.state, obis, unit, scaler), s.state.timeMs, o);
      const fast = template.fill(template.values(s.state), s.state.timeMs, s.counter, s.meterNumber);
      assert.ok(fast, `${id}: fills`);
      assert.equal(hex(fast), hex(generic), `${id}: sample ${i}`);
    }
    // And the envelope around it is the project's: a frame decodes (checked above); here its length is stable.
    assert.ok(protectAndFrame(template.fill(template.values(sample(0).state), NOW, 1, recipe.meterNumber)!,
      { profile, aes: nodeAesGcm, frameCounter: 1, key: new Uint8Array(16), authKey: new Uint8Array(16) }).length > 0);
  }
});

test('the meters file is written owner-only, reused when it matches, refused when it does not', () => {
  const file = join(dir, 'meters.csv');
  const first = loadOrCreateMeters(file, 30, { seed: 3 }, generateFleetMeters);
  assert.equal(first.reused, false);
  assert.equal(statSync(file).mode & 0o077, 0, 'no access for group and others');
  assert.deepEqual(readMetersFile(file), first.meters);
  const again = loadOrCreateMeters(file, 30, { seed: 3 }, generateFleetMeters);
  assert.equal(again.reused, true);
  assert.deepEqual(again.meters, first.meters);
  assert.throws(() => loadOrCreateMeters(file, 31, { seed: 3 }, generateFleetMeters), /holds 30 meters, not 31/);
  assert.throws(() => loadOrCreateMeters(file, 30, { seed: 4 }, generateFleetMeters), /not made with --seed 4/);
  assert.equal(readFileSync(file, 'utf8'), formatMetersCsv(first.meters), 'a refused run leaves the file alone');
  // Without a seed, a file of N meters is reused whatever keys it holds (CSPRNG keys cannot be regenerated).
  const random = join(dir, 'random.csv');
  const made = loadOrCreateMeters(random, 12, {}, generateFleetMeters);
  assert.deepEqual(loadOrCreateMeters(random, 12, {}, generateFleetMeters).meters, made.meters);
  assert.throws(() => loadOrCreateMeters(random, 12, { profiles: ['nl-dsmr5'] }, generateFleetMeters), /other profiles/);
});

test('a malformed meters file is one clear error that never quotes the line (it holds keys)', () => {
  const meters = generateFleetMeters(3, { seed: 1, profiles: ['at-lg-e450'] });
  const lines = formatMetersCsv(meters).split('\n');
  const broken = [lines[0], lines[1], lines[2].replace(/,([0-9a-f]{32}),/, ',$1ff,'), ''].join('\n');
  const file = join(dir, 'broken.csv');
  writeFileSync(file, broken);
  assert.throws(() => readMetersFile(file), (e: Error) => /line 3: guek is not 32 hex digits/.test(e.message) && !e.message.includes(hex(meters[1].guek)));
  assert.throws(() => parseMetersCsv('meter,key\n'), /header must be/);
});
