/**
 * The consumer's own PUBLISH reader on a real socket, with a scripted broker: packets written a few bytes at a time
 * and many in one write arrive whole and in order, QoS 0 and 1 alike, PUBACKs name the right packet ids in order;
 * and a malformed packet gives the connection up with a clear warning, and the consumer reconnects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';
import type { ConsumedMessage } from '../src/fleet/contracts.js';
import { createMqttFleetConsumer } from '../src/fleet/mqtt/index.js';

const V5 = { protocolVersion: 5 } as const;

/** Grants the subscription, then writes `script(connection number)` in pieces of `piece` bytes; records PUBACK ids, answers PINGREQ. */
async function scriptedBroker(script: (n: number) => Buffer, piece: number) {
  let connects = 0;
  const pubacks: number[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.setNoDelay(true);
    const parser = createParser(V5);
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connect') {
        connects++;
        socket.write(generate({ cmd: 'connack', reasonCode: 0, sessionPresent: false }, V5));
      }
      if (p.cmd === 'subscribe') {
        const bytes = Buffer.concat([generate({ cmd: 'suback', messageId: p.messageId, granted: [1] }, V5), script(connects)]);
        void (async () => {
          for (let i = 0; i < bytes.length && !socket.destroyed; i += piece) {
            socket.write(bytes.subarray(i, i + piece));
            if (piece < 50) await new Promise((r) => setImmediate(r)); // separate reads, not one coalesced write
          }
        })();
      }
      if (p.cmd === 'puback') pubacks.push(p.messageId as number);
      if (p.cmd === 'pingreq') socket.write(generate({ cmd: 'pingresp' }, V5));
    });
    socket.on('data', (d: Buffer) => parser.parse(d));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { port, pubacks, connects: () => connects, close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

const publishes = (n: number): Buffer => Buffer.concat(Array.from({ length: n }, (_, i) => generate({
  cmd: 'publish', topic: `meters/gw${i}/raw`, payload: Buffer.alloc(50 + i, i), qos: i % 5 === 4 ? 0 : 1, messageId: i % 5 === 4 ? undefined : 100 + i,
  dup: i % 3 === 0, retain: false, properties: i % 2 ? { userProperties: { gw: `g${i}` } } : {},
} as Packet, V5)));

for (const piece of [3, 100_000]) {
  test(`40 PUBLISHes written ${piece === 3 ? '3 bytes at a time' : 'in one write'}: every one delivered whole, in order; PUBACKs in order`, async () => {
    const broker = await scriptedBroker(() => publishes(40), piece);
    try {
      const got: ConsumedMessage[] = [];
      const c = createMqttFleetConsumer({ url: `mqtt://127.0.0.1:${broker.port}`, topic: 'meters/+/raw', group: 'g', clientId: 'g-r' });
      await c.start((m) => got.push(m));
      const deadline = Date.now() + 10_000;
      while (got.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got.map((m) => m.topic), Array.from({ length: 40 }, (_, i) => `meters/gw${i}/raw`));
      got.forEach((m, i) => {
        assert.deepEqual(Buffer.from(m.payload), Buffer.alloc(50 + i, i));
        assert.equal(m.qos, i % 5 === 4 ? 0 : 1);
        assert.equal(m.redelivered, i % 3 === 0);
      });
      for (const m of [...got].reverse()) m.ack();
      await c.flushAcks();
      assert.deepEqual(broker.pubacks, Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 5 !== 4).map((i) => 100 + i));
      assert.equal(c.stats().qos0, 8);
      await c.close();
    } finally {
      await broker.close();
    }
  });
}

test('a malformed remaining length: the connection is given up with a clear warning and made again', async () => {
  const broker = await scriptedBroker((n) => (n === 1 ? Buffer.concat([publishes(2), Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01])]) : Buffer.alloc(0)), 100_000);
  const warnings: string[] = [];
  try {
    const got: ConsumedMessage[] = [];
    const c = createMqttFleetConsumer({ url: `mqtt://127.0.0.1:${broker.port}`, topic: 'meters/+/raw', group: 'g', clientId: 'g-m',
      backoff: { initialMs: 10, maxMs: 50 }, log: { info: () => undefined, warn: (m) => warnings.push(m) } });
    await c.start((m) => got.push(m));
    const deadline = Date.now() + 10_000;
    while (broker.connects() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(broker.connects(), 2);
    assert.equal(got.length, 2, 'the packets before the broken one were delivered');
    assert.match(warnings[0], /g-m-1: malformed packet from the broker: remaining length longer than 4 bytes; reconnecting/);
    got[0].ack(); // a message of the dropped connection: not acknowledged on the new one
    assert.equal(c.stats().lateAcks, 1);
    await c.close();
  } finally {
    await broker.close();
  }
});
