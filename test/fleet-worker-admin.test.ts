import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitResult, DeadLetterReason, FleetBatch, FleetRow } from '../src/fleet/contracts.js';
import type { FleetAdmin, MeterActivity, StoredDeadLetter } from '../src/fleet/worker/fleet-admin.js';
import { fleetStatus, formatFleetStatus } from '../src/fleet/worker/fleet-status.js';
import { redecodeDeadLetters } from '../src/fleet/worker/redecode.js';
import { createFrameDecoder } from '../src/fleet/worker/frame-decoder.js';
import { runFleetWorker } from '../src/cli/fleet-command.js';
import type { FleetBackends } from '../src/fleet/worker/backends.js';
import { MemoryConsumer, MemoryDirectory, MemoryStore, simMeter, until, type FleetEvent } from './fleet-worker-support.js';
import { getProfile } from '../src/core/profiles/builtin.js';

/** The admin queries over memory, as the PostgreSQL store would answer them. */
class MemoryAdmin implements FleetAdmin {
  rows: FleetRow[] = [];
  dead: StoredDeadLetter[] = [];
  meters: { meterId: string; topicId: string; profile?: string }[] = [];
  nextId = 1;
  transactions = 0;
  failNextResolve = false;

  async framesPerMinute(since: Date) {
    const by = new Map<number, number>();
    for (const r of this.rows) {
      const t = r.receivedAt.getTime();
      if (t < since.getTime()) continue;
      const m = Math.floor(t / 60_000) * 60_000;
      by.set(m, (by.get(m) ?? 0) + 1);
    }
    return [...by].sort((a, b) => a[0] - b[0]).map(([m, frames]) => ({ minute: new Date(m), frames }));
  }
  async deadLetterCounts() {
    const by = new Map<DeadLetterReason, number>();
    for (const d of this.dead) by.set(d.reason, (by.get(d.reason) ?? 0) + 1);
    return [...by].map(([reason, count]) => ({ reason, count }));
  }
  async silentMeters(cutoff: Record<string, number>, limit: number): Promise<MeterActivity[]> {
    const out: MeterActivity[] = [];
    for (const m of this.meters) {
      const last = Math.max(-Infinity, ...this.rows.filter((r) => r.meterId === m.meterId).map((r) => r.receivedAt.getTime()));
      if (last < (cutoff[m.profile ?? ''] ?? cutoff[''])) out.push({ ...m, ...(Number.isFinite(last) ? { lastReceivedAt: new Date(last) } : {}) });
    }
    return out.slice(0, limit);
  }
  add(d: Omit<StoredDeadLetter, 'id'>): void {
    this.dead.push({ ...d, id: String(this.nextId++) });
  }
  async deadLettersPage(q: { reasons: readonly DeadLetterReason[]; afterId?: string; limit: number }) {
    return this.dead.filter((d) => q.reasons.includes(d.reason) && (q.afterId === undefined || Number(d.id) > Number(q.afterId)))
      .sort((a, b) => Number(a.id) - Number(b.id)).slice(0, q.limit);
  }
  async resolveDeadLetters(batch: FleetBatch, ids: readonly string[]): Promise<CommitResult> {
    if (this.failNextResolve) {
      this.failNextResolve = false;
      throw new Error('connection lost');
    }
    this.transactions++;
    let inserted = 0;
    let duplicates = 0;
    for (const r of batch.rows) {
      if (this.rows.some((x) => x.meterId === r.meterId && x.meterTime.getTime() === r.meterTime.getTime())) duplicates++;
      else { this.rows.push(r); inserted++; }
    }
    this.dead = this.dead.filter((d) => !ids.includes(d.id));
    for (const d of batch.deadLetters) this.add(d);
    return { inserted, duplicates, replays: 0, deadLetters: batch.deadLetters.length };
  }
  async close() {}
}

test('fleet status: frames per minute of the last 5 minutes, dead letters by reason, silent meters by push interval', async () => {
  const admin = new MemoryAdmin();
  const now = Date.UTC(2026, 2, 1, 12, 10, 30);
  const smarty = getProfile('lu-smarty')!.intervalMs;
  admin.meters = [
    { meterId: 'a', topicId: 'ta', profile: 'lu-smarty' },
    { meterId: 'b', topicId: 'tb', profile: 'lu-smarty' },
    { meterId: 'c', topicId: 'tc' },
  ];
  const row = (meterId: string, at: number): FleetRow => ({ meterId, meterTime: new Date(at), clockFromMeter: true, receivedAt: new Date(at), columns: {}, extra: {}, flags: [] });
  admin.rows = [row('a', now - 1000), row('a', now - 61_000), row('a', now - 62_000), row('b', now - 3 * smarty - 1000), row('a', now - 10 * 60_000)];
  admin.add({ topic: 't', topicId: 'x', receivedAt: new Date(now), payload: new Uint8Array(1), reason: 'wrong-key', detail: 'AUTH_FAILED' });
  admin.add({ topic: 't', topicId: 'x', receivedAt: new Date(now), payload: new Uint8Array(1), reason: 'wrong-key', detail: 'AUTH_FAILED' });
  admin.add({ topic: 't', topicId: 'y', receivedAt: new Date(now), payload: new Uint8Array(1), reason: 'unknown-meter', detail: 'UNKNOWN_METER' });
  const s = await fleetStatus(admin, { now, silentAfter: 3 });
  assert.deepEqual(s.framesPerMinute.map((m) => m.frames), [0, 0, 0, 3, 1], 'two of a and one of b in 12:09, one in 12:10; the one 10 minutes ago is out');
  assert.equal(s.framesPerMinute[4].minute, '2026-03-01T12:10:00.000Z');
  assert.deepEqual(s.deadLetters, { 'wrong-key': 2, 'unknown-meter': 1 });
  assert.deepEqual(s.silentMeters.map((m) => m.meterId), ['b', 'c'], 'a sent lately; b is 3 intervals and a second late; c never sent');
  const text = formatFleetStatus(s);
  assert.match(text, /wrong-key +2/);
  assert.match(text, /c \(tc\): last never/);
});

