/**
 * Shared by the fleet key store tests: a unique PostgreSQL schema per test (dropped afterwards, never the shared
 * `test` database itself), master keys and meter keys from a seeded generator, and `meterwire fleet meters` run
 * in-process with its output captured.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fleetMetersCommand, type FleetMetersIo } from '../src/cli/fleet-meters-command.js';
import { parseMasterKeyText, type MasterKey } from '../src/fleet/keys/master-key.js';
import { dropSchema, PG_URL, withDb } from './support/pg.js';

export { PG_URL, pgSkip, dropSchema } from './support/pg.js';

export const uniqueSchema = (): string => `mw_fleet_keys_${randomBytes(5).toString('hex')}`;

/** Runs fn with a connected client (support/pg.ts's withDb, by the name these tests use). */
export const admin = withDb;

/** Runs fn with a fresh schema name and a pool; drops the schema afterwards whatever happens. */
export async function withSchema(fn: (schema: string, pool: pg.Pool) => Promise<void>): Promise<void> {
  const schema = uniqueSchema();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  try {
    await fn(schema, pool);
  } finally {
    await pool.end();
    await dropSchema(schema);
  }
}

export interface KeyPair { guek: string; gak: string }

/** A random master key as the hex text a user would put in METERWIRE_MASTER_KEY. */
export function newMasterKeyText(): string {
  return randomBytes(32).toString('hex');
}

export const masterOf = (text: string): MasterKey => parseMasterKeyText(text, 'test');

/** Distinct random meter keys, upper-case hex as on key letters. */
export function newKeys(): KeyPair {
  return { guek: randomBytes(16).toString('hex').toUpperCase(), gak: randomBytes(16).toString('hex').toUpperCase() };
}

export interface CliResult { out: string }

/** `meterwire fleet meters …args` in-process; throws what the command throws (main's reportFatal would print it). */
export async function runMeters(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliResult> {
  let out = '';
  const io: FleetMetersIo = { out: (t) => { out += t; }, env, readStdin: () => stdin };
  await fleetMetersCommand(io).parseAsync(args, { from: 'user' });
  return { out };
}

/** A temporary directory for CSV and key files, removed by the returned function. */
export function tempDir(): { dir: string; file(name: string, content: string | Buffer, mode?: number): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-fleet-keys-'));
  return {
    dir,
    file(name, content, mode = 0o600) {
      const p = join(dir, name);
      writeFileSync(p, content);
      chmodSync(p, mode);
      return p;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Polls until `ok()` (for asynchronous notifications); fails with `what` after many tries, never asserts on time. */
export async function eventually(ok: () => boolean | Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}
