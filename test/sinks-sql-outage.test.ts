import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFanout } from '../src/app/fanout.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { openSqlDb } from '../src/sinks/sql/db.js';
import { backends, generateMessages, keepAll, sleep, startTcpProxy, testContext, until, type LogRecord } from './sinks-sql-support.js';

const START = Date.parse('2024-03-09T20:00:00Z');

for (const backend of (await backends()).filter((b) => b.name !== 'sqlite')) {
  test(`sql ${backend.name}: database taken away mid-stream and restored → nothing lost, nothing doubled`, { skip: backend.skip }, async (t) => {
    const store = await backend.create();
    const proxy = await startTcpProxy(backend.host!);
    const dir = mkdtempSync(join(tmpdir(), 'meterwire-outage-'));
    const records: LogRecord[] = [];
    const ctx = testContext(records);
    const sink = createSqlSink(keepAll(store.url(proxy.port)), ctx);
    const fanout = createFanout([sink], { outboxPath: join(dir, 'outbox.db'), log: ctx.log, backoff: { initialMs: 50, maxMs: 400 }, batchSize: 25 });
    const msgs = generateMessages(3000, START, 9);
    let sent = 0;
    let maxSpooled = 0;
    const stats = () => fanout.stats()[0];
    const publish = (): void => {
      fanout.publish(msgs[sent++]);
      maxSpooled = Math.max(maxSpooled, stats().spooled);
    };
    const publishWhile = async (what: string, cond: () => boolean): Promise<void> => {
      while (cond()) {
        if (sent >= msgs.length) throw new Error(`ran out of messages waiting for ${what}`);
        publish();
        await sleep(5);
      }
    };
    try {
      await publishWhile('the first deliveries', () => stats().delivered < 100);
      proxy.setDown(true);
      const sentBeforeOutage = sent;
      await publishWhile('write failures', () => stats().failures < 3 || stats().state !== 'down' || sent - sentBeforeOutage < 100);
      // Keep it away a little longer ("a few seconds"), still publishing: this is what gets spooled.
      const resumeAt = Date.now() + 2000;
      await publishWhile('the end of the outage', () => Date.now() < resumeAt);
      const failuresDuringOutage = stats().failures;
      proxy.setDown(false);
      const sentAfterOutage = sent + 100;
      await publishWhile('messages after the outage', () => sent < sentAfterOutage);
      await until('every message delivered', () => stats().delivered >= sent, 60_000);
      await fanout.close();

      const db = await openSqlDb(store.url());
      try {
        const one = async (sql: string): Promise<number> => Number((await db.all<{ n: unknown }>(sql))[0].n);
        const rows = await one('SELECT COUNT(*) AS n FROM readings');
        const messagesStored = await one('SELECT COUNT(*) AS n FROM (SELECT DISTINCT meter_id, ts FROM readings) x');
        const samples = await one("SELECT SUM(samples) AS n FROM rollup_5m WHERE reading_id = 'energy_import'");
        const expectedRows = msgs.slice(0, sent).reduce((n, m) => n + m.readings.filter((r) => typeof r.value === 'number').length, 0);
        const texts = await one('SELECT COUNT(*) AS n FROM meter_texts');
        t.diagnostic(`${backend.name}: sent ${sent} messages (${expectedRows} readings); stored ${messagesStored} messages, ${rows} rows; ` +
          `${failuresDuringOutage} failed writes/opens during the outage, ${proxy.cuts()} connections cut or refused, up to ${maxSpooled} spooled; ` +
          `delivered ${stats().delivered}, dropped ${stats().dropped}`);
        assert.ok(failuresDuringOutage >= 3, 'write() threw while the database was away');
        assert.ok(maxSpooled > 0, 'the fan-out spooled while the database was away');
        assert.equal(messagesStored, sent);
        assert.equal(rows, expectedRows);
        assert.equal(texts, sent, 'every message has a new text: one meter_texts row each, none doubled');
        assert.equal(samples, sent, 'rollups counted every message exactly once');
        assert.equal(stats().dropped, 0);
      } finally {
        await db.close();
      }
    } finally {
      await fanout.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
      await store.drop();
    }
  });
}

for (const backend of (await backends()).filter((b) => b.name !== 'sqlite')) {
  test(`sql ${backend.name}: idle connections dying is logged, not a crash; the next write reconnects`, { skip: backend.skip }, async () => {
    const store = await backend.create();
    const proxy = await startTcpProxy(backend.host!);
    const records: LogRecord[] = [];
    const sink = createSqlSink(keepAll(store.url(proxy.port)), testContext(records));
    const msgs = generateMessages(4, START, 4);
    try {
      await sink.open();
      await sink.write(msgs.slice(0, 2));
      proxy.setDown(true);
      await until('the idle connection error to be logged', () => records.some((r) => r.level === 'warn' && r.msg.includes('connection lost')), 10_000);
      await assert.rejects(sink.write(msgs.slice(2, 3)));
      proxy.setDown(false);
      await sink.write(msgs.slice(2));
      const db = await openSqlDb(store.url());
      try {
        const rows = await db.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM (SELECT DISTINCT meter_id, ts FROM readings) x');
        assert.equal(Number(rows[0].n), 4);
      } finally {
        await db.close();
      }
      assert.ok(records.every((r) => !r.msg.includes('password')), 'nothing logged about credentials');
    } finally {
      await sink.close();
      await proxy.close();
      await store.drop();
    }
  });
}
