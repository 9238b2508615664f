/**
 * Meter identity where messages leave the reader (src/app/meter-identity.ts): Norwegian list 1 (no meter id)
 * inherits the id of list 2 on the same source, messages before any id wait for it, and a source that never
 * sends one gets a stable fallback id of its own. Driven through the real reader and decoder: list 2 comes from
 * the simulator (no-aidon, no-kaifa), list 1 is built with the same core encoders as the meters send it (the
 * simulator plays list 2 only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReader } from '../src/app/reader.js';
import { createMeterIdentity, fallbackMeterId } from '../src/app/meter-identity.js';
import { createSimulator } from '../src/sim/simulator.js';
import { getProfile } from '../src/core/profiles/builtin.js';
import { buildNotificationBody } from '../src/core/dlms/encode-notification-body.js';
import { encodeDataNotification } from '../src/core/dlms/encode-data-notification.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import type { Source, SourceHandlers } from '../src/adapters/sources/types.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { meterKey } from '../src/sinks/mqtt/payloads.js';

const T0 = Date.UTC(2026, 0, 15, 12);

/** List 1 of a Norwegian meter: active power import only, no meter id, no clock. */
function list1(profile: 'no-aidon' | 'no-kaifa', watts: number, invokeId: number): Uint8Array {
  const reading = { obis: '1-0:1.7.0', value: watts, scaler: 0, unit: 'W', type: 'u32' as const };
  const body = profile === 'no-kaifa'
    ? buildNotificationBody('positional', [reading], { layout: getProfile('no-kaifa')?.layouts?.find((l) => l.elements === 1) })
    : buildNotificationBody('obis-array', [reading]);
  return encodeHdlcFrames(encodeDataNotification({ invokeId, body }));
}

interface Harness { feed(bytes: Uint8Array): void; messages: MeterMessage[]; logs: string[]; stop(): Promise<void>; advance(ms: number): void }

function readerFor(profile: string, description: string): Harness {
  let handlers: SourceHandlers | undefined;
  let clock = T0;
  const source: Source = {
    description,
    start(h) { handlers = h; h.state('connecting'); h.state('connected'); },
    async stop() { handlers = undefined; },
    recycle() { /* the watchdog is not under test */ },
  };
  const messages: MeterMessage[] = [];
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const reader = createReader({ source, decoder: { profile }, watchdogMs: 3_600_000, log, now: () => clock,
    onMessage: (m) => messages.push(m), onError: (e) => logs.push(`error ${e.error.code}: ${e.error.message}`) });
  reader.start();
  return { feed: (b) => handlers?.data(b), messages, logs, stop: () => reader.stop(), advance: (ms) => { clock += ms; } };
}

for (const [profile, meterId] of [['no-aidon', '7359992890941742'], ['no-kaifa', '6970631401753985']] as const) {
  test(`${profile}: list 1 without id inherits the list-2 meter id on that source; early list 1 waits for it`, async () => {
    const h = readerFor(profile, `serial:/dev/ttyUSB0 (${profile})`);
    const sim = createSimulator({ profile, seed: 3 });
    // The reader starts between two list 2 messages: list 1, list 1, list 2, list 1, list 1, list 2, list 1.
    h.feed(list1(profile, 1111, 1));
    h.advance(2500);
    h.feed(list1(profile, 1222, 2));
    assert.equal(h.messages.length, 0, 'list 1 before any id waits for the meter to say who it is');
    h.advance(2500);
    h.feed(sim.frame(T0 + 5000));
    assert.equal(h.messages.length, 3, 'the held list 1 messages leave with list 2, in order');
    for (const [i, w] of [1111, 1222].entries()) {
      assert.equal(h.messages[i].readings.find((r) => r.id === 'power_import')?.value, w);
    }
    h.advance(2500);
    h.feed(list1(profile, 1333, 3));
    h.advance(2500);
    h.feed(list1(profile, 1444, 4));
    h.advance(5000);
    h.feed(sim.frame(T0 + 15_000));
    h.feed(list1(profile, 1555, 5));
    await h.stop();
    assert.equal(h.messages.length, 7, h.logs.join('\n'));
    const list2 = h.messages.filter((m) => m.readings.some((r) => r.id === 'meter_number'));
    assert.equal(list2.length, 2, 'the simulator sends list 2 with the meter number');
    for (const m of h.messages) assert.equal(m.meter.id, meterId, JSON.stringify(m.meter));
    assert.equal(new Set(h.messages.map(meterKey)).size, 1, 'one meter, one MQTT topic');
    assert.deepEqual(h.messages.map((m) => m.readings.find((r) => r.id === 'power_import')?.value).filter((v) => typeof v === 'number' && v > 1000 && v < 2000),
      [1111, 1222, 1333, 1444, 1555]);
  });
}

