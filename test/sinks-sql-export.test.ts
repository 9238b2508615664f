import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runExport, type ExportFlags } from '../src/cli/export-command.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { openSqlStore, querySeries } from '../src/sinks/sql/query.js';
import { parseDuration, parseSqlUrl } from '../src/sinks/sql/db.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { generateMessages, keepAll, testContext } from './sinks-sql-support.js';

const START = Date.parse('2024-03-09T23:20:00Z');

async function exportText(flags: ExportFlags): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await runExport(flags, out, err);
  return { code, out: Buffer.concat(chunks.out).toString(), err: Buffer.concat(chunks.err).toString() };
}

async function withStore(fn: (url: string, msgs: MeterMessage[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-export-'));
  const url = `sqlite:${join(dir, 'store.db')}`;
  const msgs = generateMessages(400, START, 3);
  msgs[0].readings.push({ obis: '0-0:96.13.1', id: 'display_text', name: 'x', value: 'a "quoted", text', quality: ['unverified'] });
  try {
    const sink = createSqlSink(keepAll(url), testContext());
    await sink.write(msgs);
    await sink.close();
    await fn(url, msgs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const RANGE = { from: '2024-03-09T00:00:00Z', to: '2024-03-11T00:00:00Z' };

test('export: CSV of hourly rollups carries what querySeries returns', () => withStore(async (url) => {
  const meter = '1KFM0200000001';
  const r = await exportText({ db: url, reading: 'energy_import', meter, ...RANGE, resolution: '1h', format: 'csv' });
  assert.equal(r.code, 0, r.err);
  const [head, ...lines] = r.out.trim().split('\n');
  assert.equal(head, 'meter,ts,local,value,unit,kind,min,avg,max,last,count,reset');
  const db = await openSqlStore(url);
  try {
    const points = await querySeries(db, { meter, reading: 'energy_import', from: new Date(RANGE.from), to: new Date(RANGE.to), resolution: '1h' });
    assert.ok(points.length >= 2);
    assert.deepEqual(lines.map((l) => l.split(',')), points.map((p) => [p.meter, p.ts, p.local, String(p.value), 'Wh', 'counter', String(p.min), String(p.avg), String(p.max), String(p.last), String(p.count), '']));
  } finally {
    await db.close();
  }
}));

test('export: JSON of raw history, text values quoted properly in CSV', () => withStore(async (url, msgs) => {
  const json = await exportText({ db: url, reading: 'power_import', ...RANGE, resolution: 'raw', format: 'json' });
  assert.equal(json.code, 0, json.err);
  const points = JSON.parse(json.out) as { meter: string; ts: string; value: number }[];
  assert.equal(points.length, msgs.length);
  const sent = msgs.map((m) => ({ meter: m.meter.id, ts: m.timestamp, value: m.readings[2].value }))
    .sort((a, b) => a.meter!.localeCompare(b.meter!) || a.ts!.localeCompare(b.ts!));
  assert.deepEqual(points.map((p) => ({ meter: p.meter, ts: p.ts, value: p.value })), sent);
  const csv = await exportText({ db: url, reading: 'display_text', ...RANGE, resolution: 'raw', format: 'csv' });
  assert.equal(csv.code, 0, csv.err);
  assert.ok(csv.out.includes(',"a ""quoted"", text",unverified'), csv.out.split('\n').slice(0, 3).join('\n'));
}));

test('export: clear errors on stderr, nothing on stdout, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-export-'));
  try {
    const missing = join(dir, 'nothing-here.db');
    const cases: [ExportFlags, RegExp][] = [
      [{ db: `sqlite:${missing}` }, /--reading is required/],
      [{ db: `sqlite:${missing}`, reading: 'energy_import', from: 'yesterday' }, /--from "yesterday" is not a date/],
      [{ db: `sqlite:${missing}`, reading: 'energy_import', resolution: '2h' }, /--resolution must be one of raw, 5m, 15m, 1h, 1d, 1mo/],
      [{ db: `sqlite:${missing}`, reading: 'energy_import', tz: 'Mars/Olympus' }, /--tz: unknown time zone "Mars\/Olympus"/],
      [{ db: `sqlite:${missing}`, reading: 'energy_import', format: 'xml' }, /--format must be csv or json/],
      [{ db: `sqlite:${missing}`, reading: 'energy_import', ...RANGE }, /no database file/],
      [{ db: 'mysql://meter:s3cret@127.0.0.1:1/x', reading: 'energy_import', ...RANGE }, /mysql:\/\/meter:\*\*\*@127\.0\.0\.1:1\/x/],
      [{ db: 'postgres://meter:s3cret@127.0.0.1:1/x', reading: 'energy_import', ...RANGE }, /postgres:\/\/meter:\*\*\*@127\.0\.0\.1:1\/x/],
      [{ db: 'redis://h/0', reading: 'energy_import', ...RANGE }, /unsupported database URL/],
    ];
    for (const [flags, message] of cases) {
      const r = await exportText(flags);
      assert.equal(r.code, 1, JSON.stringify(flags));
      assert.equal(r.out, '');
      assert.match(r.err, message);
      assert.ok(!r.err.includes('s3cret'), 'passwords are never printed');
    }
    assert.equal(existsSync(missing), false, 'a mistyped path is not created');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export: meter units or base units, deltas and averages without float noise, local dates', () => withStore(async (url) => {
  const meter = '1KFM0200000001';
  const flags = { db: url, reading: 'energy_export', meter, ...RANGE, resolution: '15m', format: 'json' } as const;
  const own = JSON.parse((await exportText(flags)).out) as { value: number; unit: string; min: number; avg: number; last: number }[];
  const base = JSON.parse((await exportText({ ...flags, baseUnits: true })).out) as typeof own;
  assert.ok(own.length >= 4);
  assert.equal(base.length, own.length);
  own.forEach((p, i) => {
    assert.equal(p.unit, 'kWh');
    assert.equal(base[i].unit, 'Wh');
    // The meter sends kWh with three decimals: a delta has at most three, never 0.06899999999995998.
    for (const v of [p.value, p.min, p.last]) assert.match(String(v), /^\d+(\.\d{1,3})?$/, `${JSON.stringify(p)}`);
    assert.ok(String(p.avg).replace(/^\d+\.?/, '').length <= 15, `avg ${p.avg}`);
    assert.equal(base[i].value, Number((p.value * 1000).toPrecision(15)));
    assert.equal(base[i].last, Number((p.last * 1000).toPrecision(15)));
  });
  // A date without offset is a wall-clock time in --tz: 00:20 in Vienna is 23:20 UTC the day before.
  const local = await exportText({ db: url, reading: 'power_import', meter, from: '2024-03-10T00:20', to: '2024-03-10T00:21', tz: 'Europe/Vienna', resolution: 'raw', format: 'json' });
  assert.equal(local.code, 0, local.err);
  const utc = await exportText({ db: url, reading: 'power_import', meter, from: '2024-03-09T23:20:00Z', to: '2024-03-09T23:21:00Z', resolution: 'raw', format: 'json' });
  assert.equal(local.out, utc.out);
  assert.ok(JSON.parse(local.out).length > 0);
}));

test('sql URLs: dialects, options, redaction', () => {
  const pg = parseSqlUrl('postgresql://u:pw@db:5432/meters?retention=30d&schema=mw&sslmode=require');
  assert.equal(pg.dialect, 'postgres');
  assert.equal(pg.retentionMs, 30 * 86_400_000);
  assert.equal(pg.schema, 'mw');
  assert.equal(pg.target, 'postgresql://u:pw@db:5432/meters?sslmode=require');
  assert.equal(pg.name, 'postgresql://u:***@db:5432/meters?retention=30d&schema=mw&sslmode=require');
  const my = parseSqlUrl('mariadb://root@127.0.0.1/test?retention=12h');
  assert.deepEqual([my.dialect, my.target, my.retentionMs], ['mysql', 'mysql://root@127.0.0.1/test', 12 * 3_600_000]);
  const lite = parseSqlUrl('sqlite:./data/meterwire.db?retention=2w');
  assert.deepEqual([lite.dialect, lite.target, lite.retentionMs], ['sqlite', './data/meterwire.db', 14 * 86_400_000]);
  assert.equal(parseSqlUrl('sqlite:///var/lib/mw.db').target, '/var/lib/mw.db');
  assert.throws(() => parseSqlUrl('postgres://h/db?schema=a;drop'), /invalid schema name/);
  assert.throws(() => parseDuration('30 days'), /invalid duration/);
  assert.equal(parseSqlUrl('sqlite:x.db').retentionMs, 90 * 86_400_000, 'raw history is kept 90 days by default');
  assert.equal(parseSqlUrl('sqlite:x.db?retention=forever').retentionMs, undefined);
  assert.equal(parseSqlUrl('postgres://h/db?retention=0').retentionMs, undefined);
  assert.equal(parseSqlUrl('mysql://h/db?tz=Europe/Vienna').timeZone, 'Europe/Vienna');
  assert.equal(parseSqlUrl('mysql://h/db?tz=Europe/Vienna').target, 'mysql://h/db');
  assert.throws(() => parseSqlUrl('sqlite:x.db?tz=CEST'), /unknown time zone "CEST"/);
  assert.equal(createSqlSink('mysql://u:pw@h/db', testContext()).name, 'mysql://u:***@h/db');
});
