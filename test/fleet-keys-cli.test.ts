/**
 * `meterwire fleet meters` as a process: stdin input, the exit code and the one-line error of a wrong master key
 * or a bad CSV, with no key in any output. Uses test/fleet-keys-cli-entry.ts (the command as main.ts will mount it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PG_URL, masterOf, newKeys, newMasterKeyText, pgSkip, withSchema } from './fleet-keys-pg-support.js';

const skip = await pgSkip();

function cli(args: string[], env: Record<string, string>, input = ''): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fleet-keys-cli-entry.ts', ...args],
    { input, encoding: 'utf8', env: { ...process.env, METERWIRE_MASTER_KEY: '', ...env }, timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('the CLI imports from stdin, prints counts, and fails with one clear line and exit 1', { skip }, () => withSchema(async (schema) => {
  const master = newMasterKeyText();
  const k = newKeys();
  const store = ['--store', PG_URL, '--schema', schema];
  const ok = cli(['import', '-', ...store], { METERWIRE_MASTER_KEY: master }, `topic,guek,gak\ngw-1,${k.guek},${k.gak}\n`);
  assert.equal(ok.status, 0, ok.out + ok.err);
  assert.match(ok.out, /imported 1 meter\(s\) from -: 1 new, 0 updated/);

  const wrongText = newMasterKeyText();
  const wrong = cli(['import', '-', ...store], { METERWIRE_MASTER_KEY: wrongText }, 'topic\ngw-2\n');
  assert.equal(wrong.status, 1);
  const error = (JSON.parse(wrong.out.trim()) as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'BAD_CONFIG');
  assert.equal(error.message, `master key does not open the key store (key id ${masterOf(master).id}; ` +
    `the master key from METERWIRE_MASTER_KEY has key id ${masterOf(wrongText).id})`);

  const bad = cli(['import', '-', ...store], { METERWIRE_MASTER_KEY: master }, `topic,guek\ngw-3,${k.guek.slice(1)}\n`);
  assert.equal(bad.status, 1);
  assert.match(bad.out, /"code":"BAD_INPUT".*line 2: guek is malformed \(31 hex digits\)/);

  const list = cli(['list', ...store], {});
  assert.equal(list.status, 0, list.err);
  assert.match(list.out, /gw-1\s+gw-1\s+-\s+auto\s+Europe\/Vienna\s+set [0-9a-f]{16}\s+set [0-9a-f]{16}/);
  for (const r of [ok, wrong, bad, list]) {
    for (const secret of [k.guek, k.gak, k.guek.toLowerCase(), k.gak.toLowerCase(), master, wrongText]) {
      assert.ok(!r.out.includes(secret) && !r.err.includes(secret), 'no key or master key in any output');
    }
  }
}));
