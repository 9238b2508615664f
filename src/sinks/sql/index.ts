/** Storage sink and query API for SQLite, PostgreSQL and MySQL/MariaDB. */
export { createSqlSink, type SqlSinkOptions } from './sql-sink.js';
export { querySeries, listMeters, openSqlStore, RESOLUTIONS, type Point, type SeriesQuery, type Resolution, type MeterSummary } from './query.js';
export { openSqlDb, parseSqlUrl, redactUrl, type SqlDb, type Dialect } from './db.js';
export { migrate, MIGRATIONS, type Migration } from './migrations.js';
export { COUNTER_UNITS } from './rows.js';
