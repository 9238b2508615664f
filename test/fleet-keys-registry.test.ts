/**
 * The fleet key store against the real PostgreSQL: `meterwire fleet meters` import/list/remove/rotate-key/rewrap
 * and the worker's MeterDirectory (decryption, AAD binding, wrong master key, NOTIFY eviction, negative cache,
 * shared queries, reconnection), and that neither a dump nor any column as text holds a key. One schema per test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { isMeterError } from '../src/core/errors.js';
import { isKeyStoreError } from '../src/fleet/keys/key-store-error.js';
import { keyFingerprint } from '../src/fleet/keys/master-key.js';
import { createPgMeterDirectory, type PgMeterDirectory } from '../src/fleet/keys/pg-meter-directory.js';
import { importMeters, rotateMeterKeys } from '../src/fleet/keys/meter-registry.js';
import { openFleetMeterDirectory } from '../src/fleet/keys/open-directory.js';
import { metersChannel } from '../src/fleet/keys/registry-schema.js';
import { hasCommand } from './support/services.js';
import {
  PG_URL, admin, eventually, masterOf, newKeys, newMasterKeyText, pgSkip, runMeters, tempDir, withSchema, type KeyPair,
} from './fleet-keys-pg-support.js';

const skip = await pgSkip();
const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex').toUpperCase() : undefined);

interface Fixture { schema: string; env: NodeJS.ProcessEnv; masterText: string; keys: KeyPair[]; csv: string }

function csvOf(keys: KeyPair[]): string {
  return ['topic_id,meter_id,system_title,profile,guek,gak,time_zone',
    `gw-1,meter-1,4D4D4D0000BC614E,,${keys[0].guek},${keys[0].gak},`,
    `gw-2,,,,${keys[1].guek},,Europe/Berlin`,
    'gw-3,meter-3,,,,,',
  ].join('\n') + '\n';
}

async function imported(schema: string, files: ReturnType<typeof tempDir>): Promise<Fixture> {
  const masterText = newMasterKeyText();
  const env = { METERWIRE_MASTER_KEY: masterText };
  const keys = [newKeys(), newKeys()];
  const csv = csvOf(keys);
  const r = await runMeters(['import', files.file('meters.csv', csv), '--store', PG_URL, '--schema', schema], env);
  assert.match(r.out, /imported 3 meter\(s\) from .*: 3 new, 0 updated/);
  return { schema, env, masterText, keys, csv };
}

/** Every key of the fixture in the forms a leak would take: hex in both cases, and the raw bytes as latin1. */
function keyForms(keys: KeyPair[]): string[] {
  return keys.flatMap((k) => [k.guek, k.gak]).flatMap((h) => [h, h.toLowerCase(), Buffer.from(h, 'hex').toString('latin1'),
    Buffer.from(h, 'hex').toString('base64')]);
}

function assertNoKey(text: string, keys: KeyPair[], where: string): void {
  for (const form of keyForms(keys)) assert.ok(!text.includes(form), `a key appears in ${where}`);
}

async function directory(schema: string, masterText: string, extra: Partial<Parameters<typeof createPgMeterDirectory>[0]> = {}): Promise<PgMeterDirectory> {
  return createPgMeterDirectory({ connectionString: PG_URL, schema, masterKey: masterOf(masterText), ttlMs: 3_600_000, ...extra });
}

