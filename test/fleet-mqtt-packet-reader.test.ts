/**
 * The consumer's hand-written PUBLISH reader against mqtt-packet's encoder: every split of the stream, properties,
 * QoS 0/1, DUP/RETAIN, other packets passed through whole and in order, and malformed input as a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, type Packet } from 'mqtt-packet';
import { createPacketReader, type PublishFields } from '../src/fleet/mqtt/packet-reader.js';

const V5 = { protocolVersion: 5 } as const;

type Seen = { publish: PublishFields } | { other: number } | { error: string };

function reader(): { push(b: Buffer): void; seen: Seen[] } {
  const seen: Seen[] = [];
  let broken = false;
  const r = createPacketReader({
    publish: (p) => seen.push({ publish: { ...p, payload: Buffer.from(p.payload) } }),
    other: (b) => seen.push({ other: b[0] >> 4 }),
    error: (e) => { broken = true; seen.push({ error: e }); },
    live: () => !broken,
  });
  return { push: (b) => r.push(b), seen };
}

const publish = (extra: Partial<Packet & { cmd: 'publish' }>): Buffer => generate({
  cmd: 'publish', topic: 'meters/a/raw', payload: Buffer.from('payload'), qos: 1, messageId: 7, dup: false, retain: false, ...extra,
} as Packet, V5);

const STREAM = Buffer.concat([
  generate({ cmd: 'connack', reasonCode: 0, sessionPresent: true }, V5),
  publish({}),
  publish({ qos: 0, messageId: undefined, topic: 'meters/ü/raw', payload: Buffer.alloc(0), retain: true }),
  publish({ dup: true, messageId: 65535, payload: Buffer.alloc(300, 0xab) }), // remaining length takes 2 bytes
  publish({ messageId: 9, properties: { payloadFormatIndicator: true, messageExpiryInterval: 60, contentType: 'application/octet-stream',
    responseTopic: 'r/t', correlationData: Buffer.from([1, 2, 3]), userProperties: { gateway: 'gw-1', site: ['a', 'b'] }, subscriptionIdentifier: 300 } }),
  generate({ cmd: 'pingresp' }, V5),
  publish({ messageId: 10, payload: Buffer.from('last') }),
]);

const EXPECTED: Seen[] = [
  { other: 2 },
  { publish: { topic: 'meters/a/raw', payload: Buffer.from('payload'), qos: 1, dup: false, retain: false, packetId: 7 } },
  { publish: { topic: 'meters/ü/raw', payload: Buffer.alloc(0), qos: 0, dup: false, retain: true, packetId: 0 } },
  { publish: { topic: 'meters/a/raw', payload: Buffer.alloc(300, 0xab), qos: 1, dup: true, retain: false, packetId: 65535 } },
  { publish: { topic: 'meters/a/raw', payload: Buffer.from('payload'), qos: 1, dup: false, retain: false, packetId: 9 } },
  { other: 13 },
  { publish: { topic: 'meters/a/raw', payload: Buffer.from('last'), qos: 1, dup: false, retain: false, packetId: 10 } },
];

test('one chunk with many packets: every PUBLISH read, the others passed on whole, in stream order', () => {
  const r = reader();
  r.push(STREAM);
  assert.deepEqual(r.seen, EXPECTED);
});

test('the stream split at every byte offset, and into single bytes, reads the same', () => {
  for (let cut = 1; cut < STREAM.length; cut++) {
    const r = reader();
    r.push(STREAM.subarray(0, cut));
    r.push(STREAM.subarray(cut));
    assert.deepEqual(r.seen, EXPECTED, `split at ${cut}`);
  }
  for (let cut = 1; cut < STREAM.length - 1; cut += 7) {
    const r = reader();
    r.push(STREAM.subarray(0, cut));
    r.push(STREAM.subarray(cut, cut + 1));
    r.push(STREAM.subarray(cut + 1));
    assert.deepEqual(r.seen, EXPECTED, `three parts at ${cut}`);
  }
  const r = reader();
  for (let i = 0; i < STREAM.length; i++) r.push(STREAM.subarray(i, i + 1));
  assert.deepEqual(r.seen, EXPECTED);
});

test('a large PUBLISH over many chunks is gathered once and read whole', () => {
  const big = publish({ payload: Buffer.alloc(200_000, 0x5a) });
  const r = reader();
  for (let i = 0; i < big.length; i += 1000) r.push(big.subarray(i, i + 1000));
  assert.equal(r.seen.length, 1);
  const p = (r.seen[0] as { publish: PublishFields }).publish;
  assert.equal(p.payload.length, 200_000);
  assert.ok(p.payload.every((b) => b === 0x5a));
});

test('the payload is a view of the chunk (no copy) when the packet lies in one chunk', () => {
  const chunk = publish({ payload: Buffer.from('abc') });
  let payload: Buffer | undefined;
  createPacketReader({ publish: (p) => { payload = p.payload; }, other: () => undefined, error: () => undefined, live: () => true }).push(chunk);
  assert.equal(payload?.buffer, chunk.buffer);
  assert.equal(payload?.toString(), 'abc');
});

const malformed: Array<[string, Buffer, RegExp]> = [
  ['a remaining length of 5 bytes', Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01]), /remaining length longer than 4 bytes/],
  ['QoS 3', Buffer.from([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]), /QoS 3/],
  ['a topic longer than the packet', Buffer.from([0x30, 0x03, 0x00, 0x09, 0x74]), /topic runs past the packet/],
  ['packet id 0', Buffer.from([0x32, 0x06, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00]), /packet identifier 0/],
  ['properties longer than the packet', Buffer.from([0x30, 0x05, 0x00, 0x01, 0x74, 0x09, 0x01]), /properties run past the packet/],
  ['a property not allowed in PUBLISH', Buffer.from([0x30, 0x06, 0x00, 0x01, 0x74, 0x02, 0x11, 0x00]), /property 0x11 is not allowed/],
  ['a string property past its length', Buffer.from([0x30, 0x07, 0x00, 0x01, 0x74, 0x03, 0x03, 0x00, 0x05]), /property runs past its length/],
  ['an empty topic', Buffer.from([0x30, 0x03, 0x00, 0x00, 0x00]), /without a topic/],
];
for (const [what, bytes, expected] of malformed) {
  test(`malformed: ${what} is one clear error, and nothing after it is read`, () => {
    const r = reader();
    r.push(Buffer.concat([bytes, publish({})]));
    assert.equal(r.seen.length, 1);
    assert.match((r.seen[0] as { error: string }).error, expected);
    r.push(publish({}));
    assert.equal(r.seen.length, 1);
  });
}

test('a topic alias is refused: the worker announces no Topic Alias Maximum, so the broker must not use one', () => {
  const r = reader();
  r.push(publish({ properties: { topicAlias: 1 } }));
  assert.match((r.seen[0] as { error: string }).error, /topic alias.*Topic Alias Maximum 0/);
  const aliasOnly = publish({ topic: '', properties: { topicAlias: 1 } });
  const r2 = reader();
  r2.push(aliasOnly);
  assert.match((r2.seen[0] as { error: string }).error, /topic alias/);
});

test('reading stops at once when the connection is given up in a callback', () => {
  let live = true;
  const topics: string[] = [];
  const r = createPacketReader({ publish: (p) => { topics.push(p.topic); live = false; }, other: () => undefined, error: () => undefined, live: () => live });
  r.push(Buffer.concat([publish({ topic: 'a' }), publish({ topic: 'b' })]));
  assert.deepEqual(topics, ['a']);
});
