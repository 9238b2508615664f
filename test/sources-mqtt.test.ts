import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { openSource } from '../src/adapters/sources/open-source.js';
import { createRecorder, hasNoRepeatedState } from './support/source-recorder.js';
import { canConnectTcp, requireService } from './support/services.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const skip = await requireService('Mosquitto on 127.0.0.1:1883', () => canConnectTcp('127.0.0.1', 1883), 'start a broker (apt-get install mosquitto) for the MQTT tests');

const topicBase = () => `meterwire-test/${randomBytes(6).toString('hex')}`;

async function publish(topic: string, payloads: (string | Buffer)[]): Promise<void> {
  const client = await mqtt.connectAsync(BROKER, { reconnectPeriod: 0 });
  try {
    for (const p of payloads) await client.publishAsync(topic, p, { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

test('mqtt: binary, hex and base64 payloads come out as exactly the published bytes', { skip }, async () => {
  const base = topicBase();
  const src = openSource(`${BROKER}/${base}/+/raw`, { backoff: { initialMs: 50, maxMs: 500 } });
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('connected');
    const frame = Buffer.from([0x7e, 0xa0, 0x2a, 0x41, 0x08, 0x83, 0x13, 0x0d, 0x0a, 0x7e]);
    await publish(`${base}/bin/raw`, [frame]);
    await rec.waitForBytes(10);
    await publish(`${base}/hex/raw`, [frame.toString('hex').replace(/(..)/g, '$1 ')]);
    await rec.waitForBytes(20);
    await publish(`${base}/b64/raw`, [frame.toString('base64')]);
    await rec.waitForBytes(30);
    assert.equal(rec.chunks.length, 3);
    for (const c of rec.chunks) assert.deepEqual(Buffer.from(c), frame);
    assert.deepEqual(rec.stateList(), ['connecting', 'connected']);
  } finally {
    await src.stop();
  }
});

test('mqtt: "#" wildcard written literally; recycle() reconnects and resubscribes', { skip }, async () => {
  const base = topicBase();
  const src = openSource(`${BROKER}/${base}/#`, { backoff: { initialMs: 20, maxMs: 100 } });
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('connected');
    src.recycle('no frame for 30 s');
    await rec.waitForState('connected', 2);
    await publish(`${base}/a/b`, [Buffer.from('/KFM5\r\n!')]);
    await rec.waitForBytes(8);
    assert.equal(rec.bytes().toString(), '/KFM5\r\n!');
    assert.deepEqual(rec.stateList(), ['connecting', 'connected', 'disconnected', 'connected']);
  } finally {
    await src.stop();
  }
});

test('mqtt: credentials are redacted; a refused or absent broker is one disconnected, not a stream of them', { skip }, async () => {
  const src = openSource('mqtt://meter:Sup3rS3cret@127.0.0.1:1/meters/p1', { backoff: { initialMs: 10, maxMs: 30 } });
  assert.equal(src.description, 'mqtt://meter:***@127.0.0.1:1/meters/p1');
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('disconnected');
    await new Promise((r) => setTimeout(r, 150)); // several refused attempts
    assert.deepEqual(rec.stateList(), ['connecting', 'disconnected']);
    assert.ok(hasNoRepeatedState(rec.states));
    for (const s of rec.states) assert.doesNotMatch(s.detail ?? '', /Sup3rS3cret/);
  } finally {
    await src.stop();
  }
});

test('mqtt: the broker connection dropping (broker restart) → disconnected, reconnect, resubscribed', { skip }, async () => {
  // A TCP proxy in front of Mosquitto stands in for a broker restart: dropping its sockets cuts the session.
  const links: Socket[] = [];
  const proxy = createServer((inbound) => {
    const outbound = connect(1883, '127.0.0.1');
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]]) {
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
    links.push(inbound);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as AddressInfo).port;
  const base = topicBase();
  const src = openSource(`mqtt://127.0.0.1:${port}/${base}/raw`, { backoff: { initialMs: 20, maxMs: 100 } });
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('connected');
    for (const l of links) l.destroy();
    await rec.waitForState('connected', 2);
    await publish(`${base}/raw`, ['0102 0304']);
    await rec.waitForBytes(4);
    assert.deepEqual([...rec.bytes()], [1, 2, 3, 4]);
    assert.deepEqual(rec.stateList(), ['connecting', 'connected', 'disconnected', 'connected']);
  } finally {
    await src.stop();
    for (const l of links) l.destroy();
    await new Promise((r) => proxy.close(r));
  }
});