test('import → lookup decrypts the same keys; list shows set/none and fingerprints, never a key', { skip }, () => withSchema(async (schema) => {
  const files = tempDir();
  try {
    const f = await imported(schema, files);
    const dir = await directory(schema, f.masterText);
    try {
      const m1 = await dir.lookup('gw-1');
      assert.ok(m1);
      assert.equal(m1.meterId, 'meter-1');
      assert.equal(m1.systemTitle, '4D4D4D0000BC614E');
      assert.equal(m1.timeZone, 'Europe/Vienna');
      assert.equal(m1.profile, undefined);
      assert.equal(hex(m1.guek), f.keys[0].guek);
      assert.equal(hex(m1.gak), f.keys[0].gak);
      const m2 = await dir.lookup('gw-2');
      assert.equal(m2?.meterId, 'gw-2');
      assert.equal(m2?.timeZone, 'Europe/Berlin');
      assert.equal(hex(m2?.guek), f.keys[1].guek);
      assert.equal(m2?.gak, undefined);
      const m3 = await dir.lookup('gw-3');
      assert.equal(m3?.meterId, 'meter-3');
      assert.equal(m3?.guek, undefined);
      assert.equal(await dir.lookup('gw-unknown'), undefined);
      assert.equal(await dir.lookup('meter-1'), undefined, 'lookups go by topic id, not meter id');
      assert.equal(await dir.lookup('x'.repeat(10_000)), undefined);
    } finally {
      await dir.close();
    }

    const master = masterOf(f.masterText);
    const text = (await runMeters(['list', '--store', PG_URL, '--schema', schema], {})).out;
    assertNoKey(text, f.keys, 'list');
    assert.match(text, new RegExp(`meter-1\\s+gw-1\\s+4D4D4D0000BC614E\\s+auto\\s+Europe/Vienna\\s+set ${keyFingerprint(master, Buffer.from(f.keys[0].guek, 'hex'))}\\s+set ${keyFingerprint(master, Buffer.from(f.keys[0].gak, 'hex'))}`));
    assert.match(text, /meter-3\s+gw-3\s+-\s+auto\s+Europe\/Vienna\s+none\s+none/);
    const json = (await runMeters(['list', '--store', PG_URL, '--schema', schema, '--json'], {})).out;
    assertNoKey(json, f.keys, 'list --json');
    const listed = JSON.parse(json) as { meters: { meterId: string; guek: string; gak: string; guekFingerprint: string | null }[] };
    assert.deepEqual(listed.meters.map((m) => [m.meterId, m.guek, m.gak]), [['gw-2', 'set', 'none'], ['meter-1', 'set', 'set'], ['meter-3', 'none', 'none']]);
    assert.equal(listed.meters[0].guekFingerprint, keyFingerprint(master, Buffer.from(f.keys[1].guek, 'hex')));

    // Re-import upserts on the meter id and reports what changed.
    const again = await runMeters(['import', files.file('again.csv', f.csv.replace('gw-3,meter-3,,,,,', 'gw-4,meter-4,,,,,')),
      '--store', PG_URL, '--schema', schema, '--json'], f.env);
    assert.deepEqual({ ...JSON.parse(again.out), masterKeyId: undefined }, { imported: 3, inserted: 1, updated: 2, schema, masterKeyId: undefined });
  } finally {
    files.remove();
  }
}));

test('rows cannot be swapped: ciphertext moved to another meter id in SQL is refused with a clear error', { skip }, () => withSchema(async (schema, pool) => {
  const files = tempDir();
  try {
    const f = await imported(schema, files);
    await pool.query(`UPDATE ${schema}.meters m SET wrapped_data_key = o.wrapped_data_key, encrypted_keys = o.encrypted_keys
      FROM ${schema}.meters o WHERE (m.meter_id, o.meter_id) IN (('meter-1', 'gw-2'), ('gw-2', 'meter-1'))`);
    await pool.query(`UPDATE ${schema}.meters SET encrypted_keys = (SELECT encrypted_keys FROM ${schema}.meters WHERE meter_id = 'gw-2')
      WHERE meter_id = 'meter-3'`);
    const dir = await directory(schema, f.masterText);
    try {
      for (const [topic, meter] of [['gw-1', 'meter-1'], ['gw-2', 'gw-2'], ['gw-3', 'meter-3']]) {
        await assert.rejects(dir.lookup(topic), (e: unknown) => {
          assert.ok(isKeyStoreError(e) && e.reason === 'tampered');
          assert.match(e.message, new RegExp(`the stored keys of meter ${meter} do not open .*altered or its ciphertext belongs to another meter`));
          assertNoKey(e.message, f.keys, 'the error');
          return true;
        });
      }
      assert.equal(dir.stats().cached, 0, 'a refused row is not cached');
    } finally {
      await dir.close();
    }
    const reported: Error[] = [];
    const preloading = await directory(schema, f.masterText, { onError: (e) => reported.push(e) });
    try {
      assert.equal(await preloading.preload(), 0, 'no damaged row is cached');
      assert.deepEqual(reported.map((e) => /meter (\S+) do not open/.exec(e.message)?.[1]).sort(), ['gw-2', 'meter-1', 'meter-3']);
    } finally {
      await preloading.close();
    }
    // rotate-key re-seals a damaged row only after opening it: refused too.
    await assert.rejects(runMeters(['rotate-key', 'meter-1', '--guek', newKeys().guek, '--store', PG_URL, '--schema', schema], f.env),
      /stored keys of meter meter-1 do not open/);
  } finally {
    files.remove();
  }
}));

