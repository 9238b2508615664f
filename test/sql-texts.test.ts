/** Static texts are stored when they change, also when batches arrive late, retried or from a restarted reader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MeterMessage } from '../src/core/model/message.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { openSqlDb } from '../src/sinks/sql/db.js';
import { backends, keepAll, testContext, withStore } from './sinks-sql-support.js';

const START = Date.parse('2026-05-01T10:00:00Z');

function message(i: number, firmware: string): MeterMessage {
  return {
    meter: { id: 'TEXTS1' }, timestamp: new Date(START + i * 1000).toISOString(), format: 'dsmr', issues: [],
    readings: [
      { obis: '0-0:96.1.1', id: 'equipment_id', name: 'id', value: '4530303434303037313331363530363139', quality: [] },
      { obis: '1-3:0.2.8', id: 'firmware_version', name: 'fw', value: firmware, quality: [] },
      { obis: '1-0:1.7.0', id: 'power_import', name: 'p', value: 0.123 * i, unit: 'kW', quality: [] },
    ],
  };
}


for (const backend of await backends()) {
  test(`sql ${backend.name}: texts on change only, in order whatever the batches`, { skip: backend.skip }, () => withStore(backend.create, async (store) => {
    const msgs = Array.from({ length: 300 }, (_, i) => message(i, i < 100 ? '50' : i < 200 ? '51' : '50'));
    const sink = createSqlSink(keepAll(store.url()), testContext());
    await sink.write(msgs.slice(0, 50));
    await sink.write(msgs.slice(150, 300));
    await sink.write(msgs.slice(50, 150)); // a late (spooled) batch
    await sink.write(msgs.slice(120, 180)); // a retried one
    await sink.close();
    const again = createSqlSink(keepAll(store.url()), testContext()); // a restarted reader knows nothing in memory
    await again.write(msgs.slice(0, 10));
    await again.write([message(300, '50')]);
    await again.close();
    const db = await openSqlDb(store.url());
    try {
      const rows = await db.all<{ reading_id: string; valid_from: unknown; text_value: string }>(
        'SELECT reading_id, valid_from, text_value FROM meter_texts ORDER BY reading_id, valid_from');
      const at = (i: number): number => START + i * 1000;
      assert.deepEqual(rows.map((r) => [r.reading_id, Number(r.valid_from), r.text_value]), [
        ['equipment_id', at(0), '4530303434303037313331363530363139'],
        ['firmware_version', at(0), '50'], ['firmware_version', at(100), '51'], ['firmware_version', at(200), '50'],
      ]);
      const history = await db.all<{ n: unknown }>('SELECT COUNT(*) AS n FROM readings');
      assert.equal(Number(history[0].n), 301, 'one numeric row per message; the texts are not in the history');
    } finally {
      await db.close();
    }
  }));
}
