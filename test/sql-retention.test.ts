/**
 * Retention: 90 days of raw history by default, pruned a slice per write so a large backlog never holds up a
 * write for long; rollups and texts stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { openSqlDb, type SqlDb } from '../src/sinks/sql/db.js';
import { backends, generateMessages, testContext, withStore } from './sinks-sql-support.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-30T12:00:00Z');

async function count(db: SqlDb, sql: string, params: (string | number)[] = []): Promise<number> {
  return Number((await db.all<{ n: unknown }>(sql, params))[0].n);
}


for (const backend of await backends()) {
  test(`sql ${backend.name}: default retention of 90 days, pruned in slices between writes`, { skip: backend.skip }, () => withStore(backend.create, async (store) => {
    // 100 days of history, one message a day per meter, with a 4-row slice: the backlog takes several writes.
    const old = Array.from({ length: 100 }, (_, i) => generateMessages(1, NOW - (100 - i) * DAY, 40 + i, ['OLDMETER'])[0]);
    const seed = createSqlSink(`${store.url()}${store.url().includes('?') ? '&' : '?'}retention=forever`, testContext());
    await seed.write(old);
    await seed.close();
    const sink = createSqlSink(store.url(), testContext(), { now: () => NOW, retentionBatch: 4, retentionEveryMs: 60_000 });
    const db = await openSqlDb(store.url());
    try {
      const cutoff = NOW - 90 * DAY;
      const stale = await count(db, 'SELECT COUNT(*) AS n FROM readings WHERE ts < ?', [cutoff]);
      assert.ok(stale >= 40, `${stale} rows older than 90 days`);
      const rollupsBefore = await count(db, 'SELECT COUNT(*) AS n FROM rollup_1d');
      const textsBefore = await count(db, 'SELECT COUNT(*) AS n FROM meter_texts');
      let writes = 0;
      let left = stale;
      while (left > 0) {
        await sink.write(generateMessages(1, NOW - 60_000 + writes * 1000, 90 + writes, ['NEWMETER']));
        writes++;
        const now = await count(db, 'SELECT COUNT(*) AS n FROM readings WHERE ts < ?', [cutoff]);
        assert.ok(left - now <= 4 + 5, `one slice per write (${left - now} rows deleted; a message has 5 rows)`);
        left = now;
        assert.ok(writes < 100, 'the backlog shrinks');
      }
      assert.ok(writes >= 5, `pruned over ${writes} writes`);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM readings WHERE ts >= ? AND meter_id = ?', [cutoff, 'OLDMETER']),
        old.filter((m) => Date.parse(m.timestamp!) >= cutoff).length * 5, 'history inside the 90 days is kept');
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM rollup_1d WHERE meter_id = 'OLDMETER'"), rollupsBefore, 'rollups stay');
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM meter_texts WHERE meter_id = 'OLDMETER'"), textsBefore, 'texts stay');
    } finally {
      await db.close();
      await sink.close();
    }
  }));
}
