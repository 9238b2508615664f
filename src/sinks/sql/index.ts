/** Storage sink and query API for SQLite, PostgreSQL and MySQL/MariaDB. */
export { createSqlSink, type SqlSinkOptions } from './sql-sink.js';
export { querySeries, listMeters, openSqlStore, RESOLUTIONS, type Point, type SeriesQuery, type Resolution, type MeterSummary } from './query.js';
export { openSqlDb, parseSqlUrl, redactUrl, DEFAULT_RETENTION_MS, type SqlDb, type Dialect } from './db.js';
export { ROLLUP_TABLES, type RollupResolution } from './buckets.js';
export { migrate, MIGRATIONS, type Migration } from './migrations.js';
export { COUNTER_UNITS } from './rows.js';
