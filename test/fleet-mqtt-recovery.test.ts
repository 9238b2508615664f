/**
 * The fleet consumer through failures, against a real Mosquitto with persistence: a broker restart (the consumer
 * reconnects on its own, the unacknowledged messages come back with DUP, acks made for the dead connection are not
 * sent), and 10,000 messages through two members with one killed mid-run and replaced: with a store that dedupes by
 * content (as the fleet store does by meter and timestamp), every message is committed exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedMessage } from '../src/fleet/contracts.js';
import { createMqttFleetConsumer, type MqttFleetConsumer } from '../src/fleet/mqtt/index.js';
import { payloads, publishAll, skip, startBroker, waitFor } from './fleet-mqtt-support.js';

const text = (m: ConsumedMessage): string => Buffer.from(m.payload).toString();
const base = (url: string) => ({ url, topic: 'meters/+/raw', group: 'recovery', backoff: { initialMs: 20, maxMs: 300 } });

test('broker restart: the consumer reconnects by itself, gets the unacknowledged messages again with DUP and continues', { skip }, async () => {
  const broker = await startBroker();
  try {
    const c = createMqttFleetConsumer({ ...base(broker.url), clientId: 'rec-restart' });
    const got: ConsumedMessage[] = [];
    await c.start((m) => got.push(m));
    const sent = payloads('before', 20);
    await publishAll(broker.url, 'meters/b/raw', sent);
    await waitFor('20 messages', () => got.length === 20);
    for (const m of got.slice(0, 12)) m.ack();
    await c.flushAcks();
    await broker.stop();
    await waitFor('the loss noticed', () => c.stats().connected === 0);
    for (const m of got.slice(12)) m.ack(); // their connection is gone: must not be sent on the next one
    assert.equal(c.stats().lateAcks, 8);
    await broker.start();
    await waitFor('8 redeliveries', () => got.length === 28);
    const again = got.slice(20);
    assert.deepEqual(again.map(text), sent.slice(12));
    assert.ok(again.every((m) => m.redelivered));
    assert.ok(c.stats().reconnects >= 1);
    for (const m of again) m.ack();
    await publishAll(broker.url, 'meters/b/raw', ['after-1', 'after-2']);
    await waitFor('the new messages', () => got.length === 30);
    for (const m of got.slice(28)) m.ack();
    await c.flushAcks();
    assert.deepEqual(got.slice(28).map(text), ['after-1', 'after-2']);
    assert.equal(c.stats().acked, 12 + 8 + 2);
    await c.close();
  } finally {
    await broker.remove();
  }
});

/** A worker stand-in: batches of up to 200 (or what 5 ms bring), "committed" into a content-deduping store, then acked. */
function worker(store: Map<string, number>, stats: { commits: number }) {
  let held: ConsumedMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  let dead = false;
  const commit = (): void => {
    timer = undefined;
    if (dead) return;
    const batch = held;
    held = [];
    for (const m of batch) store.set(text(m), (store.get(text(m)) ?? 0) + 1);
    stats.commits++;
    for (const m of batch) m.ack();
  };
  return {
    take(m: ConsumedMessage): void {
      held.push(m);
      if (held.length >= 200) {
        clearTimeout(timer);
        commit();
      } else timer ??= setTimeout(commit, 5);
    },
    /** A crash: the open batch is lost, never committed or acked. */
    kill(): void {
      dead = true;
      clearTimeout(timer);
      held = [];
    },
  };
}

test('10,000 messages, two members, one killed mid-run and replaced: every message committed, none lost, redeliveries deduped', { skip }, async (t) => {
  const broker = await startBroker();
  const consumers: MqttFleetConsumer[] = [];
  try {
    const stored = new Map<string, number>(); // content → times seen by a commit (dedupe = Map keys)
    const stats = { commits: 0 };
    const make = async (id: string) => {
      const w = worker(stored, stats);
      const c = createMqttFleetConsumer({ ...base(broker.url), clientId: id, receiveMaximum: 500 });
      consumers.push(c);
      await c.start((m) => w.take(m));
      return { c, w };
    };
    const a = await make('rec-a');
    const b = await make('rec-b');
    const sent = payloads('frame', 10_000);
    const publishing = publishAll(broker.url, (i) => `meters/m${i % 100}/raw`, sent);
    await waitFor('a mid-run', () => a.c.stats().received >= 1500);
    // Crash A: sockets gone, its open batch lost. Its session keeps its share until A returns (Mosquitto).
    a.w.kill();
    a.c.destroySockets();
    await a.c.close();
    const a2 = await make('rec-a');
    await publishing;
    await waitFor('all 10,000 stored', () => stored.size === 10_000, 60_000);
    await Promise.all([a2.c.flushAcks(), b.c.flushAcks()]);
    assert.deepEqual([...stored.keys()].sort(), [...sent].sort(), 'every message stored, nothing else');
    const seenTwice = [...stored.values()].filter((n) => n > 1).length;
    const redelivered = a2.c.stats().redelivered + b.c.stats().redelivered;
    assert.ok(a2.c.stats().redelivered > 0, 'the replacement got the crashed batch again');
    assert.ok(seenTwice <= redelivered, `a message is committed twice only when redelivered (${seenTwice} ≤ ${redelivered})`);
    t.diagnostic(`redelivered ${redelivered}, committed twice ${seenTwice}, batches ${stats.commits}`);
    // Nothing is owed any more: what the consumers acked covers every delivery after the crash.
    assert.equal(a2.c.stats().pending + b.c.stats().pending, 0);
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
    await broker.remove();
  }
});