test('a wrong master key is one clear error naming key ids, for import, rotate-key and the directory', { skip }, () => withSchema(async (schema) => {
  const files = tempDir();
  try {
    const f = await imported(schema, files);
    const wrongText = newMasterKeyText();
    const wrong = { METERWIRE_MASTER_KEY: wrongText };
    const expected = new RegExp(`^master key does not open the key store \\(key id ${masterOf(f.masterText).id}; ` +
      `the master key from (METERWIRE_MASTER_KEY|test) has key id ${masterOf(wrongText).id}\\)$`);
    const check = (e: unknown): boolean => {
      assert.ok(isKeyStoreError(e) && e.reason === 'wrong-master-key', String(e));
      assert.match(e.message, expected);
      assert.ok(!e.message.includes(wrongText) && !e.message.includes(f.masterText));
      return true;
    };
    await assert.rejects(runMeters(['import', files.file('more.csv', 'topic\ngw-9\n'), '--store', PG_URL, '--schema', schema], wrong), check);
    await assert.rejects(runMeters(['rotate-key', 'meter-1', '--guek', newKeys().guek, '--store', PG_URL, '--schema', schema], wrong), check);
    await assert.rejects(directory(schema, wrongText), check);
    const listed = JSON.parse((await runMeters(['list', '--store', PG_URL, '--schema', schema, '--json'], {})).out) as { meters: unknown[] };
    assert.equal(listed.meters.length, 3, 'nothing was written under the wrong master key');
    await assert.rejects(runMeters(['import', files.file('x.csv', 'topic\ngw-9\n'), '--store', PG_URL, '--schema', schema], {}),
      /no master key: set METERWIRE_MASTER_KEY/);
  } finally {
    files.remove();
  }
}));

test('CSV errors and conflicts are reported by line and nothing is imported', { skip }, () => withSchema(async (schema, pool) => {
  const files = tempDir();
  try {
    const f = await imported(schema, files);
    const count = async (): Promise<number> => Number((await pool.query(`SELECT count(*) FROM ${schema}.meters`)).rows[0].count);
    const badKey = newKeys().guek.slice(0, 30);
    const bad = `topic_id,guek\nnew-1,${newKeys().guek}\nnew-2,${badKey}\nnew+3,\n`;
    await assert.rejects(runMeters(['import', files.file('bad.csv', bad), '--store', PG_URL, '--schema', schema], f.env), (e: unknown) => {
      assert.ok(isMeterError(e) && e.code === 'BAD_INPUT');
      assert.match(e.message, /2 invalid row\(s\), nothing imported:\n {2}line 3: guek is malformed \(30 hex digits\).*\n {2}line 4: topic id "new\+3"/);
      assert.ok(!e.message.includes(badKey));
      return true;
    });
    assert.equal(await count(), 3);
    // Valid rows, but gw-2's topic and meter-1's system title belong to meters this file leaves alone.
    const conflicting = `topic_id,meter_id,system_title\nnew-1,new-1,\ngw-2,other,\nnew-3,new-3,4d4d4d0000bc614e\n`;
    await assert.rejects(runMeters(['import', files.file('c.csv', conflicting), '--store', PG_URL, '--schema', schema], f.env),
      /2 conflict\(s\) with registered meters, nothing imported.*\n {2}line 3: topic id "gw-2" is registered to meter "gw-2"\n {2}line 4: system title 4D4D4D0000BC614E is registered to meter "meter-1"/s);
    assert.equal(await count(), 3);
    // Moving a topic id between two meters of the same import is fine (the unique constraints are checked at commit).
    const swap = `topic_id,meter_id\ngw-3,gw-2\ngw-2,meter-3\n`;
    assert.match((await runMeters(['import', files.file('s.csv', swap), '--store', PG_URL, '--schema', schema], f.env)).out, /0 new, 2 updated/);
    const topics = (await pool.query(`SELECT meter_id, topic_id FROM ${schema}.meters ORDER BY meter_id`)).rows;
    assert.deepEqual(topics.map((r) => `${r.meter_id}=${r.topic_id}`), ['gw-2=gw-3', 'meter-1=gw-1', 'meter-3=gw-2']);
  } finally {
    files.remove();
  }
}));

