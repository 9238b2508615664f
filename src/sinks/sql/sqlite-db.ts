/**
 * SQLite through better-sqlite3. WAL so the dashboard and `meterwire export` read while the reader writes;
 * synchronous=NORMAL because a power cut may then lose the last transaction but never corrupts the file, and
 * it keeps SD-card writes on a Raspberry Pi cheap.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Param, SqlDb, SqlExecutor, SqlUrl } from './db.js';

/**
 * Transactions per file in this process. better-sqlite3 is synchronous: a second handle's BEGIN IMMEDIATE,
 * issued while the first handle's transaction waits on a microtask, would block the thread in busy_timeout and
 * the first could never commit. Queuing them here avoids that; other processes are handled by busy_timeout.
 */
const fileLocks = new Map<string, Promise<unknown>>();

function queued<T>(file: string, op: () => Promise<T>): Promise<T> {
  const key = file === ':memory:' ? `${file}:${Math.random()}` : resolve(file);
  const result = (fileLocks.get(key) ?? Promise.resolve()).then(op);
  const tail = result.catch(() => undefined);
  fileLocks.set(key, tail);
  void tail.then(() => {
    if (fileLocks.get(key) === tail) fileLocks.delete(key);
  });
  return result;
}

export function openSqliteDb(url: SqlUrl): SqlDb {
  const file = url.target;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Statements are prepared once: the sink runs the same few dozen statements for years.
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const exec: SqlExecutor = {
    async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
      return prepare(sql).all(...params) as T[];
    },
    async run(sql: string, params: readonly Param[] = []): Promise<number> {
      const s = prepare(sql);
      return s.reader ? s.all(...params).length : s.run(...params).changes;
    },
  };
  return {
    dialect: 'sqlite',
    name: url.name,
    ...exec,
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      // IMMEDIATE takes the write lock up front, so a writer in another process waits (busy_timeout) instead
      // of failing half-way.
      return queued(file, async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(exec);
          db.exec('COMMIT');
          return result;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      });
    },
    async close(): Promise<void> {
      cache.clear();
      if (db.open) db.close();
    },
  };
}
