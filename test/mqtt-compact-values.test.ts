/**
 * The EVN compact values topic (<prefix>/<meter>/values) for every simulated meter family: WIn/WOut in Wh for
 * DSMR meters too (their totals are the tariff registers 1.8.1 + 1.8.2, 2.8.1 + 2.8.2, summed exactly), PF with
 * unit "1" as the EVN decoder writes it, and nothing invented where the meter sends nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { simulatedProfiles } from '../src/sim/profile-frames.js';
import { isErrorMessage, type MeterMessage, type Reading } from '../src/core/model/message.js';
import { compactValues } from '../src/sinks/mqtt/payloads.js';

const T0 = Date.UTC(2026, 2, 1, 8);

function firstMessage(profile: string): MeterMessage {
  const decoder = createDecoder({ profile, key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const [m] = decoder.push(createSimulator({ profile, seed: 11 }).frame(T0));
  assert.ok(m && !isErrorMessage(m), `${profile} decodes`);
  return m;
}

/** Exact Wh from a decimal kWh or Wh value, by its digits (no floating-point product). */
function whOf(r: Reading): bigint {
  const [int, frac = ''] = String(r.value).split('.');
  const k = r.unit === 'kWh' ? 3 : 0;
  assert.ok(frac.length <= k, `${r.obis} ${r.value} ${r.unit} has no more digits than 1 Wh`);
  return BigInt(int + frac.padEnd(k, '0'));
}

test('DSMR meters: WIn and WOut are the sums of the tariff registers, exact, in Wh', () => {
  const dsmr = simulatedProfiles().filter((p) => firstMessage(p).format === 'dsmr');
  assert.ok(dsmr.length >= 3, dsmr.join(' '));
  for (const profile of dsmr) {
    const msg = firstMessage(profile);
    const by = (obis: string) => msg.readings.find((r) => r.obis === obis);
    const v = compactValues(msg, T0);
    for (const [key, c] of [['WIn', 1], ['WOut', 2]] as const) {
      const total = by(`1-0:${c}.8.0`);
      if (total) {
        assert.equal(v[key].unit, 'Wh');
        continue; // the meter's own total wins (Austrian T210-D-r sends it)
      }
      const t1 = by(`1-0:${c}.8.1`);
      const t2 = by(`1-0:${c}.8.2`);
      assert.ok(t1 && t2, `${profile} sends tariffs ${c}.8.1 and ${c}.8.2`);
      assert.deepEqual(v[key], { value: Number(whOf(t1) + whOf(t2)), unit: 'Wh' }, `${profile} ${key}`);
    }
  }
});

test('sums without float noise; one tariff missing or a foreign unit: left out, never too small', () => {
  const r = (obis: string, value: number, unit: string): Reading => ({ obis, id: obis, name: obis, value, unit, quality: [] });
  const msg = (readings: Reading[]): MeterMessage => ({ meter: { id: 'D1' }, format: 'dsmr', readings, issues: [] });
  // 0.1 + 0.2 kWh is 300.00000000000006 Wh in plain floating point.
  assert.deepEqual(compactValues(msg([r('1-0:1.8.1', 0.1, 'kWh'), r('1-0:1.8.2', 0.2, 'kWh')]), 0).WIn, { value: 300, unit: 'Wh' });
  assert.deepEqual(compactValues(msg([r('1-0:1.8.1', 123456.789, 'kWh'), r('1-0:1.8.2', 0.001, 'kWh')]), 0).WIn, { value: 123456790, unit: 'Wh' });
  assert.deepEqual(compactValues(msg([r('1-0:1.8.1', 1.5, 'kWh'), r('1-0:1.8.2', 2, 'kWh'), r('1-0:1.8.3', 0.25, 'kWh')]), 0).WIn, { value: 3750, unit: 'Wh' });
  assert.equal(compactValues(msg([r('1-0:1.8.1', 1, 'kWh')]), 0).WIn, undefined, 'tariff 2 missing');
  assert.equal(compactValues(msg([r('1-0:1.8.1', 1, 'kWh'), r('1-0:1.8.2', 1, 'kvarh')]), 0).WIn, undefined, 'not energy');
  assert.equal(compactValues(msg([r('1-0:2.8.1', 1, 'kWh'), r('1-0:2.8.2', 2, 'kWh')]), 0).WIn, undefined, 'export is not import');
  assert.deepEqual(compactValues(msg([r('1-0:2.8.1', 1, 'kWh'), r('1-0:2.8.2', 2, 'kWh')]), 0).WOut, { value: 3000, unit: 'Wh' });
});

test('every simulated profile: compact keys carry EVN units (PF "1"), values converted from kW/kWh, none invented', () => {
  const units: Record<string, string> = { WIn: 'Wh', WOut: 'Wh', PIn: 'W', POut: 'W', U1: 'V', U2: 'V', U3: 'V', I1: 'A', I2: 'A', I3: 'A', PF: '1', timestamp: 's' };
  for (const profile of simulatedProfiles()) {
    const msg = firstMessage(profile);
    const v = compactValues(msg, T0);
    for (const [k, { unit, value }] of Object.entries(v)) {
      assert.equal(unit, units[k], `${profile} ${k}`);
      assert.ok(Number.isFinite(value), `${profile} ${k}`);
    }
    const power = msg.readings.find((r) => r.id === 'power_import');
    if (power) assert.equal(v.PIn.value, power.unit === 'kW' ? Number(((power.value as number) * 1000).toPrecision(15)) : power.value, profile);
    else assert.equal(v.PIn, undefined, profile);
    const energy = msg.readings.some((r) => /^\d+-\d+:1\.8\.[0-2]$/.test(r.obis));
    assert.equal(v.WIn !== undefined, energy, `${profile}: WIn exactly when the message has import energy`);
  }
});