test('NOTIFY: rotate-key, import and remove in one place are seen by another directory at once, not after the TTL', { skip }, () => withSchema(async (schema, pool) => {
  const files = tempDir();
  const dirs: PgMeterDirectory[] = [];
  try {
    const f = await imported(schema, files);
    const a = await directory(schema, f.masterText);
    dirs.push(a);
    const b = await directory(schema, f.masterText, { pool });
    dirs.push(b);
    assert.equal(hex((await a.lookup('gw-1'))?.guek), f.keys[0].guek);
    assert.equal(hex((await b.lookup('gw-1'))?.guek), f.keys[0].guek);
    assert.equal(await b.lookup('gw-new'), undefined);
    const queries = b.stats().queries;
    assert.equal(hex((await b.lookup('gw-1'))?.guek), f.keys[0].guek);
    assert.equal(await b.lookup('gw-new'), undefined);
    assert.equal(b.stats().queries, queries, 'served from the caches');

    // New GUEK from stdin (kept out of shell history), GAK kept.
    const next = newKeys();
    const seen = b.stats().notifications;
    const out = (await runMeters(['rotate-key', 'meter-1', '--guek', '-', '--store', PG_URL, '--schema', schema], f.env, `${next.guek}\n`)).out;
    assert.match(out, /rotated GUEK of meter meter-1/);
    assertNoKey(out, [next, ...f.keys], 'rotate-key output');
    await eventually(() => b.stats().notifications > seen, 'b received the notification');
    const rotated = await b.lookup('gw-1');
    assert.equal(hex(rotated?.guek), next.guek);
    assert.equal(hex(rotated?.gak), f.keys[0].gak);

    // A rotation through the library (as another process would) reaches directory a too.
    const third = newKeys();
    const seenA = a.stats().notifications;
    await rotateMeterKeys(pool, schema, masterOf(f.masterText), 'meter-1', { guek: Buffer.from(third.guek, 'hex'), gak: null });
    await eventually(() => a.stats().notifications > seenA, 'a received the notification');
    const m = await a.lookup('gw-1');
    assert.equal(hex(m?.guek), third.guek);
    assert.equal(m?.gak, undefined);

    // A meter imported for a topic id b remembered as unknown.
    const seen2 = b.stats().notifications;
    await importMeters(pool, schema, masterOf(f.masterText), [{ line: 2, meterId: 'gw-new', topicId: 'gw-new', timeZone: 'UTC', guek: Buffer.from(next.gak, 'hex') }]);
    await eventually(() => b.stats().notifications > seen2, 'b received the import');
    assert.equal(hex((await b.lookup('gw-new'))?.guek), next.gak);

    // Removed: gone for both.
    const seen3 = a.stats().notifications;
    assert.match((await runMeters(['remove', 'meter-1', '--store', PG_URL, '--schema', schema], {})).out, /removed meter meter-1/);
    await eventually(() => a.stats().notifications > seen3, 'a received the removal');
    assert.equal(await a.lookup('gw-1'), undefined);
    await assert.rejects(runMeters(['remove', 'meter-1', '--store', PG_URL, '--schema', schema], {}), /no meter "meter-1" in the registry/);
  } finally {
    for (const d of dirs) await d.close();
    files.remove();
  }
}));

test('lookups of one id at the same time share one query; the TTL bounds how long a meter is served from memory', { skip }, () => withSchema(async (schema) => {
  const files = tempDir();
  let clock = 1_000_000;
  const f = await imported(schema, files).finally(() => files.remove());
  const dir = await directory(schema, f.masterText, { ttlMs: 60_000, negativeTtlMs: 5_000, negativeMax: 100, now: () => clock });
  try {
    const q0 = dir.stats().queries;
    const found = await Promise.all(Array.from({ length: 50 }, () => dir.lookup('gw-1')));
    assert.ok(found.every((m) => m === found[0] && m?.meterId === 'meter-1'));
    const missing = await Promise.all(Array.from({ length: 50 }, () => dir.lookup('nobody')));
    assert.ok(missing.every((m) => m === undefined));
    assert.equal(dir.stats().queries - q0, 2);
    assert.equal(dir.stats().shared, 98);

    clock += 59_000;
    await dir.lookup('gw-1');
    assert.equal(dir.stats().queries - q0, 2, 'the meter is within its TTL (60 s)');
    await dir.lookup('nobody');
    assert.equal(dir.stats().queries - q0, 3, 'the negative entry expired (5 s)');
    clock += 2_000;
    await dir.lookup('gw-1');
    assert.equal(dir.stats().queries - q0, 4, 'the meter expired after its TTL');

    // A flood of random ids stays within the negative cache's bound.
    for (let i = 0; i < 1_000; i++) await dir.lookup(`random-${i}`);
    assert.ok(dir.stats().negative <= 100, `negative cache holds ${dir.stats().negative}`);
  } finally {
    await dir.close();
  }
}));

