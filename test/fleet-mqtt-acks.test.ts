/**
 * The fleet consumer against a real Mosquitto with persistence: a message is acknowledged only by ack(); a
 * crashed consumer's unacknowledged messages come back, with DUP, to the next consumer with its client id, and
 * the acknowledged ones never; PUBACKs leave in arrival order whatever order ack() is called in; QoS 0 needs no
 * ack; a broker without QoS 1 or refusing the login is a clear error that names no password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedMessage } from '../src/fleet/contracts.js';
import { createMqttFleetConsumer, type MqttFleetConsumerOptions } from '../src/fleet/mqtt/index.js';
import { payloads, publishAll, recordingProxy, skip, startBroker, waitFor } from './fleet-mqtt-support.js';

const text = (m: ConsumedMessage): string => Buffer.from(m.payload).toString();

function options(url: string, extra: Partial<MqttFleetConsumerOptions> = {}): MqttFleetConsumerOptions {
  return { url, topic: 'meters/+/raw', group: 'acks', clientId: 'acks-w1', backoff: { initialMs: 20, maxMs: 200 }, ...extra };
}

test('only ack() acknowledges: after a crash with N unacknowledged, the same client id gets exactly those N again, with DUP', { skip }, async () => {
  const broker = await startBroker();
  try {
    const first = createMqttFleetConsumer(options(broker.url));
    const got: ConsumedMessage[] = [];
    await first.start((m) => got.push(m));
    const sent = payloads('crash', 30);
    await publishAll(broker.url, (i) => `meters/m${i % 3}/raw`, sent);
    await waitFor('30 messages', () => got.length === 30);
    assert.ok(got.every((m) => !m.redelivered && m.qos === 1));
    // Acknowledge every other one; the broker must have processed those PUBACKs before the crash.
    const acked = got.filter((_, i) => i % 2 === 0);
    const held = got.filter((_, i) => i % 2 === 1);
    for (const m of acked) m.ack();
    await first.flushAcks();
    assert.equal(first.stats().acked, 1, 'PUBACKs wait for the first unacknowledged message: only message 0 left');
    first.destroySockets();
    for (const m of held) m.ack(); // too late: the connection is gone, nothing is sent
    await waitFor('the crash noticed', () => first.stats().connected === 0);
    await first.close();
    assert.equal(first.stats().lateAcks, held.length, 'acks after the crash are counted, not sent');
    assert.equal(first.stats().acked, 1);

    const second = createMqttFleetConsumer(options(broker.url));
    const again: ConsumedMessage[] = [];
    await second.start((m) => again.push(m));
    // Everything after message 0 was unacknowledged on the wire (ordered PUBACKs): 29 come back.
    await waitFor('29 redeliveries', () => again.length === 29);
    await second.flushAcks();
    assert.equal(again.length, 29);
    assert.deepEqual(again.map(text), got.slice(1).map(text), 'the unacknowledged ones, in the original order');
    assert.ok(again.every((m) => m.redelivered), 'DUP set on every redelivery');
    assert.equal(second.stats().redelivered, 29);
    for (const m of again) m.ack();
    await second.flushAcks();
    await second.close();

    // Nothing more is owed: a third session gets nothing, then new messages normally.
    const third = createMqttFleetConsumer(options(broker.url));
    const later: ConsumedMessage[] = [];
    await third.start((m) => { later.push(m); m.ack(); });
    await publishAll(broker.url, 'meters/x/raw', ['after']);
    await waitFor('the new message', () => later.length >= 1);
    await third.flushAcks();
    assert.deepEqual(later.map(text), ['after']);
    await third.close();
  } finally {
    await broker.remove();
  }
});

test('after a crash, the acknowledged messages are not redelivered and exactly the unacknowledged ones are', { skip }, async () => {
  const broker = await startBroker();
  try {
    const c = createMqttFleetConsumer(options(broker.url, { clientId: 'acks-w2' }));
    const got: ConsumedMessage[] = [];
    await c.start((m) => got.push(m));
    await publishAll(broker.url, 'meters/a/raw', payloads('held', 10));
    await waitFor('10 messages', () => got.length === 10);
    for (const m of got.slice(0, 6)) m.ack();
    await c.flushAcks();
    assert.equal(c.stats().acked, 6);
    c.destroySockets();
    await c.close();
    const d = createMqttFleetConsumer(options(broker.url, { clientId: 'acks-w2' }));
    const again: ConsumedMessage[] = [];
    await d.start((m) => again.push(m));
    await waitFor('4 redeliveries', () => again.length === 4);
    await d.flushAcks();
    assert.deepEqual(again.map(text), got.slice(6).map(text));
    assert.ok(again.every((m) => m.redelivered));
    for (const m of again) m.ack();
    await d.flushAcks();
    await d.close();
  } finally {
    await broker.remove();
  }
});

test('PUBACKs leave in the order the PUBLISHes arrived when ack() is called in reverse', { skip }, async () => {
  const broker = await startBroker();
  const proxy = await recordingProxy(broker.port);
  try {
    const c = createMqttFleetConsumer(options(`mqtt://127.0.0.1:${proxy.port}`, { clientId: 'acks-order' }));
    const got: ConsumedMessage[] = [];
    await c.start((m) => got.push(m));
    await publishAll(broker.url, 'meters/o/raw', payloads('order', 50));
    await waitFor('50 messages', () => got.length === 50);
    for (const m of got.slice(1).reverse()) m.ack();
    await c.flushAcks();
    const pubacks = () => proxy.fromClient.filter((p) => p.cmd === 'puback').map((p) => p.messageId);
    assert.deepEqual(pubacks(), [], 'nothing leaves while the first message is unacknowledged');
    got[0].ack();
    await c.flushAcks();
    const published = proxy.fromBroker.filter((p) => p.cmd === 'publish').map((p) => p.messageId);
    assert.equal(published.length, 50);
    assert.deepEqual(pubacks(), published);
    await c.close();
  } finally {
    await proxy.close();
    await broker.remove();
  }
});

test('QoS 0 messages arrive with qos 0 and need no ack; retained flags pass through', { skip }, async () => {
  const broker = await startBroker();
  try {
    const c = createMqttFleetConsumer(options(broker.url, { clientId: 'acks-qos0' }));
    const got: ConsumedMessage[] = [];
    await c.start((m) => got.push(m));
    await publishAll(broker.url, 'meters/q/raw', payloads('q0', 5), 0);
    await publishAll(broker.url, 'meters/q/raw', ['q1']);
    await waitFor('6 messages', () => got.length === 6);
    assert.deepEqual(got.map((m) => m.qos), [0, 0, 0, 0, 0, 1]);
    assert.ok(got.every((m) => m.retained === false));
    assert.equal(c.stats().qos0, 5);
    assert.equal(c.stats().pending, 1, 'only the QoS 1 message waits for an ack');
    got[5].ack();
    await c.flushAcks();
    assert.equal(c.stats().acked, 1);
    await c.close();
  } finally {
    await broker.remove();
  }
});

test('a broker that allows QoS 0 only is refused with a clear error', { skip }, async () => {
  const broker = await startBroker(['max_qos 0']);
  try {
    const c = createMqttFleetConsumer(options(broker.url, { clientId: 'acks-maxqos' }));
    await assert.rejects(c.start(() => undefined), /QoS 0 only: a worker needs QoS 1/);
  } finally {
    await broker.remove();
  }
});

test('a refused login is a clear error that names neither the password from the URL nor from the options', { skip }, async () => {
  const broker = await startBroker(['allow_anonymous false']);
  try {
    for (const opts of [{ url: broker.url.replace('//', '//worker:Sup3r-secret-pw@') }, { url: broker.url, username: 'worker', password: 'Sup3r-secret-pw' }]) {
      const c = createMqttFleetConsumer(options(opts.url, { ...opts, clientId: 'acks-login' }));
      const err = await c.start(() => undefined).then(() => undefined, (e: unknown) => e as Error);
      assert.ok(err instanceof Error);
      assert.match(err.message, /refused the connection: (not authorized|bad user name or password)/);
      assert.doesNotMatch(`${err.message} ${err.stack}`, /Sup3r-secret-pw/);
    }
    const down = createMqttFleetConsumer(options('mqtt://worker:Sup3r-secret-pw@127.0.0.1:1', { clientId: 'acks-down' }));
    const err = await down.start(() => undefined).then(() => undefined, (e: unknown) => e as Error);
    assert.match(String(err?.message), /ECONNREFUSED/);
    assert.doesNotMatch(String(err?.message), /Sup3r-secret-pw/);
  } finally {
    await broker.remove();
  }
});
