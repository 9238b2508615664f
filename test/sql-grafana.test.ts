/**
 * The shipped Grafana dashboards run against the schema as written by the sink: every panel's rawSql and the
 * meter variable's query are taken from the JSON, expanded the way Grafana does for that datasource (template
 * variables first, then the SQL macros), and run on real PostgreSQL and MariaDB. Each must succeed and return rows
 * with a time column and a value; the time-filtered ones must be able to use a `<table>_series_time` index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { MeterMessage } from '../src/core/model/message.js';
import { createSqlSink } from '../src/sinks/sql/sql-sink.js';
import { parseSqlUrl } from '../src/sinks/sql/db.js';
import { backends, generateMessages, keepAll, testContext, withParam, type Backend } from './sinks-sql-support.js';
import { expandGrafanaSql, type GrafanaFlavour, type TimeRange } from './sql-grafana-macros.js';

const START = Date.parse('2026-03-28T21:00:00Z');
const WIDE: TimeRange = { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-04-01T00:00:00Z') };
const NARROW: TimeRange = { from: Date.parse('2026-03-28T21:30:00Z'), to: Date.parse('2026-03-28T23:30:00Z') };

interface Panel { title: string; type: string; targets: { rawSql: string; format: string }[] }
interface Dashboard { panels: Panel[]; templating: { list: { name: string; query: string }[] } }

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const dashboard = (name: string): Dashboard => JSON.parse(read(`grafana/dashboards/${name}.json`)) as Dashboard;

type Rows = Record<string, unknown>[];
interface Conn { query(sql: string): Promise<Rows>; close(): Promise<void> }

async function connect(flavour: GrafanaFlavour, url: string): Promise<Conn> {
  if (flavour === 'postgres') {
    const { target, schema } = parseSqlUrl(url);
    const c = new pg.Client({ connectionString: target, options: `-c search_path=${schema}` });
    await c.connect();
    return { query: async (sql) => (await c.query(sql)).rows as Rows, close: () => c.end() };
  }
  const c = await mysql.createConnection({ uri: parseSqlUrl(url).target, timezone: 'Z' });
  // The session time zone the provisioned datasource sets (jsonData.timezone).
  const zone = /timezone:\s*'([^']+)'/.exec(read('grafana/provisioning/datasources/mysql.yaml'))?.[1];
  assert.ok(zone, 'mysql.yaml sets the session time zone');
  await c.query(`SET time_zone = '${zone}'`);
  return { query: async (sql) => (await c.query(sql))[0] as Rows, close: () => c.end() };
}

function timeOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  const n = Number(v);
  return Number.isFinite(n) ? n * 1000 : Date.parse(String(v));
}

async function checkDashboard(backend: Backend, flavour: GrafanaFlavour): Promise<void> {
  const store = await backend.create();
  const url = withParam(keepAll(store.url()), 'tz=Europe/Vienna');
  const sink = createSqlSink(url, testContext());
  await sink.write(generateMessages(600, START, 5));
  await sink.write(dsmrMessages());
  await sink.close();
  const conn = await connect(flavour, store.url());
  try {
    const board = dashboard(flavour === 'postgres' ? 'postgres' : 'mysql');
    const variable = (name: string): string => board.templating.list.find((v) => v.name === name)!.query;
    const meters = (await conn.query(variable('meter'))).map((m) => String(Object.values(m)[0]));
    assert.deepEqual(meters, ['1KFM0200000001', '1SAG1100000002', 'DSMR0001']);
    assert.ok(board.panels.length >= 8);
    for (const meter of meters) {
      const energy = (await conn.query(expandGrafanaSql(variable('energy'), flavour, WIDE, { meter }))).map((r) => String(Object.values(r)[0]));
      // A meter with a total register uses it; a DSMR meter its tariff registers, summed per bucket.
      assert.deepEqual(energy, meter === 'DSMR0001' ? ['energy_import_t1', 'energy_import_t2'] : ['energy_import']);
      await checkPanels(conn, flavour, board, { meter, energy });
    }
    // The DSMR meter's hourly energy is what both tariff registers advanced over the run, in Wh.
    const hourly = board.panels.find((p) => p.title === 'Energy imported per hour')!.targets[0].rawSql;
    const energyRows = await conn.query(expandGrafanaSql(hourly, flavour, WIDE, { meter: 'DSMR0001', energy: ['energy_import_t1', 'energy_import_t2'] }));
    const dsmr = dsmrMessages();
    const advance = (k: number): number => (dsmr[dsmr.length - 1].readings[k].value as number) - (dsmr[0].readings[k].value as number);
    const total = energyRows.reduce((n, r) => n + Number(r.energy), 0);
    assert.ok(Math.abs(total - (advance(0) + advance(1)) * 1000) < 1e-6, `${total} Wh`);
  } finally {
    await conn.close();
    await store.drop();
  }
}

/** Two-tariff DSMR messages (kWh, kW, no total register) every 20 s for two and a half hours. */
function dsmrMessages(): MeterMessage[] {
  return Array.from({ length: 450 }, (_, i) => ({
    meter: { id: 'DSMR0001', profile: 'nl-dsmr5' }, timestamp: new Date(START + i * 20_000).toISOString(), format: 'dsmr' as const, issues: [],
    readings: [
      { obis: '1-0:1.8.1', id: 'energy_import_t1', name: 't1', value: 1686.26 + Math.floor(i / 2) * 0.001, unit: 'kWh', quality: [] },
      { obis: '1-0:1.8.2', id: 'energy_import_t2', name: 't2', value: 2529 + Math.floor(i / 3) * 0.001, unit: 'kWh', quality: [] },
      { obis: '1-0:1.7.0', id: 'power_import', name: 'p', value: 0.26 + (i % 10) * 0.01, unit: 'kW', quality: [] },
      { obis: '1-0:32.7.0', id: 'voltage_l1', name: 'u', value: 230 + (i % 4) / 10, unit: 'V', quality: [] },
      { obis: '0-0:96.1.1', id: 'equipment_id', name: 'id', value: 'E0044007382246019', quality: [] },
    ],
  }));
}

