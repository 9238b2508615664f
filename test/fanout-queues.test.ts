import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createFanout } from '../src/app/fanout.js';
import { openOutbox } from '../src/app/outbox.js';
import { fakeSink, memoryLog, message, range, tempDir, waitFor } from './fanout-support.js';

const fast = { initialMs: 5, maxMs: 20 };

test('fan-out: a stalled sink does not delay another one; it gets everything once it moves again', async () => {
  const tmp = tempDir();
  const slow = fakeSink('slow://a', true);
  const quick = fakeSink('quick://b', true);
  let release!: () => void;
  slow.gate = new Promise((r) => { release = r; });
  const fanout = createFanout([slow, quick], { outboxPath: join(tmp.dir, 'outbox.db'), log: memoryLog(), backoff: fast });
  try {
    for (const i of range(50)) fanout.publish(message(i));
    await waitFor('the quick sink to get all 50', () => quick.received.length === 50);
    assert.deepEqual(quick.received, range(50));
    assert.equal(slow.received.length, 0, 'the slow sink is still stuck in its first write');
    release();
    slow.gate = undefined;
    await waitFor('the slow sink to catch up', () => slow.received.length === 50);
    assert.deepEqual(slow.received, range(50));
    const [s, q] = fanout.stats();
    assert.equal(s.delivered, 50);
    assert.equal(q.delivered, 50);
    assert.equal(s.dropped + q.dropped, 0);
  } finally {
    release();
    await fanout.close(2000);
    tmp.remove();
  }
});

test('fan-out: a failing durable sink spools to disk and delivers in order when it returns', async () => {
  const tmp = tempDir();
  const sink = fakeSink('db://x', true);
  const log = memoryLog();
  const fanout = createFanout([sink], { outboxPath: join(tmp.dir, 'outbox.db'), log, backoff: fast });
  try {
    for (const i of range(10)) fanout.publish(message(i));
    await waitFor('first 10 delivered', () => sink.received.length === 10);
    sink.failing = true;
    for (const i of range(200, 10)) fanout.publish(message(i));
    await waitFor('the output to go down', () => fanout.stats()[0].state === 'down');
    await waitFor('the backlog on disk', () => fanout.stats()[0].spooled > 0);
    const down = fanout.stats()[0];
    assert.ok(down.failures >= 1);
    sink.failing = false;
    await waitFor('all 210 delivered', () => sink.received.length >= 210);
    assert.deepEqual(sink.received, range(210));
    const up = fanout.stats()[0];
    assert.deepEqual({ state: up.state, queued: up.queued, spooled: up.spooled, delivered: up.delivered, dropped: up.dropped },
      { state: 'up', queued: 0, spooled: 0, delivered: 210, dropped: 0 });
    // Each state change is logged once, not once per retry.
    assert.equal(log.lines.filter((l) => l.startsWith('warn') && l.includes(': down')).length, 1);
    assert.equal(log.lines.filter((l) => l.includes(': up')).length, 2);
  } finally {
    await fanout.close(2000);
    tmp.remove();
  }
});

test('fan-out: close() leaves undelivered messages in the outbox; the next start delivers them first', async () => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'outbox.db');
  const first = fakeSink('mqtt://broker/a', true);
  first.failing = true;
  const log = memoryLog();
  const fanout1 = createFanout([first], { outboxPath: path, log, backoff: fast });
  for (const i of range(30)) fanout1.publish(message(i));
  await waitFor('the output to be down', () => fanout1.stats()[0].state === 'down');
  await fanout1.close(200);
  assert.equal(fanout1.stats()[0].spooled, 30);
  assert.equal(fanout1.stats()[0].state, 'closed');
  assert.ok(first.closed);
  assert.ok(log.lines.some((l) => l.includes('30 messages left in the outbox')));

  const second = fakeSink('mqtt://broker/a', true);
  const fanout2 = createFanout([second], { outboxPath: path, log: memoryLog(), backoff: fast });
  try {
    assert.equal(fanout2.stats()[0].spooled, 30, 'pending rows are visible before the first write');
    for (const i of range(5, 30)) fanout2.publish(message(i));
    await waitFor('pending and new delivered', () => second.received.length >= 35);
    assert.deepEqual(second.received, range(35));
  } finally {
    await fanout2.close(2000);
  }
  const box = openOutbox(path);
  assert.equal(box.count('mqtt://broker/a'), 0);
  box.close();
  tmp.remove();
});

