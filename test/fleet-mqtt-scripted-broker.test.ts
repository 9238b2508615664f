/**
 * What a broker answers to the shared subscription, with a scripted broker (mqtt-packet on a loopback socket) so
 * every answer can be produced: QoS 0 granted, shared subscriptions refused, or not authorised — each a clear
 * error at start(), and the consumer does not go on to wait for messages it would never be able to acknowledge.
 * And a broker that stops answering PINGREQ: the consumer gives the connection up and reconnects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';
import { createMqttFleetConsumer } from '../src/fleet/mqtt/index.js';

const V5 = { protocolVersion: 5 } as const;

async function scriptedBroker(granted: number): Promise<{ port: number; connects: () => number; close(): Promise<void> }> {
  let connects = 0;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const parser = createParser(V5);
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connect') connects++;
      if (p.cmd === 'connect') socket.write(generate({ cmd: 'connack', reasonCode: 0, sessionPresent: false }, V5));
      if (p.cmd === 'subscribe') socket.write(generate({ cmd: 'suback', messageId: p.messageId, granted: [granted] }, V5));
    });
    socket.on('data', (d: Buffer) => parser.parse(d));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { port, connects: () => connects, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

for (const [granted, expected] of [
  [0, /granted QoS 0 only: without QoS 1 nothing is redelivered/],
  [0x9e, /refused it: shared subscriptions not supported \(0x9e\)/],
  [0x87, /refused it: not authorized \(0x87\)/],
] as const) {
  test(`SUBACK ${granted}: start() rejects with a clear error naming the subscription`, async () => {
    const broker = await scriptedBroker(granted);
    try {
      const c = createMqttFleetConsumer({ url: `mqtt://127.0.0.1:${broker.port}`, topic: 'meters/+/raw', group: 'g', clientId: 'g-w1' });
      await assert.rejects(c.start(() => undefined), (e: Error) => {
        assert.match(e.message, expected);
        assert.match(e.message, /\$share\/g\/meters\/\+\/raw/);
        return true;
      });
      assert.equal(c.stats().connected, 0);
    } finally {
      await broker.close();
    }
  });
}

test('a broker that never answers PINGREQ: the connection is given up after the keepalive and made again', async () => {
  const broker = await scriptedBroker(1); // grants QoS 1, answers nothing else
  const warnings: string[] = [];
  try {
    const c = createMqttFleetConsumer({ url: `mqtt://127.0.0.1:${broker.port}`, topic: 'meters/+/raw', group: 'g', clientId: 'g-ka',
      keepaliveSeconds: 1, backoff: { initialMs: 10, maxMs: 50 }, log: { info: () => undefined, warn: (m) => warnings.push(m) } });
    await c.start(() => undefined);
    const deadline = Date.now() + 20_000;
    while (broker.connects() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(broker.connects() >= 2, 'reconnected');
    assert.match(warnings[0], /g-ka-1: no PINGRESP within 1 s: the broker is unreachable; reconnecting to mqtt:\/\/127\.0\.0\.1:\d+ in \d+ ms/);
    await c.close();
  } finally {
    await broker.close();
  }
});
