/**
 * MySQL and MariaDB through a mysql2 pool. mysql2's pooled connections listen for 'error' only once; a second
 * error on a dead idle connection would be an unhandled 'error' event and end the process, so every connection
 * gets a permanent listener that logs. A connection that failed inside a transaction is destroyed, not reused.
 */
import mysql from 'mysql2';
import type { Pool as PromisePool, PoolConnection as PromiseConnection } from 'mysql2/promise';
import type { Param, SqlDb, SqlExecutor, SqlUrl } from './db.js';

interface Result {
  affectedRows?: number;
}

function executor(q: PromisePool | PromiseConnection): SqlExecutor {
  return {
    async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
      const [rows] = await q.query(sql, params as Param[]);
      return rows as T[];
    },
    async run(sql: string, params: readonly Param[] = []): Promise<number> {
      const [result] = await q.query(sql, params as Param[]);
      return Array.isArray(result) ? result.length : ((result as Result).affectedRows ?? 0);
    },
  };
}

export function openMysqlDb(url: SqlUrl, onIdleError: (e: Error) => void): SqlDb {
  const core = mysql.createPool({
    uri: url.target,
    connectionLimit: 4,
    maxIdle: 2,
    idleTimeout: 30_000,
    connectTimeout: 5_000,
    enableKeepAlive: true,
    // Millisecond timestamps are BIGINT: numbers, not strings, like the other drivers.
    supportBigNumbers: false,
    timezone: 'Z',
  });
  core.on('connection', (conn) => {
    conn.on('error', (e: Error) => onIdleError(e));
    // DATETIME columns hold UTC; NOW() and FROM_UNIXTIME() in a session must agree (queued before any query).
    conn.query("SET time_zone = '+00:00'");
  });
  const pool = core.promise();
  const exec = executor(pool);
  return {
    dialect: 'mysql',
    name: url.name,
    ...exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const conn = await pool.getConnection();
      let broken = false;
      try {
        await conn.beginTransaction();
        const result = await fn(executor(conn));
        await conn.commit();
        return result;
      } catch (e) {
        broken = await conn.rollback().then(() => false, () => true);
        throw e;
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
