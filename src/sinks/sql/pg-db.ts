/**
 * PostgreSQL through a pg Pool. The pool reconnects by itself; what matters for a reader that runs for years is
 * that a connection dying while idle (database restart, network cut) is logged, never an unhandled 'error' that
 * ends the process, and that a query on a dead server fails within seconds so the fan-out spools instead of
 * waiting.
 */
import pg from 'pg';
import type { Param, SqlDb, SqlExecutor, SqlUrl } from './db.js';

const INT8_OID = 20;

/** `?` → `$1, $2, …` (the sink's SQL has no `?` inside string literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function executor(q: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
      return (await q.query(numbered(sql), params as Param[])).rows as T[];
    },
    async run(sql: string, params: readonly Param[] = []): Promise<number> {
      return (await q.query(numbered(sql), params as Param[])).rowCount ?? 0;
    },
  };
}

export function openPgDb(url: SqlUrl, onIdleError: (e: Error) => void): SqlDb {
  const pool = new pg.Pool({
    connectionString: url.target,
    max: 4,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    keepAlive: true,
    // Only the search path is set: the schema name is validated in parseSqlUrl.
    options: url.schema ? `-c search_path=${url.schema}` : undefined,
    // Millisecond timestamps and counts are BIGINT; they fit a double exactly, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (e) => onIdleError(e));
  const exec = executor(pool);
  return {
    dialect: 'postgres',
    name: url.name,
    schema: url.schema,
    ...exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A client can also fail while checked out but between queries; without a listener that would throw.
      const onError = (e: Error): void => onIdleError(e);
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        broken = await client.query('ROLLBACK').then(() => undefined, (re: Error) => re);
        throw e;
      } finally {
        client.off('error', onError);
        // A client whose ROLLBACK failed is unusable: destroy it rather than hand it to the next write.
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