test('fleet redecode: after the key import, wrong-key and unknown-meter dead letters are stored and deleted in one transaction', async () => {
  const admin = new MemoryAdmin();
  const directory = new MemoryDirectory();
  const known = simMeter(0, 'lu-smarty');
  const imported = simMeter(1, 'at-evn-kaifa-ma309');
  const stillWrong = simMeter(2, 'lu-smarty');
  const nowGarbage = simMeter(3, 'nl-dsmr5');
  const dl = (m: ReturnType<typeof simMeter>, payload: Uint8Array, reason: DeadLetterReason) => admin.add({
    topic: `meters/${m.meter.topicId}/raw`, topicId: m.meter.topicId, receivedAt: new Date(Date.UTC(2026, 2, 1)), payload, reason, detail: reason,
  });
  for (let n = 0; n < 4; n++) {
    dl(known, known.frame(n), 'wrong-key');
    dl(imported, imported.frame(n), 'unknown-meter');
    dl(stillWrong, stillWrong.frame(n), 'wrong-key');
  }
  dl(nowGarbage, new TextEncoder().encode('not a frame'), 'unknown-meter');
  admin.add({ topic: 'x', topicId: 'x', receivedAt: new Date(), payload: new Uint8Array(3), reason: 'undecodable', detail: 'BAD_FRAME' });
  // The registry after the import: the right keys of two meters, still a wrong one for the third.
  directory.meters.set(known.meter.topicId, known.meter);
  directory.meters.set(imported.meter.topicId, imported.meter);
  directory.meters.set(nowGarbage.meter.topicId, nowGarbage.meter);
  directory.meters.set(stillWrong.meter.topicId, { ...stillWrong.meter, gak: new Uint8Array(16) });
  const decoder = createFrameDecoder();
  admin.failNextResolve = true;
  await assert.rejects(redecodeDeadLetters({ admin, directory, decoder, pageSize: 5 }), /connection lost/);
  assert.equal(admin.rows.length, 0, 'a failed transaction stores nothing');
  assert.equal(admin.dead.length, 14, 'and deletes nothing');
  const r = await redecodeDeadLetters({ admin, directory, decoder, pageSize: 5 });
  assert.equal(r.examined, 13);
  assert.equal(r.resolved, 8);
  assert.equal(r.rows, 8);
  assert.equal(r.unchanged, 4);
  assert.equal(r.reclassified, 1);
  assert.equal(admin.transactions, 3, 'one transaction per page');
  assert.deepEqual(new Set(admin.rows.map((x) => x.meterId)), new Set([known.meter.meterId, imported.meter.meterId]));
  const left = admin.dead.map((d) => `${d.topicId}:${d.reason}`).sort();
  assert.deepEqual(left, [...Array(4).fill(`${stillWrong.meter.topicId}:wrong-key`), `${nowGarbage.meter.topicId}:undecodable`, 'x:undecodable'].sort());
  // Run again: nothing new to store, nothing doubled.
  const again = await redecodeDeadLetters({ admin, directory, decoder, pageSize: 5 });
  assert.equal(again.resolved, 0);
  assert.equal(admin.rows.length, 8);
});

test('fleet worker command: runs on the given backends, stops on SIGTERM after committing, closes everything', async () => {
  const events: FleetEvent[] = [];
  const consumer = new MemoryConsumer(events);
  const directory = new MemoryDirectory();
  const store = new MemoryStore(events);
  const m = simMeter(0, 'no-aidon');
  directory.meters.set(m.meter.topicId, m.meter);
  let settings: Parameters<FleetBackends['openConsumer']>[0] | undefined;
  const closed: string[] = [];
  const backends: FleetBackends = {
    openConsumer: async (s) => { settings = s; return consumer; },
    openDirectory: async () => ({ lookup: (id) => directory.lookup(id), close: async () => { closed.push('directory'); } }),
    openStore: async () => ({ commit: (b) => store.commit(b), close: async () => { closed.push('store'); } }),
    openAdmin: async () => { throw new Error('not used'); },
  };
  const run = runFleetWorker({
    broker: 'mqtt://user:pw@127.0.0.1:1', topic: 'meters/+/raw', group: 'g1', store: 'postgres://x/y', schema: 's',
    workerId: 'host-1', batchWait: '60000', logLevel: 'silent',
  }, backends);
  await until('subscribed', () => consumer.onMessage !== undefined);
  for (let n = 0; n < 5; n++) consumer.publish(`meters/${m.meter.topicId}/raw`, m.frame(n));
  process.emit('SIGTERM');
  assert.equal(await run, 0);
  assert.equal(settings?.clientId, 'meterwire-g1-host-1');
  assert.equal(store.rows.size, 5);
  assert.deepEqual(consumer.messages.map((x) => x.acks), Array(5).fill(1));
  assert.ok(consumer.closed);
  assert.deepEqual(closed, ['store', 'directory']);
});
