/**
 * Every simulated meter (simulator → decoder → message → proxy synthesis), for every `?spec=` variant, against
 * what DSMR tools require (test/sinks-dsmr-proxy-table.ts, from their documentation and source): each line in
 * its DSMR 5 format and read by the dsmr_parser spec of the variant, CRC valid, values equal to the message
 * within the format's resolution, Home Assistant's setup object and energy sensors present, and what
 * dsmr-reader needs to store a reading. Counters never go backwards over a run of telegrams. The same for the
 * public captures of real meters that decode to a message (more meters than the simulator plays).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { simulatedProfiles } from '../src/sim/profile-frames.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { DSMR_SPECS } from '../src/sinks/dsmr-proxy/dsmr-spec.js';
import { synthesizeDsmrTelegram } from '../src/sinks/dsmr-proxy/synthesize-telegram.js';
import {
  DSMR_READER_REQUIRED, HOME_ASSISTANT, VARIANT_TARGET, assertDsmr5Lines, assertSameAsMessage, messageValue, telegramLines,
} from './sinks-dsmr-proxy-table.js';
import { loadVectors, VECTORS_SKIP } from './support/vectors.js';

const NOW = Date.UTC(2026, 0, 15, 11, 30, 0);
const FALLBACK = new Date(NOW + 7000).toISOString();

function messages(profile: string, times: number[]): MeterMessage[] {
  const sim = createSimulator({ profile, frameCounter: 77 });
  const decoder = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  return times.map((t) => {
    const results = [...decoder.push(sim.frame(t)), ...decoder.flush()];
    assert.equal(results.length, 1, `${profile}: one message per frame`);
    assert.ok(!isErrorMessage(results[0]), `${profile}: ${JSON.stringify(results[0])}`);
    return results[0] as MeterMessage;
  });
}

const profiles = simulatedProfiles();

test('dsmr proxy tools: the simulator plays DSMR and DLMS meters (the table below is not vacuous)', () => {
  assert.ok(profiles.length >= 10, profiles.join(', '));
  const formats = new Set(profiles.map((p) => messages(p, [NOW])[0].format));
  for (const f of ['dsmr', 'mbus', 'hdlc', 'apdu']) assert.ok(formats.has(f as MeterMessage['format']), f);
});

for (const profile of profiles) {
  for (const spec of DSMR_SPECS) {
    test(`dsmr proxy tools: ${profile} with spec=${spec} meets DSMR 5 and the tools' requirements`, () => {
      assertMeetsTools(`${profile} spec=${spec}`, messages(profile, [NOW])[0], spec);
    });
  }
}

function assertMeetsTools(label: string, msg: MeterMessage, spec: (typeof DSMR_SPECS)[number]): void {
      const text = synthesizeDsmrTelegram(msg, FALLBACK, spec);
      assertDsmr5Lines(label, text, spec);
      assertSameAsMessage(label, msg, text, spec, FALLBACK);
      const codes = new Set(telegramLines(text).map(([code]) => code));
      assert.equal(codes.has('1-3:0.2.8'), spec !== '5B', `${label}: version line`);
      assert.equal(codes.has('0-0:96.1.4'), spec === '5B', `${label}: Belgian version line`);

      const ha = HOME_ASSISTANT[VARIANT_TARGET[spec]];
      assert.ok(codes.has(ha.setup), `${label}: Home Assistant "${VARIANT_TARGET[spec]}" waits for ${ha.setup}`);
      const hasImport = messageValue(msg, '1-0:1.8.0') !== undefined || messageValue(msg, '1-0:1.8.1') !== undefined;
      const hasExport = messageValue(msg, '1-0:2.8.0') !== undefined || messageValue(msg, '1-0:2.8.1') !== undefined;
      for (const code of ha.energy) {
        const needed = code.startsWith('1-0:1.') ? hasImport : hasExport;
        assert.equal(codes.has(code), needed, `${label}: Home Assistant energy sensor ${code}`);
      }
      const power = messageValue(msg, '1-0:1.7.0') !== undefined && messageValue(msg, '1-0:2.7.0') !== undefined;
      if (hasImport && hasExport && power) {
        for (const code of DSMR_READER_REQUIRED) assert.ok(codes.has(code), `${label}: dsmr-reader needs ${code}`);
      }
      // Tariff 1 + tariff 2 is the meter's total: what every tool sums.
      for (const c of [1, 2]) {
        const total = messageValue(msg, `1-0:${c}.8.0`);
        if (total === undefined || !codes.has(`1-0:${c}.8.1`)) continue;
        const parsed = parseDsmrTelegram(text).readings;
        const sum = [1, 2].reduce((s, t) => s + Number(parsed.find((r) => r.obis === `1-0:${c}.8.${t}`)?.value), 0);
        assert.ok(Math.abs(sum - total) < 0.002, `${label}: ${c}.8.1 + ${c}.8.2 = ${sum}, total ${total}`);
      }
}

const vectors = loadVectors();
test('dsmr proxy tools: public captures of real meters, every spec', { skip: vectors ? false : VECTORS_SKIP }, () => {
  let checked = 0;
  for (const v of vectors ?? []) {
    const bytes = v.raw_hex ? hexToBytes(v.raw_hex) : Buffer.from(v.raw_text ?? '', 'latin1');
    const decoder = createDecoder({ key: v.key_hex ?? undefined, authKey: v.auth_key_hex ?? undefined });
    const msg = [...decoder.push(bytes), ...decoder.flush()].find((m): m is MeterMessage => !isErrorMessage(m));
    if (!msg) continue; // captures without their key, truncated, or not a meter push
    for (const spec of DSMR_SPECS) assertMeetsTools(`${v.id} spec=${spec}`, msg, spec);
    checked++;
  }
  assert.ok(checked >= 20, `${checked} captures checked`);
});

test('dsmr proxy tools: energy registers never go backwards over a day of telegrams', () => {
  const times = Array.from({ length: 48 }, (_, i) => NOW + i * 1_800_000 + (i % 7) * 1000);
  for (const profile of profiles) {
    const last = new Map<string, number>();
    for (const msg of messages(profile, times)) {
      const parsed = parseDsmrTelegram(synthesizeDsmrTelegram(msg, FALLBACK, '5L'));
      for (const r of parsed.readings) {
        if (!/^1-0:[12]\.8\.\d$/.test(r.obis) || typeof r.value !== 'number') continue;
        const before = last.get(r.obis);
        assert.ok(before === undefined || r.value >= before, `${profile}: ${r.obis} went from ${before} to ${r.value}`);
        last.set(r.obis, r.value);
      }
    }
    assert.ok(last.size === 0 || [...last.values()].some((v) => v > 0), `${profile}: counters seen`);
  }
});