test('a source that never sends an id: after the hold its messages get one stable fallback id, not "meter"/"unknown"', async () => {
  const a = readerFor('no-kaifa', 'serial:/dev/ttyUSB0');
  const b = readerFor('no-kaifa', 'serial:/dev/ttyUSB1');
  for (const h of [a, b]) {
    for (let i = 1; i <= 3; i++) { h.feed(list1('no-kaifa', 500 + i, i)); h.advance(2000); }
    assert.equal(h.messages.length, 0);
    h.advance(15_000);
    h.feed(list1('no-kaifa', 600, 9));
    assert.equal(h.messages.length, 4, 'the hold is over: all four leave, in order');
    await h.stop();
  }
  const idA = a.messages[0].meter.id;
  const idB = b.messages[0].meter.id;
  assert.equal(idA, fallbackMeterId('serial:/dev/ttyUSB0'));
  assert.match(idA ?? '', /^unidentified-[0-9a-f]{12}$/);
  assert.notEqual(idA, idB, 'two meters without ids on two sources stay two meters');
  assert.ok(a.messages.every((m) => m.meter.id === idA));
  assert.deepEqual(a.messages.map((m) => m.readings[0].value), [501, 502, 503, 600]);
  assert.ok(a.logs.some((l) => l.includes(idA ?? '?')), 'the fallback is announced once');
  assert.equal(a.logs.filter((l) => l.includes('unidentified-')).length, 1);
});

test('identity rules: system title maps to the id seen with it; the end of the source releases held messages', () => {
  let clock = 0;
  const id = createMeterIdentity({ source: 'tcp://10.0.0.5:2001', now: () => clock });
  const msg = (meter: MeterMessage['meter'], v: number): MeterMessage =>
    ({ meter, format: 'apdu', readings: [{ obis: '1-0:1.7.0', id: 'power_import', name: 'P', value: v, unit: 'W', quality: [] }], issues: [] });
  assert.deepEqual(id.admit(msg({ systemTitle: '4b464d0000000001' }, 1)).map((m) => m.meter), [{ systemTitle: '4b464d0000000001' }],
    'a system title alone is an identity: it leaves at once, unchanged');
  assert.deepEqual(id.admit(msg({}, 2)).map((m) => m.meter), [{ systemTitle: '4b464d0000000001' }], 'inherits the system title');
  id.admit(msg({ id: 'M1', systemTitle: '4b464d0000000001', manufacturer: 'KFM' }, 3));
  assert.deepEqual(id.admit(msg({ systemTitle: '4b464d0000000001' }, 4))[0].meter, { id: 'M1', systemTitle: '4b464d0000000001', manufacturer: 'KFM' });
  assert.deepEqual(id.admit(msg({ id: '' }, 5))[0].meter, { id: 'M1', systemTitle: '4b464d0000000001', manufacturer: 'KFM' }, 'an empty id is none');
  assert.deepEqual(id.admit(msg({ id: 'M2' }, 6))[0].meter, { id: 'M2' }, 'a new id is the new identity');
  assert.equal(id.admit(msg({}, 7))[0].meter.id, 'M2');

  const fresh = createMeterIdentity({ source: 'file:x.bin', now: () => clock });
  assert.deepEqual(fresh.admit(msg({}, 1)), []);
  clock += 1000;
  assert.deepEqual(fresh.due(), [], 'still waiting');
  assert.deepEqual(fresh.flush().map((m) => [m.meter.id, m.readings[0].value]), [[fallbackMeterId('file:x.bin'), 1]]);
  assert.deepEqual(fresh.flush(), []);
});