test('fan-out: bounds count what they drop (spool limit for durable sinks, queue limit for servers), one warning each', async () => {
  const tmp = tempDir();
  const durable = fakeSink('db://bounded', true);
  const server = fakeSink('prometheus://:9100', false);
  durable.failing = true;
  let release!: () => void;
  server.gate = new Promise((r) => { release = r; });
  const log = memoryLog();
  const fanout = createFanout([durable, server], { outboxPath: join(tmp.dir, 'o.db'), log, maxQueue: 10, maxSpool: 50, backoff: fast });
  try {
    await waitFor('durable down', () => fanout.stats()[0].state === 'down');
    fanout.publish(message(1000));
    await waitFor('server busy in its first write', () => server.writes === 1);
    for (const i of range(100)) fanout.publish(message(i));
    const [d, s] = fanout.stats();
    assert.deepEqual({ spooled: d.spooled, dropped: d.dropped }, { spooled: 50, dropped: 51 });
    // queued includes the batch in flight.
    assert.deepEqual({ queued: s.queued, dropped: s.dropped }, { queued: 11, dropped: 90 });
    assert.equal(log.lines.filter((l) => l.includes('dropping the oldest')).length, 2);
    durable.failing = false;
    release();
    server.gate = undefined;
    await waitFor('durable delivers the newest 50', () => durable.received.length === 50);
    assert.deepEqual(durable.received, range(50, 50));
    await waitFor('server delivers the newest 10', () => server.received.length === 11);
    assert.deepEqual(server.received, [1000, ...range(10, 90)]);
  } finally {
    release();
    await fanout.close(2000);
    tmp.remove();
  }
});

test('fan-out: a durable sink that falls behind spools beyond maxQueue and keeps the order', async () => {
  const tmp = tempDir();
  const sink = fakeSink('db://behind', true);
  let release!: () => void;
  sink.gate = new Promise((r) => { release = r; });
  const fanout = createFanout([sink], { outboxPath: join(tmp.dir, 'o.db'), log: memoryLog(), maxQueue: 20, batchSize: 7, backoff: fast });
  try {
    await waitFor('up', () => fanout.stats()[0].state === 'up');
    fanout.publish(message(0));
    await waitFor('first write in flight', () => sink.writes === 1);
    for (const i of range(99, 1)) fanout.publish(message(i));
    const st = fanout.stats()[0];
    assert.ok(st.spooled > 0, 'beyond maxQueue a durable sink spools instead of dropping');
    assert.equal(st.dropped, 0);
    sink.failing = true; // the in-flight batch fails: it must go back in front of the spooled rows
    release();
    await waitFor('a failure', () => fanout.stats()[0].failures > 0);
    sink.gate = undefined;
    sink.failing = false;
    await waitFor('all 100', () => sink.received.length === 100);
    assert.deepEqual(sink.received, range(100));
  } finally {
    release();
    await fanout.close(2000);
    tmp.remove();
  }
});

test('fan-out: publish never throws, also after close; duplicate output names are refused', async () => {
  const tmp = tempDir();
  const sink = fakeSink('x://1', true);
  assert.throws(() => createFanout([sink, fakeSink('x://1', false)], { outboxPath: join(tmp.dir, 'a.db'), log: memoryLog() }), /configured twice/);
  const fanout = createFanout([sink], { outboxPath: join(tmp.dir, 'b.db'), log: memoryLog(), backoff: fast });
  fanout.publish(message(1));
  await fanout.close(2000);
  assert.doesNotThrow(() => fanout.publish(message(2)));
  assert.deepEqual(sink.received, [1]);
  assert.equal(fanout.stats()[0].state, 'closed');
  tmp.remove();
});