test('the LISTEN connection comes back after it is killed and evicts everything (notifications may be lost meanwhile)', { skip }, () => withSchema(async (schema, pool) => {
  const files = tempDir();
  const f = await imported(schema, files).finally(() => files.remove());
  const errors: Error[] = [];
  const dir = await directory(schema, f.masterText, { listenRetryMinMs: 50, onError: (e) => errors.push(e) });
  try {
    assert.equal(hex((await dir.lookup('gw-1'))?.guek), f.keys[0].guek);
    await dir.preload();
    assert.equal(dir.stats().cached, 3);
    const killed = await admin(async (c) => (await c.query(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [`meterwire-fleet-keys-${schema}`])).rows);
    assert.equal(killed.length, 1);
    // Changed while (probably) nobody listens.
    const next = newKeys();
    await rotateMeterKeys(pool, schema, masterOf(f.masterText), 'meter-1', { guek: Buffer.from(next.guek, 'hex') });
    await eventually(() => dir.stats().reconnects >= 1 && dir.stats().listening, 'the listener reconnected');
    assert.ok(errors.length >= 1, 'the lost connection was reported');
    assert.equal(hex((await dir.lookup('gw-1'))?.guek), next.guek);
  } finally {
    await dir.close();
  }
}));

test('a dump of the schema and every column of every table as text hold no key', { skip }, () => withSchema(async (schema, pool) => {
  const files = tempDir();
  try {
    const f = await imported(schema, files);
    // A text key (16 ASCII characters) too, in its text and hex forms.
    await runMeters(['import', files.file('t.csv', 'topic,guek\ntext-key,METERWIREDEMOKEY\n'), '--store', PG_URL, '--schema', schema], f.env);
    const keys = [...f.keys, { guek: Buffer.from('METERWIREDEMOKEY').toString('hex').toUpperCase(), gak: f.keys[0].gak }];
    const tables = (await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema])).rows;
    assert.deepEqual(tables.map((t) => t.table_name).sort(), ['meters', 'meters_meta']);
    let all = '';
    for (const { table_name: t } of tables) {
      const cols = (await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, [schema, t])).rows;
      for (const { column_name: c } of cols) {
        const rows = (await pool.query(`SELECT ${c}::text AS v FROM ${schema}.${t}`)).rows;
        all += rows.map((r) => `${r.v}`).join('\n') + '\n';
      }
    }
    assert.ok(all.includes('meter-1') && all.includes('\\x'), 'the scan did read the rows');
    assertNoKey(all, keys, 'a column');
    assert.ok(!all.includes('METERWIREDEMOKEY'));
    assert.ok(!all.includes(f.masterText));
    if (hasCommand('pg_dump')) {
      const u = new URL(PG_URL);
      const dump = execFileSync('pg_dump', ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres',
        '-n', schema, '--data-only', u.pathname.slice(1)], { encoding: 'utf8' });
      assert.ok(dump.includes('meter-1'), 'the dump holds the rows');
      assertNoKey(dump, keys, 'pg_dump');
      assert.ok(!dump.includes('METERWIREDEMOKEY') && !dump.includes(f.masterText));
    }
  } finally {
    files.remove();
  }
}));

