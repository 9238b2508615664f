/**
 * MongoDB sink without a server: the document mapping, the idempotency key, URL parsing and redaction, and the
 * duplicate-tolerant insert against a fake collection that behaves like the driver (unique _id, unordered bulk
 * insert reporting duplicate keys as code 11000). The real-server test is sinks-mongodb-integration.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { idempotencyKey, messageDocument, parseMongoUrl, redactMongoUrl, type MessageDocument } from '../src/sinks/mongodb/documents.js';
import { createMongoSink, insertIdempotent, isOnlyDuplicateKeys, type InsertTarget } from '../src/sinks/mongodb/mongo-sink.js';
import { attachTelegram } from '../src/sinks/dsmr-proxy/telegram-property.js';
import type { SinkContext } from '../src/sinks/types.js';

const T0 = Date.UTC(2026, 2, 5, 9, 0, 0);

function simulated(profile: string, at: number, frameCounter = 500): MeterMessage {
  const d = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const [msg] = [...d.push(createSimulator({ profile, frameCounter }).frame(at)), ...d.flush()];
  assert.ok(msg && !isErrorMessage(msg), JSON.stringify(msg));
  return msg;
}

function context(logs: string[] = []): SinkContext {
  const log = (m: string): void => { logs.push(m); };
  return {
    log: { info: log, warn: log, error: log },
    health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
    outputs: () => [],
    stateDir: '.',
  };
}

/** Behaves like insertMany({ordered: false}) on a collection with its unique _id index. */
function fakeCollection(): InsertTarget & { docs: Map<string, MessageDocument> } {
  const docs = new Map<string, MessageDocument>();
  const insertMany = async (batch: readonly MessageDocument[]) => {
    const writeErrors: { code: number; index: number }[] = [];
    let insertedCount = 0;
    batch.forEach((d, index) => {
      if (docs.has(d._id)) writeErrors.push({ code: 11000, index });
      else { docs.set(d._id, structuredClone(d)); insertedCount++; }
    });
    if (writeErrors.length > 0) throw Object.assign(new Error('E11000 duplicate key error'), { code: 11000, writeErrors, result: { insertedCount } });
    return { acknowledged: true, insertedCount, insertedIds: {} };
  };
  return { docs, insertMany: insertMany as unknown as InsertTarget['insertMany'] };
}

test('mongodb document: the message JSON plus ts and receivedAt Dates and the idempotency key as _id', () => {
  const msg = simulated('at-evn-sagemcom-t210d', T0);
  attachTelegram(msg, '/XXX5\\not-stored\r\n\r\n!\r\n'); // non-enumerable extras stay out, like in JSON output
  const receivedAt = new Date(T0 + 1234);
  const doc = messageDocument(msg, receivedAt);
  assert.equal(doc._id, `178210193075|${msg.timestamp}|500`);
  assert.ok(doc.ts instanceof Date);
  assert.equal(doc.ts.toISOString(), msg.timestamp);
  assert.equal(doc.receivedAt, receivedAt);
  const { _id, ts, receivedAt: _r, ...rest } = doc;
  assert.deepEqual(rest, JSON.parse(JSON.stringify(msg)));
  assert.equal('telegram' in doc, false);
  assert.ok(_id && ts);
});

test('mongodb idempotency key: one per message of a meter; same message → same key; no time → content hash', () => {
  const a = simulated('at-evn-kaifa-ma309', T0, 1);
  const b = simulated('at-evn-kaifa-ma309', T0 + 5000, 2);
  const dsmr = simulated('nl-dsmr5', T0);
  assert.notEqual(idempotencyKey(a), idempotencyKey(b));
  assert.equal(idempotencyKey(a), idempotencyKey(structuredClone(a)));
  assert.equal(idempotencyKey(dsmr), `E0044007382246019|${dsmr.timestamp}|-`, 'DSMR: no frame counter');
  const untimed: MeterMessage = { ...dsmr, timestamp: undefined };
  const key = idempotencyKey(untimed);
  assert.match(key, /^E0044007382246019\|sha256:[0-9a-f]{32}$/);
  assert.equal(idempotencyKey(structuredClone(untimed)), key);
  const other: MeterMessage = { ...untimed, readings: untimed.readings.slice(1) };
  assert.notEqual(idempotencyKey(other), key);
  const receivedAt = new Date(T0);
  assert.equal(messageDocument(untimed, receivedAt).ts, receivedAt, 'ts falls back to receivedAt');
});

