/**
 * The worker decodes what one socket read delivered as one group (one await for all its lookups): a lookup that
 * fails inside a group is retried for that message alone, nothing is acknowledged before its commit, acks keep
 * arrival order, and a stop that gives up on the directory leaves exactly the undecoded messages to redelivery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FleetMeter, MeterDirectory } from '../src/fleet/contracts.js';
import { createFleetWorker } from '../src/fleet/worker/fleet-worker.js';
import { assertAckedAfterCommit, MemoryConsumer, memoryLog, MemoryStore, simMeter, until, type FleetEvent } from './fleet-worker-support.js';

/** Fails `failures[topicId]` lookups of that topic (rejecting, or throwing at once when `sync`), then answers. */
function flakyDirectory(meters: FleetMeter[], failures: Map<string, number>, sync = false): MeterDirectory & { calls: number } {
  const byTopic = new Map(meters.map((m) => [m.topicId, m]));
  const dir = {
    calls: 0,
    lookup(topicId: string): Promise<FleetMeter | undefined> {
      dir.calls++;
      const left = failures.get(topicId) ?? 0;
      if (left > 0) {
        failures.set(topicId, left - 1);
        if (sync) throw new Error('directory database unreachable');
        return Promise.reject(new Error('directory database unreachable'));
      }
      return Promise.resolve(byTopic.get(topicId));
    },
    close: async () => undefined,
  };
  return dir;
}

for (const sync of [false, true]) {
  test(`one group with a lookup that ${sync ? 'throws' : 'rejects'} twice, an unknown meter and a foreign topic: all committed, acked once each, in order, after the commit`, async () => {
    const events: FleetEvent[] = [];
    const consumer = new MemoryConsumer(events);
    const store = new MemoryStore(events);
    const meters = Array.from({ length: 12 }, (_, i) => simMeter(i, i % 2 ? 'nl-dsmr5' : 'at-kaernten-am550'));
    const directory = flakyDirectory(meters.map((m) => m.meter), new Map([[meters[5].meter.topicId, 2]]), sync);
    const worker = createFleetWorker({ consumer, directory, store, log: memoryLog(), topicPattern: 'meters/+/raw', maxBatch: 500, maxWaitMs: 5,
      retry: { initialMs: 1, maxMs: 2 }, sleep: async () => {} });
    await worker.start();
    // All in one go, as one socket read delivers them.
    for (const m of meters) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(0));
    consumer.publish('meters/nobody/raw', meters[0].frame(1));
    consumer.publish('other/x', meters[0].frame(2));
    await until('every message acked', () => consumer.messages.every((x) => x.acks > 0));
    await worker.stop();
    assert.equal(store.rows.size, 12);
    assert.deepEqual(store.deadLetters.map((d) => d.reason), ['unknown-meter', 'unknown-meter']);
    assert.equal(store.commits, 1, 'one group, one batch');
    assert.deepEqual(consumer.messages.map((x) => x.acks), consumer.messages.map(() => 1));
    assert.equal(assertAckedAfterCommit(events), undefined);
    const ackOrder = events.flatMap((e) => (e.type === 'ack' ? [e.message.seq] : []));
    assert.deepEqual(ackOrder, consumer.messages.map((x) => x.seq));
    assert.equal(directory.calls, 13 + 2, 'the foreign topic needs no lookup; the failed one two more');
  });
}

test('stop gives up on a directory that stays down inside a group: what was decoded is committed and acked, the rest is left unacknowledged and counted', async () => {
  const events: FleetEvent[] = [];
  const consumer = new MemoryConsumer(events);
  const store = new MemoryStore(events);
  const log = memoryLog();
  const meters = Array.from({ length: 10 }, (_, i) => simMeter(i, 'nl-dsmr5'));
  const directory = flakyDirectory(meters.map((m) => m.meter), new Map([[meters[6].meter.topicId, Infinity]]));
  const worker = createFleetWorker({ consumer, directory, store, log, topicPattern: 'meters/+/raw', maxBatch: 500, maxWaitMs: 5,
    retry: { initialMs: 1, maxMs: 2 }, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), drainTimeoutMs: 0 });
  await worker.start();
  for (const m of meters) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(0));
  await until('the lookup failed', () => log.lines.some((l) => /LOOKUP_FAILED/.test(l.msg)));
  await worker.stop();
  assert.deepEqual(consumer.messages.map((x) => x.acks), [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  assert.equal(store.rows.size, 6);
  assert.equal(assertAckedAfterCommit(events), undefined);
  assert.ok(log.lines.some((l) => /the meter directory is unreachable; 4 messages left to the broker/.test(l.msg)), JSON.stringify(log.lines.map((l) => l.msg)));
});