async function checkPanels(conn: Conn, flavour: GrafanaFlavour, board: Dashboard, vars: Record<string, string | string[]>): Promise<void> {
  for (const panel of board.panels) {
    for (const target of panel.targets) {
      for (const range of [WIDE, NARROW]) {
        const sql = expandGrafanaSql(target.rawSql, flavour, range, vars);
        assert.doesNotMatch(sql, /\$/, `${panel.title}: every macro and variable expanded`);
        const rows = await conn.query(sql).catch((e: Error) => assert.fail(`${panel.title}: ${e.message}\n${sql}`));
        const monthly = /rollup_1(d|mo)\b/.test(sql);
        if (range === NARROW && monthly) continue; // a day or month bucket starts before this narrow range
        assert.ok(rows.length > 0, `${panel.title} (${String(vars.meter)}) returns rows for ${new Date(range.from).toISOString()}…\n${sql}`);
        for (const row of rows) {
          assert.ok('time' in row, `${panel.title}: a time column`);
          const t = timeOf(row.time);
          assert.ok(Number.isFinite(t), `${panel.title}: time ${String(row.time)}`);
          if (!monthly) assert.ok(t >= range.from - 3_600_000 && t <= range.to, `${panel.title}: time ${new Date(t).toISOString()} in range`);
          const values = Object.entries(row).filter(([k]) => k !== 'time').map(([, v]) => v);
          assert.ok(values.length > 0, `${panel.title}: a value column`);
          if (target.format === 'time_series') assert.ok(values.every((v) => v === null || Number.isFinite(Number(v))), `${panel.title}: numeric values`);
        }
        if (target.format === 'time_series') assert.ok(rows.some((r) => Object.entries(r).some(([k, v]) => k !== 'time' && v !== null)), `${panel.title}: a value`);
        if (/\$__timeFilter\((time|bucket_time)\)/.test(target.rawSql)) await checkIndex(conn, flavour, sql, panel.title);
      }
    }
  }
}

/** The expanded filter can use the series/time index (PostgreSQL: chosen once sequential scans are off). */
async function checkIndex(conn: Conn, flavour: GrafanaFlavour, sql: string, title: string): Promise<void> {
  const table = /FROM (\w+)/.exec(sql)![1];
  if (flavour === 'postgres') {
    await conn.query('SET enable_seqscan = off');
    const plan = (await conn.query(`EXPLAIN ${sql}`)).map((r) => String(r['QUERY PLAN'])).join('\n');
    await conn.query('SET enable_seqscan = on');
    assert.match(plan, new RegExp(`${table}_series_time`), `${title}: index used\n${plan}`);
  } else {
    const plan = await conn.query(`EXPLAIN ${sql}`);
    assert.ok(plan.some((r) => String(r.possible_keys ?? '').includes(`${table}_series_time`)), `${title}: index usable\n${JSON.stringify(plan)}`);
  }
}

for (const backend of await backends()) {
  if (backend.name === 'sqlite') continue;
  const flavour: GrafanaFlavour = backend.name === 'postgres' ? 'postgres' : 'mysql';
  test(`grafana ${flavour} dashboard: every panel query runs on ${backend.name} filled by the sink`, { skip: backend.skip }, () => checkDashboard(backend, flavour));
}

test('grafana macro expansion follows each datasource', () => {
  const range = { from: Date.parse('2026-03-29T00:00:00Z'), to: Date.parse('2026-03-29T06:00:30Z') };
  const sql = "SELECT $__timeGroupAlias(time, $__interval), x FROM t WHERE $__timeFilter(time) AND m = '$meter' AND t < $__timeTo()";
  assert.equal(expandGrafanaSql(sql, 'postgres', range, { meter: "o'neil" }, '5m'),
    "SELECT floor(extract(epoch from time)/300)*300 AS \"time\", x FROM t WHERE time BETWEEN '2026-03-29T00:00:00Z' AND '2026-03-29T06:00:30Z' AND m = 'o''neil' AND t < '2026-03-29T06:00:30Z'");
  assert.equal(expandGrafanaSql(sql, 'mysql', range, { meter: 'a' }, '1h'),
    "SELECT UNIX_TIMESTAMP(time) DIV 3600 * 3600 AS \"time\", x FROM t WHERE time BETWEEN FROM_UNIXTIME(1774742400) AND FROM_UNIXTIME(1774764030) AND m = 'a' AND t < FROM_UNIXTIME(1774764030)");
  assert.throws(() => expandGrafanaSql('SELECT $__unknownMacro(x)', 'mysql', range, {}), /unknown macro/);
});
