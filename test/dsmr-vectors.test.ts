// DSMR P1 against the public captures (../shared/vectors): every plaintext telegram parses, its CRC holds and the
// values its source states come out; the framer cuts each one out whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDsmrTelegram, type DsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { decodeHexText } from '../src/core/dsmr/value-text.js';
import { createDsmrFramer } from '../src/core/framing/dsmr-framer.js';
import type { RawReading } from '../src/core/model/message.js';
import { loadVectors, VECTORS_SKIP, type Vector, type VectorExpectation } from './support/vectors.js';

const vectors = loadVectors();
const dsmrVectors = (vectors ?? []).filter((v) => v.category === 'dsmr-plain' || v.id === 't210dr-plain-dsmr_parser');

function valueMatches(r: RawReading, e: VectorExpectation): boolean {
  const want = String(e.value);
  if (typeof r.value === 'number') return want.trim() !== '' && Number(want) === r.value;
  if (r.value === want) return true;
  if (decodeHexText(want) === r.value) return true; // ids: the source shows hex, we decode printable text
  const a = Date.parse(r.value), b = Date.parse(want);
  return !Number.isNaN(a) && a === b;
}

function checkExpectations(v: Vector, t: DsmrTelegram): void {
  for (const e of v.expected) {
    const candidates = t.readings.filter((r) => r.obis === e.obis);
    assert.ok(candidates.length > 0, `${v.id}: no reading for ${e.obis}`);
    const hit = candidates.find((r) => valueMatches(r, e) && (e.unit === undefined || r.unit === e.unit));
    assert.ok(hit, `${v.id}: ${e.obis} expected ${JSON.stringify(e.value)} ${e.unit ?? ''}, got ` +
      JSON.stringify(candidates.map((r) => [r.value, r.unit])));
  }
}

function byId(t: DsmrTelegram, id: string): RawReading {
  const r = t.readings.find((x) => x.id === id);
  assert.ok(r, `no reading with id ${id}`);
  return r;
}

test('DSMR public captures parse and match their stated values', async (t) => {
  if (!vectors) { t.skip(VECTORS_SKIP); return; }
  assert.ok(dsmrVectors.length >= 7, `expected at least 7 DSMR captures, found ${dsmrVectors.length}`);
  for (const v of dsmrVectors) {
    await t.test(v.id, () => {
      assert.ok(v.raw_text, 'capture has raw_text');
      const fromText = parseDsmrTelegram(v.raw_text);
      const fromBytes = parseDsmrTelegram(new TextEncoder().encode(v.raw_text));
      assert.deepEqual(fromBytes, fromText, 'text and bytes input give the same result');
      assert.equal(fromText.crc, v.raw_text.trimEnd().endsWith('!') ? 'absent' : 'valid');
      checkExpectations(v, fromText);
      assert.ok(fromText.header.length > 0);
    });
  }
});

test('DSMR captures: special objects', async (t) => {
  if (!vectors) { t.skip(VECTORS_SKIP); return; }
  const get = (id: string): DsmrTelegram => {
    const v = dsmrVectors.find((x) => x.id === id);
    assert.ok(v?.raw_text, `capture ${id} present`);
    return parseDsmrTelegram(v.raw_text);
  };

  await t.test('DSMR 2.2 gas on the continuation line after 0-1:24.3.0', () => {
    const tg = get('dsmr22-iskra-mt382');
    assert.equal(tg.crc, 'absent');
    const gas = byId(tg, 'gas_volume');
    assert.deepEqual(gas, { obis: '0-1:24.2.1', value: 1.001, unit: 'm3', timestamp: '2016-11-07T18:00:00.000Z', id: 'gas_volume' });
    assert.equal(byId(tg, 'gas_device_type').value, 3);
    assert.equal(tg.readings.find((r) => r.obis === '0-0:96.14.0')?.value, '0001');
  });

  await t.test('DSMR 3.0 hex ids and messages are decoded to text', () => {
    const tg = get('dsmr30-iskra-mt382');
    assert.equal(tg.equipmentId, 'K8EG004046395507');
    assert.equal(byId(tg, 'gas_volume').value, 1.001);
    assert.equal(tg.readings.find((r) => r.obis === '0-0:96.13.1')?.value, '012345678');
  });

  await t.test('Kaifa DSMR 4.2: time, power failure log, gas', () => {
    const tg = get('dsmr42-kaifa');
    assert.equal(tg.crc, 'valid');
    assert.equal(tg.version, '42');
    assert.equal(tg.timestamp, '2016-11-13T19:57:57.000Z');
    assert.equal(tg.manufacturer, 'KFM');
    const log = tg.readings.find((r) => r.obis === '1-0:99.97.0');
    assert.equal(log?.value, 3);
    assert.deepEqual(byId(tg, 'gas_volume').timestamp, '2016-11-29T19:00:00.000Z');
  });

  await t.test('Iskra AM550: empty channel 1 (placeholder time) does not take the gas ids', () => {
    const tg = get('dsmr50-two-mbus-iskra-am550');
    const gas = byId(tg, 'gas_volume');
    assert.equal(gas.obis, '0-2:24.2.1');
    assert.equal(gas.value, 246.138);
    const empty = byId(tg, 'mbus_1_value');
    assert.equal(empty.value, 0);
    assert.equal(empty.unit, undefined);
    assert.deepEqual(empty.quality, ['invalid_timestamp']);
    assert.ok(tg.issues.some((i) => i.code === 'INVALID_TIMESTAMP'));
    assert.equal(tg.timestamp, '2020-04-26T20:33:25.000Z'); // S = UTC+2
  });

  await t.test('Fluvius: version, max demand, 13-month history, gas 24.2.3 and water', () => {
    const tg = get('dsmr-fluvius-v171');
    assert.equal(tg.version, '50217');
    assert.equal(tg.equipmentId, '1SAG3101021605');
    const months = [1, 2, 3].map((n) => byId(tg, `max_demand_month_${n}`));
    assert.deepEqual(months.map((r) => r.value), [3.695, 5.98, 4.318]);
    assert.ok(months.every((r) => r.obis === '0-0:98.1.0' && r.unit === 'kW'));
    assert.equal(months[0].timestamp, '2020-04-23T17:25:38.000Z');
    assert.equal(months[2].timestamp, '2020-02-10T02:54:21.000Z'); // W = UTC+1
    const demand = tg.readings.find((r) => r.obis === '1-0:1.6.0');
    assert.deepEqual(demand, { obis: '1-0:1.6.0', value: 2.589, unit: 'kW', timestamp: '2020-05-09T11:45:58.000Z' });
    assert.equal(byId(tg, 'gas_volume').value, 112.384);
    assert.equal(byId(tg, 'gas_volume').obis, '0-1:24.2.3');
    assert.equal(byId(tg, 'water_volume').value, 872.234);
    assert.equal(byId(tg, 'water_equipment_id').value, '8SAG1234567890');
  });
});

test('DSMR captures: the framer cuts each telegram out whole, also from a concatenated stream', (t) => {
  if (!vectors) { t.skip(VECTORS_SKIP); return; }
  const enc = new TextEncoder();
  const stream = enc.encode(dsmrVectors.map((v) => `garbage\r\n${v.raw_text}`).join(''));
  const framer = createDsmrFramer();
  const events = [...framer.push(stream), ...framer.flush()];
  const frames = events.flatMap((e) => (e.type === 'frame' ? [new TextDecoder().decode(e.payload)] : []));
  assert.deepEqual(frames, dsmrVectors.map((v) => v.raw_text));
  for (const f of frames) parseDsmrTelegram(f);
});
