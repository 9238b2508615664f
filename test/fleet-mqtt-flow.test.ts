/**
 * Load sharing and back-pressure of the fleet consumer against a real Mosquitto: two members of one group split
 * the messages; a consumer that does not acknowledge holds at most Receive Maximum messages (the broker stops
 * sending) or at most maxPending (we stop reading), and continues exactly where it stopped once it acknowledges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedMessage } from '../src/fleet/contracts.js';
import { createMqttFleetConsumer } from '../src/fleet/mqtt/index.js';
import { payloads, publishAll, skip, startBroker, waitFor } from './fleet-mqtt-support.js';

const text = (m: ConsumedMessage): string => Buffer.from(m.payload).toString();
const base = (url: string) => ({ url, topic: 'meters/+/raw', group: 'flow', backoff: { initialMs: 20, maxMs: 200 } });

test('two members of one group share the load: each gets some, together every message exactly once', { skip }, async () => {
  const broker = await startBroker();
  try {
    const got = new Map<string, string[]>([['a', []], ['b', []]]);
    const members = ['a', 'b'].map((id) => createMqttFleetConsumer({ ...base(broker.url), clientId: `flow-${id}` }));
    await Promise.all(members.map((c, i) => c.start((m) => { got.get(i === 0 ? 'a' : 'b')?.push(text(m)); m.ack(); })));
    const sent = payloads('share', 400);
    await publishAll(broker.url, (i) => `meters/m${i}/raw`, sent);
    await waitFor('400 messages', () => got.get('a')!.length + got.get('b')!.length === 400);
    await Promise.all(members.map((c) => c.flushAcks()));
    const a = got.get('a')!;
    const b = got.get('b')!;
    assert.ok(a.length > 0 && b.length > 0, `both members get messages (${a.length}/${b.length})`);
    assert.deepEqual([...a, ...b].sort(), [...sent].sort());
    assert.equal(members[0].stats().acked + members[1].stats().acked, 400);
    await Promise.all(members.map((c) => c.close()));
  } finally {
    await broker.remove();
  }
});

/** Acknowledges everything handed over until `total` arrived (acks may bring more during the loop). */
async function drain(got: ConsumedMessage[], total: number): Promise<void> {
  let acked = 0;
  while (acked < total) {
    await waitFor('more messages', () => got.length > acked);
    const batch = got.slice(acked);
    for (const m of batch) m.ack();
    acked += batch.length;
  }
}

test('Receive Maximum 25 in CONNECT: while nothing is acknowledged the broker sends 25, the rest waits in the session', { skip }, async () => {
  const broker = await startBroker();
  try {
    const c = createMqttFleetConsumer({ ...base(broker.url), clientId: 'flow-rm', receiveMaximum: 25, maxPending: 10_000 });
    const got: ConsumedMessage[] = [];
    await c.start((m) => got.push(m));
    const sent = payloads('rm', 300);
    await publishAll(broker.url, 'meters/r/raw', sent); // all 300 are with the broker now
    await c.flushAcks(); // anything the broker wrote before its PINGRESP has arrived
    assert.equal(got.length, 25);
    assert.equal(c.stats().pending, 25);
    await drain(got, sent.length);
    await c.flushAcks();
    assert.deepEqual(got.map(text), sent, 'everything once, in order');
    assert.equal(c.stats().acked, 300);
    await c.close();
  } finally {
    await broker.remove();
  }
});

test('acknowledging one at a time never hands over more than Receive Maximum (Mosquitto 2.0 refills beyond it after a PUBACK)', { skip }, async () => {
  const broker = await startBroker();
  try {
    const c = createMqttFleetConsumer({ ...base(broker.url), clientId: 'flow-one', receiveMaximum: 25 });
    const got: ConsumedMessage[] = [];
    let most = 0;
    await c.start((m) => {
      got.push(m);
      most = Math.max(most, c.stats().pending);
    });
    const sent = payloads('one', 300);
    await publishAll(broker.url, 'meters/o/raw', sent);
    for (let i = 0; i < sent.length; i++) {
      await waitFor(`message ${i}`, () => got.length > i);
      got[i].ack();
    }
    await c.flushAcks();
    assert.ok(most <= 25, `at most 25 pending, saw ${most}`);
    assert.deepEqual(got.map(text), sent);
    await c.close();
  } finally {
    await broker.remove();
  }
});

test('back-pressure by maxPending: with a broker allowed 1000 in flight, at most 10 are handed over unacknowledged; reading resumes on ack', { skip }, async () => {
  const broker = await startBroker();
  try {
    const c = createMqttFleetConsumer({ ...base(broker.url), clientId: 'flow-pending', receiveMaximum: 1000, maxPending: 10 });
    const got: ConsumedMessage[] = [];
    let most = 0;
    await c.start((m) => {
      got.push(m);
      most = Math.max(most, c.stats().pending);
    });
    const sent = payloads('pending', 200).map((p) => `${p}|${'x'.repeat(2000)}`);
    await publishAll(broker.url, 'meters/p/raw', sent);
    await waitFor('the consumer paused', () => c.stats().paused === 1 && got.length >= 10);
    assert.equal(got.length, 10, 'what the broker sent beyond the limit is not handed over');
    // Acknowledging brings the rest, never more than 10 unacknowledged at a time.
    await drain(got, sent.length);
    await c.flushAcks();
    assert.ok(most <= 10, `at most 10 pending, saw ${most}`);
    assert.deepEqual(got.map(text), sent);
    assert.equal(c.stats().paused, 0);
    await c.close();
  } finally {
    await broker.remove();
  }
});
