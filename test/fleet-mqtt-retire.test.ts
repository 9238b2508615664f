/**
 * Retiring a worker for good (Mosquitto keeps routing a group's messages to every member with a session, online
 * or not): retire() unsubscribes, hands over what the session still holds, then ends the session — afterwards
 * every new message goes to the members that remain, and nothing was lost on the way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedMessage } from '../src/fleet/contracts.js';
import { createMqttFleetConsumer } from '../src/fleet/mqtt/index.js';
import { payloads, publishAll, skip, startBroker, waitFor } from './fleet-mqtt-support.js';

const text = (m: ConsumedMessage): string => Buffer.from(m.payload).toString();

test('retire(): the queued share is handed over and acknowledged, the session ends, later messages all go to the others', { skip }, async () => {
  const broker = await startBroker();
  try {
    const base = { url: broker.url, topic: 'meters/+/raw', group: 'retire', backoff: { initialMs: 20, maxMs: 200 } };
    const got = { a: [] as string[], b: [] as string[] };
    const held: ConsumedMessage[] = [];
    let acking = false;
    const infos: string[] = [];
    const a = createMqttFleetConsumer({ ...base, clientId: 'retire-a', receiveMaximum: 10, log: { info: (m) => infos.push(m), warn: () => undefined } });
    const b = createMqttFleetConsumer({ ...base, clientId: 'retire-b' });
    await a.start((m) => { got.a.push(text(m)); if (acking) m.ack(); else held.push(m); });
    await b.start((m) => { got.b.push(text(m)); m.ack(); });
    const first = payloads('first', 200);
    await publishAll(broker.url, (i) => `meters/m${i}/raw`, first);
    await a.flushAcks();
    assert.equal(got.a.length, 10, 'A holds 10, the rest of its share waits in its session');
    // Retire A while it keeps acknowledging: it gets the rest of its share, then its session ends.
    acking = true;
    for (const m of held) m.ack();
    await a.retire();
    assert.deepEqual([...got.a, ...got.b].sort(), [...first].sort(), 'nothing lost, nothing twice');
    assert.ok(got.a.length > 10);
    const second = payloads('second', 100);
    const before = got.a.length;
    await publishAll(broker.url, (i) => `meters/m${i}/raw`, second);
    await waitFor('B takes all 100', () => got.b.filter((t) => t.startsWith('second')).length === 100);
    assert.equal(got.a.length, before);
    // The same id again starts a new session: nothing was waiting for it.
    const again = createMqttFleetConsumer({ ...base, clientId: 'retire-a', log: { info: (m) => infos.push(m), warn: () => undefined } });
    await again.start(() => assert.fail('nothing should be waiting'));
    await again.flushAcks();
    assert.match(infos.at(-1) ?? '', /retire-a-1: subscribed .* \(new session\)/);
    await again.close();
    await b.close();
  } finally {
    await broker.remove();
  }
});
