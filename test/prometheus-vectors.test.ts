/**
 * Every public capture (../shared/vectors) decoded and put on one Prometheus page: `promtool check metrics` passes
 * it without a word, each numeric reading is exactly one sample, and no fallback name holds two units (the mapped
 * names are checked reading by reading in prometheus-units.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { baseUnitOf } from '../src/core/model/base-units.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createPrometheusSink } from '../src/sinks/prometheus/prometheus-sink.js';
import { loadVectors, VECTORS_SKIP } from './support/vectors.js';
import { context, parseExposition, promtoolCheckMetrics, promtoolSkip } from './prometheus-support.js';

const vectors = loadVectors();

/** Each capture's messages, under a meter label of its own (several captures come from one meter id). */
function decoded(): MeterMessage[] {
  const out: MeterMessage[] = [];
  for (const v of vectors ?? []) {
    const d = createDecoder({ key: v.key_hex ? hexToBytes(v.key_hex) : undefined,
      authKey: v.auth_key_hex ? hexToBytes(v.auth_key_hex) : undefined });
    const bytes = v.raw_text !== undefined ? new TextEncoder().encode(v.raw_text) : hexToBytes(v.raw_hex ?? '');
    for (const m of [...d.push(bytes), ...d.flush()]) {
      if (!isErrorMessage(m)) out.push({ ...m, meter: { ...m.meter, id: v.id } });
    }
  }
  return out;
}

test('prometheus vectors: every public capture on one page, promtool-clean, one sample per reading', { skip: vectors ? false : VECTORS_SKIP }, async (t) => {
  const messages = decoded();
  assert.ok(messages.length >= 20, `${messages.length} messages decoded`);
  const sink = createPrometheusSink('prometheus://127.0.0.1:0', context());
  await sink.open();
  try {
    await sink.write(messages);
    const page = await (await fetch(`http://127.0.0.1:${sink.address()!.port}/metrics`)).text();
    const { samples } = parseExposition(page);
    const unitsByName = new Map<string, Set<string>>();
    for (const msg of messages) {
      const meter = msg.meter.id!;
      const numeric = msg.readings.filter((r) => typeof r.value === 'number' && !r.quality.includes('implausible'));
      const ofMeter = samples.filter((s) => s.labels.meter === meter && !/^meterwire_(meter_messages|message_timestamp|readings_rejected)/.test(s.name));
      assert.equal(ofMeter.length, numeric.length, `${meter}: ${ofMeter.map((s) => s.name).join(' ')}`);
      // Unmapped readings carry their id: the units that went into each fallback name.
      for (const sample of ofMeter.filter((x) => x.name.startsWith('meterwire_unmapped'))) {
        const r = numeric.find((x) => x.id === sample.labels.id && x.obis === sample.labels.obis);
        assert.ok(r, `${meter}: ${sample.name} ${sample.labels.id}`);
        const metricUnit = ({ Wh: 'J' } as Record<string, string>)[baseUnitOf(r.unit)] ?? baseUnitOf(r.unit);
        if (!unitsByName.has(sample.name)) unitsByName.set(sample.name, new Set());
        unitsByName.get(sample.name)!.add(metricUnit);
      }
    }
    assert.ok(unitsByName.size > 0, 'the captures have unmapped readings');
    for (const [name, units] of unitsByName) assert.equal(units.size, 1, `${name} holds ${[...units].join(', ')}`);
    const skip = await promtoolSkip();
    if (skip) { t.diagnostic(skip); return; }
    const { code, output } = await promtoolCheckMetrics(page);
    assert.equal(output, '');
    assert.equal(code, 0);
  } finally {
    await sink.close();
  }
});
