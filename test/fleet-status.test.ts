/**
 * `meterwire fleet status` over a store a real worker filled (child processes, private Mosquitto, a real
 * PostgreSQL schema): frames per minute count the stored rows, dead letters are counted by reason, and a meter
 * that stopped sending for more than --silent-after push intervals of its profile is listed while one that keeps
 * sending (a 10 s profile) is not. JSON and text output. No key or master key in any output or in the pg_dump.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createFleetEnv, secretSpellings, servicesSkip, type FleetEnv } from './fleet-deadletters-support.js';
import type { FleetStatus } from '../src/fleet/worker/fleet-status.js';

const skip = await servicesSkip();
let e: FleetEnv;
// profiles dealt round-robin: 0 and 2 at-kaernten-am550 (1 s interval), 1 and 3 lu-smarty (10 s)
before(async () => { if (!skip) e = await createFleetEnv('status', ['at-kaernten-am550', 'lu-smarty'], 4); });
after(async () => { if (!skip) await e.cleanup(); });

const STOPS = 0, ACTIVE = 1, WRONG = 2, UNKNOWN = 3;
const wrongGuek = randomBytes(16).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (r: { code: number | null; stderr: string }, what: string) => assert.equal(r.code, 0, `${what} failed: ${r.stderr.slice(-1500)}`);

test('status: frames per minute, dead letters by reason, the meter that stopped sending', { skip }, async () => {
  const m = e.meters;
  assert.deepEqual(m.map((x) => x.profile), ['at-kaernten-am550', 'lu-smarty', 'at-kaernten-am550', 'lu-smarty']);
  ok(await e.fleet(['meters', 'import', e.csvFile('meters.csv', m.filter((_, i) => i !== UNKNOWN))]), 'import');
  ok(await e.fleet(['meters', 'rotate-key', m[WRONG].meterId], { METERWIRE_KEY: wrongGuek }), 'rotate-key');

  const worker = await e.startWorker('s1');
  try {
    const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    await e.publish(STOPS, 3, start, 1_000);
    await e.publish(ACTIVE, 2, start, 10_000);
    await e.publish(WRONG, 4, start, 1_000);
    await e.publish(UNKNOWN, 5, start, 10_000);
    await e.untilCount(`SELECT count(*) FROM ${e.schema}.readings`, 5, 'rows');
    await e.untilCount(`SELECT count(*) FROM ${e.schema}.dead_letters`, 9, 'dead letters');
    // Meter 0 (1 s interval) now stays quiet for more than 5 intervals; meter 1 (10 s) sends once more.
    await sleep(6_500);
    await e.publish(ACTIVE, 1, start + 20_000, 10_000);
    await e.untilCount(`SELECT count(*) FROM ${e.schema}.readings`, 6, 'the active meter\'s last row');
  } finally {
    await e.stopWorker(worker);
  }

  const r = await e.fleet(['status', '--silent-after', '5', '--json']);
  ok(r, 'status --json');
  const s = JSON.parse(r.stdout) as FleetStatus;
  assert.equal(s.framesPerMinute.length, 5);
  assert.equal(s.framesPerMinute.reduce((a, x) => a + x.frames, 0), 6, 'every stored row of this run counted once');
  assert.deepEqual(s.deadLetters, { 'unknown-meter': 5, 'wrong-key': 4 });
  assert.equal(s.silentAfterIntervals, 5);
  const silent = new Map(s.silentMeters.map((x) => [x.meterId, x]));
  assert.deepEqual([...silent.keys()].sort(), [m[STOPS].meterId, m[WRONG].meterId].sort(), JSON.stringify(s.silentMeters));
  assert.equal(silent.get(m[STOPS].meterId)!.topicId, m[STOPS].topicId);
  assert.equal(silent.get(m[STOPS].meterId)!.profile, 'at-kaernten-am550');
  assert.ok(silent.get(m[STOPS].meterId)!.lastReceivedAt, 'the stopped meter has a last frame');
  assert.equal(silent.get(m[WRONG].meterId)!.lastReceivedAt, undefined, 'the wrong-key meter never stored a row');

  // 1000 intervals of 1 s: the stopped meter is not silent yet; the one that never stored a row still is.
  const long = JSON.parse((await e.fleet(['status', '--silent-after', '1000', '--json'])).stdout) as FleetStatus;
  assert.deepEqual(long.silentMeters.map((x) => x.meterId), [m[WRONG].meterId]);

  const text = await e.fleet(['status', '--silent-after', '5']);
  ok(text, 'status');
  assert.match(text.stdout, /unknown-meter\s+5/);
  assert.match(text.stdout, /wrong-key\s+4/);
  assert.ok(text.stdout.includes(`${m[STOPS].meterId} (${m[STOPS].topicId}, at-kaernten-am550): last `), text.stdout);
  assert.ok(text.stdout.includes(`${m[WRONG].meterId} (${m[WRONG].topicId}, at-kaernten-am550): last never`), text.stdout);
  assert.ok(!text.stdout.includes(m[ACTIVE].meterId), text.stdout);
});

test('status run: no key and no master key in the schema dump or in any output', { skip }, async () => {
  const secrets = secretSpellings([...e.meters.flatMap((m) => [m.guek, m.gak]), wrongGuek, e.masterKey]);
  const dump = e.pgDump();
  assert.match(dump, /CREATE TABLE/);
  for (const s of secrets) assert.ok(!dump.includes(s), 'a key or the master key is in the pg_dump of the schema');
  assert.ok(e.outputs.length >= 6, `every command recorded (${e.outputs.length})`);
  for (const o of e.outputs) {
    for (const s of secrets) assert.ok(!o.stdout.includes(s) && !o.stderr.includes(s), `a key in the output of ${o.args.slice(0, 3).join(' ')}`);
  }
});

test('status and redecode on a schema without a fleet store fail and create nothing', { skip }, async () => {
  const typo = `${e.schema}_typo`;
  try {
    for (const command of [['status', '--json'], ['redecode']]) {
      const r = await e.fleet(command, {}, typo);
      assert.equal(r.code, 1, `${command[0]} on a missing schema: ${r.stdout} ${r.stderr}`);
      assert.match(`${r.stdout}${r.stderr}`, /BAD_CONFIG.*holds no fleet store/);
    }
    const left = await e.query(`SELECT nspname FROM pg_namespace WHERE nspname = $1`, [typo]);
    assert.deepEqual(left, [], 'no schema created by a read of a mistyped schema');
  } finally {
    await e.query(`DROP SCHEMA IF EXISTS ${typo} CASCADE`);
  }
});
