/**
 * `meterwire fleet meters import|list|remove|rotate-key|rewrap`: the fleet's meter registry and key store in
 * PostgreSQL (src/fleet/keys). Keys never reach the output: `list` shows whether a key is set and its
 * fingerprint under the master key. Keys for rotate-key can come from a file, stdin or the environment, so they
 * stay out of shell history. The database driver and the key store load only when a subcommand runs.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { meterError } from '../core/errors.js';
import { parseKey } from '../core/security/keys.js';
import { splitFleetStoreUrl } from './fleet-store-url.js';
import type { MasterKey } from '../fleet/keys/master-key.js';
import { assertDriverInstalled } from '../sinks/drivers.js';
import { runSecrets } from './secrets.js';

export const FLEET_STORE_ENV = 'METERWIRE_FLEET_STORE';

/** Where the commands read and write; tests pass their own. */
export interface FleetMetersIo {
  out(text: string): void;
  env: NodeJS.ProcessEnv;
  readStdin(): string;
}

const defaultIo = (): FleetMetersIo => ({
  out: (t) => { process.stdout.write(t); },
  env: process.env,
  readStdin: () => readFileSync(0, 'utf8'),
});

interface StoreFlags { store?: string; schema: string; json?: boolean }
interface MasterFlags { masterKeyFile?: string }

async function withPool<T>(flags: StoreFlags, io: FleetMetersIo, fn: (pool: import('pg').Pool, schema: string) => Promise<T>): Promise<T> {
  const url = flags.store ?? io.env[FLEET_STORE_ENV];
  if (url === undefined || url === '') throw meterError('BAD_URL', `no key store: pass --store postgres://… or set ${FLEET_STORE_ENV}`);
  runSecrets.addUrl(url);
  if (!/^postgres(ql)?:\/\//i.test(url)) throw meterError('BAD_URL', `the key store must be a postgres:// URL, got ${runSecrets.text(url.split(':')[0])}:…`);
  assertDriverInstalled(url);
  const { checkSchemaName } = await import('../fleet/keys/registry-schema.js');
  const split = splitFleetStoreUrl(url, flags.schema);
  flags.schema = split.schema; // the commands' messages name the schema the URL chose
  const schema = checkSchemaName(split.schema);
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: split.url, max: 2, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    return await fn(pool, schema);
  } finally {
    await pool.end();
  }
}

async function masterKeyOf(flags: MasterFlags, io: FleetMetersIo, fileFlag = 'masterKeyFile'): Promise<MasterKey> {
  const { loadMasterKey, MASTER_KEY_ENV } = await import('../fleet/keys/master-key.js');
  const file = (flags as Record<string, string | undefined>)[fileFlag];
  if (file === undefined) runSecrets.add(io.env[MASTER_KEY_ENV]);
  return loadMasterKey({ file, env: io.env });
}

const storeOptions = (c: Command): Command => c
  .option('--store <url>', `the key store, postgres://user@host/db [env ${FLEET_STORE_ENV}]`)
  .option('--schema <name>', 'PostgreSQL schema of the registry', 'meterwire_fleet')
  .option('--json', 'print JSON');
const masterOption = (c: Command): Command => c
  .option('--master-key-file <file>', 'the master key (64 hex digits, base64 or 32 bytes; mode 600) [env METERWIRE_MASTER_KEY]');

function printJson(io: FleetMetersIo, value: unknown): void {
  io.out(JSON.stringify(value) + '\n');
}

