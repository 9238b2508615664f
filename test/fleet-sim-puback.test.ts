/**
 * The load generator's QoS 1 publisher: its PUBACK reader under any chunking (packets split anywhere, many in one
 * chunk) and on bytes that are no PUBACK; and the publisher against a scripted broker that answers in
 * one-byte chunks and out of order: every message counts as acknowledged only after its PUBACK, the window
 * holds, packet ids are not reused while in flight, and the packets carry the given topics and payloads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { createPubackReader, openQos1Publisher, topicBytes } from '../src/sim/fleet/qos1-publisher.js';

const pubacks = (ids: number[]): Uint8Array => Uint8Array.from(ids.flatMap((id) => [0x40, 0x02, id >> 8, id & 0xff]));

test('PUBACKs split at every position, or byte by byte, give the same ids in order', () => {
  const ids = [1, 2, 0x1234, 0xffff, 7, 256];
  const bytes = pubacks(ids);
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b++) {
      const got: number[] = [];
      const read = createPubackReader((id) => got.push(id));
      for (const chunk of [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]) assert.equal(read(chunk), undefined);
      assert.deepEqual(got, ids, `split at ${a}, ${b}`);
    }
  }
  const got: number[] = [];
  const read = createPubackReader((id) => got.push(id));
  for (const byte of bytes) read(Uint8Array.of(byte));
  assert.deepEqual(got, ids);
});

test('a byte that is no PUBACK is an error, also when split from its packet', () => {
  const read = createPubackReader(() => {});
  assert.match(read(Uint8Array.of(0x40, 0x02, 0, 1, 0xd0, 0x00))!, /unexpected packet 0xd0/);
  const split = createPubackReader(() => {});
  assert.equal(split(Uint8Array.of(0x40)), undefined);
  assert.match(split(Uint8Array.of(0x03, 0, 1))!, /unexpected packet 0x40/, 'a wrong remaining length');
  assert.match(createPubackReader(() => {})(Uint8Array.of(0x30))!, /0x30/);
});

interface Got { id: number; topic: string; payload: Buffer }

/** A broker that acknowledges what it got when asked to, in reverse order, one byte per write. */
async function scriptedBroker(): Promise<{ port: number; got: Got[]; ackAll(): Promise<void>; close(): void }> {
  const got: Got[] = [];
  let client: Socket | undefined;
  let unacked: number[] = [];
  const server = createServer((s) => {
    client = s;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => {
      if (p.cmd === 'connect') s.write(mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
      if (p.cmd === 'publish') {
        assert.equal(p.qos, 1);
        got.push({ id: p.messageId!, topic: p.topic, payload: p.payload as Buffer });
        unacked.push(p.messageId!);
      }
    });
    s.on('data', (d) => parser.parse(d));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port, got,
    async ackAll() {
      const bytes = pubacks(unacked.reverse());
      unacked = [];
      for (const b of bytes) { client!.write(Uint8Array.of(b)); await new Promise((r) => setImmediate(r)); }
    },
    close: () => { client?.destroy(); server.close(); },
  };
}

test('the publisher counts a message acknowledged only after its PUBACK, and keeps to its window', async () => {
  const broker = await scriptedBroker();
  const pub = await openQos1Publisher({ host: '127.0.0.1', port: broker.port, clientId: 't', window: 5 });
  try {
    const topic = topicBytes('meters/ä/raw');
    assert.equal(pub.free, 5);
    for (let i = 0; i < 5; i++) pub.add(topic, Uint8Array.of(i, 0xff));
    assert.equal(pub.published, 0, 'counted when written');
    pub.send();
    assert.equal(pub.published, 5);
    assert.equal(pub.free, 0);
    while (broker.got.length < 5) await new Promise((r) => setTimeout(r, 5));
    assert.equal(pub.acked, 0, 'nothing acknowledged before the PUBACKs');
    assert.deepEqual(broker.got.map((g) => [g.topic, [...g.payload]]), [0, 1, 2, 3, 4].map((i) => ['meters/ä/raw', [i, 0xff]]));
    const firstIds = broker.got.map((g) => g.id);
    assert.equal(new Set(firstIds).size, 5, 'distinct packet ids');
    await broker.ackAll();
    while (pub.acked < 5) await new Promise((r) => setTimeout(r, 5));
    assert.equal(pub.free, 5);
    // A payload view overwritten after add: the packet keeps what it was at add time.
    const view = new Uint8Array(3);
    for (let i = 0; i < 3; i++) { view.fill(i + 10); pub.add(topic, view); }
    pub.send();
    while (broker.got.length < 8) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(broker.got.slice(5).map((g) => [...g.payload]), [[10, 10, 10], [11, 11, 11], [12, 12, 12]]);
    await broker.ackAll();
    await pub.drain(5000);
    assert.equal(pub.acked, 8);
    assert.equal(pub.inFlight, 0);
  } finally {
    broker.close();
    await pub.close();
  }
});