test('mongodb insert: a retried batch adds nothing; a partly stored batch adds only the new ones', async () => {
  const col = fakeCollection();
  const batch = [0, 1, 2].map((i) => messageDocument(simulated('at-ksm-west-kaifa', T0 + i * 5000, 10 + i), new Date(T0)));
  assert.equal(await insertIdempotent(col, batch), 3);
  assert.equal(await insertIdempotent(col, batch), 0, 'the retry is accepted, not an error');
  const more = [...batch, messageDocument(simulated('at-ksm-west-kaifa', T0 + 15000, 13), new Date(T0))];
  assert.equal(await insertIdempotent(col, more), 1);
  assert.equal(col.docs.size, 4);
  assert.equal(await insertIdempotent(col, []), 0);
});

test('mongodb insert: other write errors fail the batch so the fan-out retries it', async () => {
  const failing: InsertTarget = {
    insertMany: (async () => { throw Object.assign(new Error('not primary'), { code: 10107 }); }) as unknown as InsertTarget['insertMany'],
  };
  const doc = messageDocument(simulated('no-aidon', T0), new Date(T0));
  await assert.rejects(insertIdempotent(failing, [doc]), /not primary/);
  assert.equal(isOnlyDuplicateKeys({ writeErrors: [{ code: 11000 }, { code: 121 }] }), false);
  assert.equal(isOnlyDuplicateKeys({ writeErrors: { code: 11000 } }), true, 'the driver reports a single error unwrapped');
  assert.equal(isOnlyDuplicateKeys({ writeErrors: [] }), false);
  assert.equal(isOnlyDuplicateKeys(new Error('network')), false);
});

test('mongodb URL: database, collection option removed for the driver, multi-host seed lists, redaction', () => {
  assert.deepEqual(parseMongoUrl('mongodb://u:p%40ss@db1:27017,db2:27017/energy?collection=telegrams&replicaSet=rs0'), {
    connectionString: 'mongodb://u:p%40ss@db1:27017,db2:27017/energy?replicaSet=rs0', database: 'energy', collection: 'telegrams',
  });
  assert.deepEqual(parseMongoUrl('mongodb://localhost'), { connectionString: 'mongodb://localhost/', database: 'meterwire', collection: 'telegrams' });
  assert.equal(parseMongoUrl('mongodb+srv://cluster.example.net/m?collection=p1').collection, 'p1');
  assert.throws(() => parseMongoUrl('postgres://x/y'), /MongoDB URL/);
  assert.throws(() => parseMongoUrl('mongodb://h/db?collection=system.users'), /collection/);
  assert.equal(redactMongoUrl('mongodb://meter:s3cret@db1,db2/energy?collection=t'), 'mongodb://meter:***@db1,db2/energy?collection=t');
  assert.equal(redactMongoUrl('mongodb://db/energy'), 'mongodb://db/energy');
});

test('mongodb sink: durable, password never in its name or errors; an unreachable server makes open() throw', async () => {
  const logs: string[] = [];
  // Port 1 on loopback refuses connections: the driver's server selection fails (the "down" path).
  const sink = createMongoSink('mongodb://meter:s3cret@127.0.0.1:1/energy?collection=t', context(logs),
    { client: { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 } });
  assert.equal(sink.durable, true);
  assert.equal(sink.name, 'mongodb://meter:***@127.0.0.1:1/energy?collection=t');
  const err = await sink.open().then(() => undefined, (e: unknown) => e as Error);
  assert.ok(err instanceof Error, 'open() rejects');
  assert.doesNotMatch(err.message, /s3cret/);
  await assert.rejects(sink.write([simulated('no-kaifa', T0)]), /not open/);
  await sink.close();
  assert.ok(logs.every((l) => !l.includes('s3cret')));
});
