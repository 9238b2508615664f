/**
 * PostgreSQL for the tests that use it for real: the URL (METERWIRE_TEST_POSTGRES, else the CI machine's `test`
 * database), a skip reason when it is absent (a failure under CI=true, see services.ts), a client for one-off
 * statements, and dropping a test's own schema.
 */
import pg from 'pg';
import { canConnectTcp, requireService } from './services.js';

export const PG_URL = process.env.METERWIRE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function pgSkip(): Promise<string | undefined> {
  const u = new URL(PG_URL);
  return requireService(`PostgreSQL at ${u.host}`, () => canConnectTcp(u.hostname, Number(u.port || 5432)),
    'start PostgreSQL or set METERWIRE_TEST_POSTGRES');
}

/** Runs fn with a connected client, ended afterwards. */
export async function withDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withDb((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}