/** One key for rotate-key: flag value (`-` = stdin), then its file flag, then the environment; origin for messages. */
function resolveKey(role: 'GUEK' | 'GAK', flag: string | undefined, file: string | undefined, envName: string | undefined,
  io: FleetMetersIo, stdin: () => string): Uint8Array | undefined {
  let value: string | undefined;
  let origin: string;
  if (flag === '-') { value = stdin(); origin = 'stdin'; }
  else if (flag !== undefined) { value = flag; origin = `--${role.toLowerCase()}`; }
  else if (file !== undefined) {
    try { value = readFileSync(file, 'utf8'); } catch (e) {
      throw meterError('BAD_CONFIG', `cannot read the ${role} file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    origin = file;
  } else if (envName !== undefined) { value = io.env[envName]; origin = envName; }
  else return undefined;
  if (value === undefined || value.trim() === '') return undefined;
  runSecrets.add(value.trim());
  try {
    return parseKey(value.trim(), role);
  } catch (e) {
    throw meterError('BAD_KEY', (e as Error).message.replace(role === 'GUEK' ? '(--key)' : '(--auth-key)', `(from ${origin})`));
  }
}

/** Stdin read once; with both keys on stdin, the first line is the GUEK and the second the GAK. */
function stdinLines(io: FleetMetersIo, both: boolean): [() => string, () => string] {
  let lines: string[] | undefined;
  const get = (): string[] => (lines ??= io.readStdin().split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== ''));
  return both ? [() => get()[0] ?? '', () => get()[1] ?? ''] : [() => get()[0] ?? '', () => get()[0] ?? ''];
}

export function fleetMetersCommand(io: FleetMetersIo = defaultIo()): Command {
  const meters = new Command('meters')
    .description('the fleet\'s meter registry and key store in PostgreSQL (keys envelope-encrypted under a master key)');

  storeOptions(masterOption(meters.command('import')
    .description('add or update meters from a CSV file (header: topic_id,meter_id,system_title,profile,guek,gak,time_zone), all or nothing')
    .argument('<file>', 'CSV file, - for stdin')))
    .option('--tz <zone>', 'time zone of meters whose row has none', 'Europe/Vienna')
    .action(async (file: string, flags: StoreFlags & MasterFlags & { tz: string }) => {
      const { parseMetersCsv } = await import('../fleet/keys/meters-csv.js');
      const { importMeters } = await import('../fleet/keys/meter-registry.js');
      let text: string;
      try {
        text = file === '-' ? io.readStdin() : readFileSync(file, 'utf8');
      } catch (e) {
        throw meterError('BAD_INPUT', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const records = parseMetersCsv(text, { defaultTimeZone: flags.tz });
      const master = await masterKeyOf(flags, io);
      const result = await withPool(flags, io, (pool, schema) => importMeters(pool, schema, master, records));
      if (flags.json) printJson(io, { imported: records.length, ...result, schema: flags.schema, masterKeyId: master.id });
      else io.out(`imported ${records.length} meter(s) from ${file}: ${result.inserted} new, ${result.updated} updated ` +
        `(schema ${flags.schema}, master key id ${master.id})\n`);
    });

  storeOptions(meters.command('list')
    .description('list the registered meters; keys show as set/none with a fingerprint, never their value'))
    .action(async (flags: StoreFlags) => {
      const { listMeters } = await import('../fleet/keys/meter-registry.js');
      const rows = await withPool(flags, io, (pool, schema) => listMeters(pool, schema));
      if (flags.json) {
        printJson(io, { schema: flags.schema, meters: rows.map((r) => ({
          meterId: r.meterId, topicId: r.topicId, systemTitle: r.systemTitle ?? null, profile: r.profile ?? null, timeZone: r.timeZone,
          guek: r.guekFingerprint ? 'set' : 'none', guekFingerprint: r.guekFingerprint ?? null,
          gak: r.gakFingerprint ? 'set' : 'none', gakFingerprint: r.gakFingerprint ?? null,
          masterKeyId: r.masterKeyId, updatedAt: r.updatedAt.toISOString(),
        })) });
        return;
      }
      if (rows.length === 0) { io.out(`no meters registered in schema ${flags.schema}\n`); return; }
      const table = [['meter id', 'topic id', 'system title', 'profile', 'time zone', 'guek', 'gak'],
        ...rows.map((r) => [r.meterId, r.topicId, r.systemTitle ?? '-', r.profile ?? 'auto', r.timeZone,
          r.guekFingerprint ? `set ${r.guekFingerprint}` : 'none', r.gakFingerprint ? `set ${r.gakFingerprint}` : 'none'])];
      const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
      io.out(table.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') +
        `\n${rows.length} meter(s); fingerprints are HMAC-SHA256 prefixes under the master key, not the keys\n`);
    });

  storeOptions(meters.command('remove')
    .description('remove a meter and its keys')
    .argument('<meterId>', 'the meter id'))
    .action(async (meterId: string, flags: StoreFlags) => {
      const { removeMeter } = await import('../fleet/keys/meter-registry.js');
      const removed = await withPool(flags, io, (pool, schema) => removeMeter(pool, schema, meterId));
      if (!removed) throw meterError('BAD_INPUT', `no meter "${meterId}" in the registry (schema ${flags.schema})`);
      if (flags.json) printJson(io, { removed: meterId });
      else io.out(`removed meter ${meterId}\n`);
    });

  storeOptions(masterOption(meters.command('rotate-key')
    .description('replace a meter\'s GUEK and/or GAK (under a fresh data key); keys from flags, files, stdin (-) or the environment')
    .argument('<meterId>', 'the meter id')))
    .option('--guek <key>', 'new GUEK, or - to read it from stdin [env METERWIRE_KEY]')
    .option('--gak <key>', 'new GAK, or - to read it from stdin (with --guek -: its second line) [env METERWIRE_AUTH_KEY]')
    .option('--guek-file <file>', 'read the new GUEK from this file')
    .option('--gak-file <file>', 'read the new GAK from this file')
    .option('--remove-gak', 'the meter no longer authenticates: remove its GAK')
    .action(async (meterId: string, flags: StoreFlags & MasterFlags & { guek?: string; gak?: string; guekFile?: string; gakFile?: string; removeGak?: boolean }) => {
      const { rotateMeterKeys } = await import('../fleet/keys/meter-registry.js');
      const [guekIn, gakIn] = stdinLines(io, flags.guek === '-' && flags.gak === '-');
      // The environment counts only when no key is given otherwise: `--gak X` must not also rotate the GUEK to
      // a METERWIRE_KEY that happens to be set for a local reader.
      const explicit = [flags.guek, flags.gak, flags.guekFile, flags.gakFile].some((v) => v !== undefined) || flags.removeGak;
      const guek = resolveKey('GUEK', flags.guek, flags.guekFile, explicit ? undefined : 'METERWIRE_KEY', io, guekIn);
      const gak = flags.removeGak ? undefined
        : resolveKey('GAK', flags.gak, flags.gakFile, explicit ? undefined : 'METERWIRE_AUTH_KEY', io, gakIn);
      if (flags.removeGak && (flags.gak !== undefined || flags.gakFile !== undefined)) {
        throw meterError('BAD_CONFIG', '--remove-gak and a new GAK contradict each other');
      }
      if (guek === undefined && gak === undefined && !flags.removeGak) {
        throw meterError('BAD_CONFIG', 'no new key: pass --guek/--gak (- for stdin), --guek-file/--gak-file, or set METERWIRE_KEY/METERWIRE_AUTH_KEY');
      }
      const master = await masterKeyOf(flags, io);
      await withPool(flags, io, (pool, schema) => rotateMeterKeys(pool, schema, master, meterId,
        { ...(guek ? { guek } : {}), ...(flags.removeGak ? { gak: null } : gak ? { gak } : {}) }));
      const changed = [guek && 'GUEK', flags.removeGak ? 'GAK removed' : gak && 'GAK'].filter(Boolean).join(' and ');
      if (flags.json) printJson(io, { rotated: meterId, guek: Boolean(guek), gak: flags.removeGak ? 'removed' : Boolean(gak) });
      else io.out(`rotated ${changed} of meter ${meterId}; workers evict their cached copy now\n`);
    });

  storeOptions(masterOption(meters.command('rewrap')
    .description('rotate the master key: rewrap every row\'s data key under a new master key, in one transaction')))
    .requiredOption('--new-master-key-file <file>', 'the new master key (mode 600); the old one from --master-key-file or METERWIRE_MASTER_KEY')
    .action(async (flags: StoreFlags & MasterFlags & { newMasterKeyFile: string }) => {
      const { rewrapRegistry } = await import('../fleet/keys/meter-registry.js');
      const from = await masterKeyOf(flags, io);
      const to = await masterKeyOf(flags, io, 'newMasterKeyFile');
      if (from.id === to.id) throw meterError('BAD_CONFIG', 'the new master key is the same as the old one');
      const n = await withPool(flags, io, (pool, schema) => rewrapRegistry(pool, schema, from, to));
      if (flags.json) printJson(io, { rewrapped: n, from: from.id, to: to.id });
      else io.out(`rewrapped ${n} meter(s) from master key id ${from.id} to ${to.id}; restart workers with the new master key\n`);
    });

  return meters;
}