test('rotate-key takes keys from a file or the environment; rewrap moves the registry to a new master key', { skip }, () => withSchema(async (schema) => {
  const files = tempDir();
  try {
    const f = await imported(schema, files);
    const k = newKeys();
    await runMeters(['rotate-key', 'gw-2', '--guek-file', files.file('guek.txt', `${k.guek}\n`), '--store', PG_URL, '--schema', schema], f.env);
    await runMeters(['rotate-key', 'meter-3', '--store', PG_URL, '--schema', schema], { ...f.env, METERWIRE_KEY: k.gak, METERWIRE_AUTH_KEY: k.guek });
    await assert.rejects(runMeters(['rotate-key', 'meter-3', '--store', PG_URL, '--schema', schema], f.env), /no new key/);
    await assert.rejects(runMeters(['rotate-key', 'meter-3', '--guek', k.guek.slice(2), '--store', PG_URL, '--schema', schema], f.env), (e: unknown) => {
      assert.ok(isMeterError(e) && e.code === 'BAD_KEY');
      assert.match(e.message, /GUEK \(from --guek\) is malformed/);
      assert.ok(!e.message.includes(k.guek.slice(2)));
      return true;
    });
    await assert.rejects(runMeters(['rotate-key', 'nobody', '--guek', k.guek, '--store', PG_URL, '--schema', schema], f.env), /no meter "nobody"/);

    const newText = newMasterKeyText();
    const keyFile = files.file('new.key', `${newText}\n`, 0o600);
    await assert.rejects(runMeters(['rewrap', '--new-master-key-file', files.file('loose.key', newText, 0o644), '--store', PG_URL, '--schema', schema], f.env),
      /accessible by group or others \(mode 0644\)/);
    const out = (await runMeters(['rewrap', '--new-master-key-file', keyFile, '--store', PG_URL, '--schema', schema], f.env)).out;
    assert.match(out, new RegExp(`rewrapped 3 meter\\(s\\) from master key id ${masterOf(f.masterText).id} to ${masterOf(newText).id}`));
    await assert.rejects(directory(schema, f.masterText), /master key does not open the key store/);
    const dir = await directory(schema, newText);
    try {
      assert.equal(hex((await dir.lookup('gw-1'))?.guek), f.keys[0].guek);
      assert.equal(hex((await dir.lookup('gw-2'))?.guek), k.guek);
      const m3 = await dir.lookup('gw-3');
      assert.equal(hex(m3?.guek), k.gak);
      assert.equal(hex(m3?.gak), k.guek);
      assert.equal(await dir.preload(), 3);
    } finally {
      await dir.close();
    }
    // As a worker opens it: the master key from a file, all meters preloaded.
    const opened = await openFleetMeterDirectory({ store: PG_URL, schema, masterKeyFile: keyFile, preload: true });
    try {
      assert.equal(opened.stats().cached, 3);
      assert.equal(hex((await opened.lookup('gw-2'))?.guek), k.guek);
      assert.equal(opened.stats().queries, 0);
    } finally {
      await opened.close();
    }
    // Fingerprints follow the new master key.
    const listed = JSON.parse((await runMeters(['list', '--json', '--store', PG_URL, '--schema', schema], {})).out) as { meters: { meterId: string; guekFingerprint: string }[] };
    assert.equal(listed.meters.find((m) => m.meterId === 'gw-2')?.guekFingerprint, keyFingerprint(masterOf(newText), Buffer.from(k.guek, 'hex')));
  } finally {
    files.remove();
  }
}));

test('changes notify the registry\'s channel with the meter id as payload; another schema\'s directories hear nothing', { skip }, () => withSchema(async (schema, pool) => {
  assert.equal(metersChannel('meterwire_fleet'), 'meterwire_fleet_meters');
  assert.equal(metersChannel(schema), `meterwire_fleet_meters_${schema}`);
  const files = tempDir();
  const f = await imported(schema, files).finally(() => files.remove());
  const listener = new pg.Client({ connectionString: PG_URL });
  await listener.connect();
  const payloads: string[] = [];
  listener.on('notification', (n) => { if (n.channel === metersChannel(schema)) payloads.push(n.payload ?? ''); });
  await listener.query(`LISTEN ${metersChannel(schema)}`);
  await withSchema(async (other) => {
    const files2 = tempDir();
    const g = await imported(other, files2).finally(() => files2.remove());
    const elsewhere = await directory(other, g.masterText);
    try {
      await rotateMeterKeys(pool, schema, masterOf(f.masterText), 'meter-1', { guek: Buffer.from(newKeys().guek, 'hex') });
      await eventually(() => payloads.length >= 1, 'the notification arrived');
      assert.deepEqual(payloads, ['meter-1']);
      assert.equal(elsewhere.stats().notifications, 0);
    } finally {
      await elsewhere.close();
    }
  }).finally(() => listener.end());
}));
