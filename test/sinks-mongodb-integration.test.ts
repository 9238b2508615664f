/**
 * MongoDB sink against a real server. Runs only when METERWIRE_MONGODB_URL points at one (e.g.
 * `mongodb://127.0.0.1:27017/meterwire_test`); there is no MongoDB in the default development image or CI, so
 * without it no test is registered and one line says so. Uses a collection of its own and drops it afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createMongoSink } from '../src/sinks/mongodb/mongo-sink.js';
import { parseMongoUrl, redactMongoUrl } from '../src/sinks/mongodb/documents.js';
import type { SinkContext } from '../src/sinks/types.js';

const url = process.env.METERWIRE_MONGODB_URL;

function messages(profile: string, n: number): MeterMessage[] {
  const sim = createSimulator({ profile, frameCounter: 1000 });
  const d = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const out: MeterMessage[] = [];
  for (let i = 0; i < n; i++) {
    for (const m of d.push(sim.frame(Date.UTC(2026, 3, 1, 12, 0, i * 5)))) {
      assert.ok(!isErrorMessage(m), JSON.stringify(m));
      out.push(m);
    }
  }
  return out;
}

const context: SinkContext = {
  log: { info: () => {}, warn: () => {}, error: () => {} },
  health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
  outputs: () => [],
  stateDir: '.',
};

if (url === undefined || url === '') {
  console.log('# sinks-mongodb-integration: not run: METERWIRE_MONGODB_URL is not set (no MongoDB server here); ' +
    'set it to e.g. mongodb://127.0.0.1:27017/meterwire_test to run it');
} else {
  test('mongodb sink: documents stored once per message, retries add nothing, meter+ts index exists', async (t) => {
    const collection = `telegrams_test_${process.pid}`;
    const sep = url.includes('?') ? '&' : '?';
    const target = parseMongoUrl(`${url}${sep}collection=${collection}`);
    t.diagnostic(`using ${redactMongoUrl(url)} collection ${collection}`);
    const sink = createMongoSink(`${url}${sep}collection=${collection}`, context);
    const check = new MongoClient(target.connectionString);
    try {
      await sink.open();
      const batch = [...messages('at-evn-sagemcom-t210d', 3), ...messages('nl-dsmr5', 2)];
      await sink.write(batch);
      await sink.write(batch); // the fan-out retrying a batch whose acknowledgement was lost
      await sink.write(batch.slice(3));
      const col = check.db(target.database).collection(collection);
      assert.equal(await col.countDocuments(), batch.length);
      const stored = await col.find({ 'meter.id': '178210193075' }).sort({ ts: 1 }).toArray();
      assert.equal(stored.length, 3);
      assert.ok(stored[0].ts instanceof Date && stored[0].receivedAt instanceof Date);
      assert.equal((stored[0].ts as Date).toISOString(), batch[0].timestamp);
      assert.deepEqual(stored[0].readings, JSON.parse(JSON.stringify(batch[0].readings)));
      const indexes = await col.indexes();
      assert.ok(indexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ 'meter.id': 1, ts: 1 })), JSON.stringify(indexes));
    } finally {
      await check.db(target.database).collection(collection).drop().catch(() => undefined);
      await check.close();
      await sink.close();
    }
  });
}
