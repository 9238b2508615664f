/** The `meterwire decode` command as a user runs it: inputs, exit codes, JSON lines, clear errors, no key echoed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vector, VECTORS_SKIP } from './support/vectors.js';
import { hexToBytes } from '../src/core/bytes/hex.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

function cli(args: string[], input?: string | Uint8Array, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env } });
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: lines.map((l) => { try { return JSON.parse(l); } catch { return l; } }) };
}

test('decode a hex argument, a binary file, a hex file with separators, and stdin', (t) => {
  const v = vector('evn-netznoe-doc-example');
  if (!v) return t.skip(VECTORS_SKIP);
  const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
  const bin = join(dir, 'frame.bin');
  writeFileSync(bin, hexToBytes(v.raw_hex!));
  const hexFile = join(dir, 'frame.txt');
  writeFileSync(hexFile, v.raw_hex!.match(/../g)!.join(':') + '\n');
  for (const r of [cli(['decode', '--key', v.key_hex!, v.raw_hex!]), cli(['decode', '-k', v.key_hex!, bin]),
    cli(['decode', hexFile], undefined, { METERWIRE_KEY: v.key_hex! }), cli(['decode', '--key', v.key_hex!, '-'], v.raw_hex!)]) {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].readings.find((x: { id: string }) => x.id === 'energy_import').value, 12937);
  }
});

test('a DSMR telegram file decodes; --pretty prints a table', (t) => {
  const v = vector('dsmr50-iskra-mt382');
  if (!v) return t.skip(VECTORS_SKIP);
  const file = join(mkdtempSync(join(tmpdir(), 'mw-cli-')), 'telegram.txt');
  writeFileSync(file, v.raw_text!);
  const r = cli(['decode', '--pretty', file]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /energy_import_t1\s+4\.426 kWh/);
});

test('errors are one JSON line with an actionable message, exit 1, no stack trace, no key echoed', (t) => {
  const v = vector('smarty-lux-nexxtlab');
  if (!v) return t.skip(VECTORS_SKIP);
  const missing = cli(['decode', v.raw_hex!]);
  assert.equal(missing.code, 1);
  assert.equal(missing.json[0].error.code, 'MISSING_KEY');
  assert.match(missing.json[0].error.message, /--key/);
  const wrongGak = 'FFEEDDCCBBAA99887766554433221100';
  const auth = cli(['decode', '--key', v.key_hex!, '--auth-key', wrongGak, v.raw_hex!]);
  assert.equal(auth.json[0].error.code, 'AUTH_FAILED');
  assert.match(auth.json[0].error.message, /GAK/);
  const badKey = cli(['decode', '--key', 'D491470F47126332B07D1923B35041', v.raw_hex!]);
  assert.equal(badKey.code, 1);
  assert.equal(badKey.json[0].error.code, 'BAD_KEY');
  for (const r of [missing, auth, badKey]) {
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(!(r.stdout + r.stderr).includes(v.key_hex!) && !(r.stdout + r.stderr).includes(wrongGak), 'no key in the output');
    assert.ok(!(r.stdout + r.stderr).includes('D491470F47126332B07D1923B35041'), 'no key fragment in the output');
  }
});

test('not hex, no frame, and unknown profile are clear errors', () => {
  const notHex = cli(['decode', 'hello world']);
  assert.equal(notHex.code, 1);
  assert.equal(notHex.json[0].error.code, 'BAD_HEX');
  const noFrame = cli(['decode', '00112233']);
  assert.equal(noFrame.code, 1);
  assert.equal(noFrame.json[0].error.code, 'NO_FRAME');
  const profile = cli(['decode', '--profile', 'xx-nope', '00112233']);
  assert.equal(profile.json[0].error.code, 'UNKNOWN_PROFILE');
  assert.match(profile.json[0].error.message, /nl-dsmr5/);
});
