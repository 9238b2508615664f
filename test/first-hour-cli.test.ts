/**
 * The first hour of a new user, command by command: stdin hex, stray KEY variables, option typos, errors in a
 * terminal and in a pipe, the profiles table and the read help. Each case was a measured failure before.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliCommand, cleanEnv, jsonLines, runToEnd, tempDir } from './first-hour-support.js';
import { requireService, hasCommand } from './support/services.js';
import { SUPPORTED_OUTPUTS } from '../src/sinks/open-sink.js';
import { SUPPORTED_SOURCES } from '../src/adapters/sources/open-source.js';
import { listProfiles } from '../src/core/profiles/builtin.js';
import { profilesTable } from '../src/cli/profiles-command.js';
import { attributeKeys, keyOptions } from '../src/cli/key-options.js';
import { createHexStream, startsAsHex } from '../src/adapters/sources/hex-stream.js';

const tmp = tempDir('first-hour-cli');
const smarty = join(tmp.dir, 'smarty.bin');
const dsmr = join(tmp.dir, 'dsmr.txt');
const DEMO = ['--key', 'METERWIREDEMOKEY', '--auth-key', 'METERWIREDEMOGAK'];

before(async () => {
  for (const [profile, file] of [['lu-smarty', smarty], ['nl-dsmr5', dsmr]]) {
    const r = await runToEnd(['simulate', '--profile', profile, '--count', '2', `file:${file}`]);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(() => tmp.remove());

test('read - takes hex text on stdin, as decode - and file: do', async () => {
  const hex = readFileSync(smarty).toString('hex').replace(/(.{64})/g, '$1\n');
  const r = await runToEnd(['read', '-', ...DEMO, '--state-dir', join(tmp.dir, 'state-hex')], { input: hex });
  const messages = jsonLines(r.stdout).filter((l) => !('error' in l));
  assert.equal(messages.length, 2, r.stdout + r.stderr);
  assert.equal(r.code, 0);
  const binary = await runToEnd(['read', '-', ...DEMO, '--state-dir', join(tmp.dir, 'state-bin')], { input: readFileSync(smarty) });
  assert.equal(jsonLines(binary.stdout).filter((l) => !('error' in l)).length, 2, 'binary stdin still works');
});

test('read - that yields no message says so instead of exiting silently', async () => {
  const r = await runToEnd(['read', '-', '--state-dir', join(tmp.dir, 'state-junk')], { input: 'hello world, no meter here\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ended without a message: \d+ B received but no frame/);
});

test('an unrelated KEY in the environment does not break a plaintext meter', async () => {
  const r = await runToEnd(['read', `file:${dsmr}`, '--state-dir', join(tmp.dir, 'state-key')], { env: { KEY: 'hello' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(jsonLines(r.stdout).filter((l) => !('error' in l)).length, 2);
  assert.doesNotMatch(r.stdout + r.stderr, /BAD_KEY|--key/);
});

test('a malformed METERWIRE_KEY is reported under its own name, never as --key', async () => {
  const r = await runToEnd(['decode', dsmr], { env: { METERWIRE_KEY: 'hello' } });
  assert.equal(r.code, 1);
  const [line] = jsonLines(r.stdout) as { error: { code: string; message: string } }[];
  assert.equal(line.error.code, 'BAD_KEY');
  assert.match(line.error.message, /from METERWIRE_KEY/);
  assert.doesNotMatch(line.error.message, /--key/);
});

test('a well-formed but wrong KEY is named as the key that was tried', async () => {
  const r = await runToEnd(['decode', smarty], { env: { KEY: '00112233445566778899AABBCCDDEEFF' } });
  const errors = jsonLines(r.stdout).map((l) => (l.error as { message: string }).message);
  assert.ok(errors.length > 0, r.stdout);
  for (const m of errors) {
    assert.match(m, /from KEY/);
    assert.doesNotMatch(m, /\(--key\)/);
  }
});

test('key precedence: flag, METERWIRE_KEY, config file, then KEY/AAD only when well-formed', () => {
  const saved = { ...process.env };
  try {
    process.env.KEY = 'not a key';
    process.env.AAD = '3000112233445566778899AABBCCDDEEFF';
    assert.deepEqual(keyOptions({}), { authKey: '00112233445566778899AABBCCDDEEFF', authKeyFrom: 'AAD' });
    assert.equal(keyOptions({}, { key: 'METERWIREDEMOKEY' }, 'm.yaml').keyFrom, 'key in m.yaml');
    process.env.KEY = 'METERWIREDEMOKEY';
    assert.equal(keyOptions({}).keyFrom, 'KEY');
    assert.equal(keyOptions({}, { key: '36C66639E48A8CA4D6BC8B282A793BBB' }).keyFrom, 'key in the config file');
    process.env.METERWIRE_KEY = '36C66639E48A8CA4D6BC8B282A793BBB';
    assert.equal(keyOptions({}).keyFrom, 'METERWIRE_KEY');
    assert.equal(keyOptions({ key: 'METERWIREDEMOKEY' }).keyFrom, '--key');
    assert.throws(() => keyOptions({ key: 'short' }), /GUEK \(--key\) is malformed/);
    assert.equal(attributeKeys('the GUEK (--key) is likely wrong', { keyFrom: 'KEY' }), 'the GUEK (from KEY) is likely wrong');
  } finally {
    process.env = saved;
  }
});

test('a non-numeric --count, --interval or --frames is a BAD_CONFIG error naming the option', async () => {
  for (const args of [['read', '--count', 'abc'], ['simulate', '--profile', 'nl-dsmr5', '--count', 'abc', '-'],
    ['simulate', '--profile', 'nl-dsmr5', '--interval', '1s', '-'], ['diagnose', dsmr, '--frames', 'x']]) {
    const r = await runToEnd(args, { cwd: tmp.dir });
    assert.equal(r.code, 1, args.join(' '));
    const [line] = jsonLines(r.stdout) as { error: { code: string; message: string } }[];
    assert.equal(line?.error.code, 'BAD_CONFIG', `${args.join(' ')}: ${r.stdout}`);
    const option = args[args.findIndex((a) => /^(abc|1s|x)$/.test(a)) - 1];
    assert.ok(line.error.message.includes(option), `${line.error.message} names ${option}`);
  }
});

test('a fatal error is one JSON line when piped and readable text in a terminal', async (t) => {
  const piped = await runToEnd(['read', 'bogus://x']);
  assert.equal(piped.code, 1);
  assert.equal(piped.stdout.trim().split('\n').length, 1);
  const [line] = jsonLines(piped.stdout) as { error: { code: string; message: string } }[];
  assert.equal(line.error.code, 'BAD_URL');
  assert.match(line.error.message, /\n {2}tcp:\/\//, 'the JSON keeps the list as \\n escapes');

  const skip = await requireService('script (util-linux)', () => hasCommand('script'), 'apt-get install util-linux');
  if (skip) return t.skip(skip);
  // script(1) runs the command on a pseudo-terminal: stdout and stderr are a TTY, as for a user at a shell.
  const quoted = cliCommand(['read', 'bogus://x']).map((a) => `'${a}'`).join(' ');
  const run = spawnSync('script', ['-qec', quoted, '/dev/null'], { env: cleanEnv(), encoding: 'utf8' });
  assert.equal(run.status, 1, 'script passes the exit code on');
  const tty = run.stdout;
  assert.match(tty, /^meterwire: BAD_URL: unsupported source bogus:\/\/x; use one of:\r?\n {2}serial:/m);
  assert.doesNotMatch(tty, /\{"error"|\\n/);
});

test('meterwire profiles fits 100 columns; --wide adds the operators; --json has everything', async () => {
  const r = await runToEnd(['profiles']);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.every((l) => l.length <= 100), `longest: ${Math.max(...lines.map((l) => l.length))}`);
  const profiles = listProfiles();
  for (const p of profiles) assert.ok(lines.some((l) => l.startsWith(`${p.id} `)), p.id);
  const narrow = profilesTable(profiles, {}, 80).trimEnd().split('\n');
  assert.ok(narrow.every((l) => l.length <= 80), 'an 80-column terminal');
  const wide = await runToEnd(['profiles', '--wide']);
  assert.ok(profiles.every((p) => wide.stdout.includes(p.operator)), 'operators in --wide');
  const json = JSON.parse((await runToEnd(['profiles', '--json'])).stdout) as { id: string }[];
  assert.deepEqual(json.map((p) => p.id), profiles.map((p) => p.id));
});

test('read --help lists the source and output URL kinds and the main flags', async () => {
  const r = await runToEnd(['read', '--help']);
  assert.equal(r.code, 0);
  const schemes = (list: readonly string[]) => list.map((s) => /^([a-z+-]+:(\/\/)?|-)/.exec(s)![1]);
  for (const s of [...schemes(SUPPORTED_OUTPUTS), ...schemes(SUPPORTED_SOURCES), 'postgres://', 'mysql://', '-'])
    assert.ok(r.stdout.includes(s), `help names ${s}`);
  for (const flag of ['--output', '--key', '--profile', '--count', '--stats', '--config', '--pretty'])
    assert.ok(r.stdout.includes(flag), flag);
});

test('--count n prints exactly n messages, even when one chunk holds more', async () => {
  const r = await runToEnd(['read', `file:${dsmr}`, '--count', '1', '--state-dir', join(tmp.dir, 'state-count')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonLines(r.stdout).length, 1, r.stdout);
});

test('hex on stdin: a byte split across chunks is joined; a stray character ends the source with a reason', () => {
  const hex = createHexStream();
  assert.deepEqual([...hex.push(Buffer.from('7e a')), ...hex.push(Buffer.from('0:1\n')), ...hex.push(Buffer.from('2'))], [0x7e, 0xa0, 0x12]);
  assert.equal(hex.pending, false);
  assert.throws(() => createHexStream().push(Buffer.from('7ea0zz')), /byte 4 is "z", not a hex digit/);
  assert.equal(startsAsHex(Buffer.from('  \n')), undefined, 'undecided on whitespace');
  assert.equal(startsAsHex(Buffer.from('/ISK5\\2M550T')), false, 'a DSMR telegram is bytes');
  assert.equal(startsAsHex(Uint8Array.of(0x68, 0xfa, 0xfa, 0x68)), false, 'binary M-Bus is bytes');
});

test('simulate keeps its demo keys when KEY/AAD in the environment belong to some other program', async () => {
  const file = join(tmp.dir, 'sim-key.bin');
  const sim = await runToEnd(['simulate', '--profile', 'lu-smarty', '--count', '1', `file:${file}`],
    { env: { KEY: '00112233445566778899AABBCCDDEEFF', AAD: '3000112233445566778899AABBCCDDEEFF' } });
  assert.equal(sim.code, 0, sim.stderr);
  assert.match(sim.stderr, /the demo key METERWIREDEMOKEY/);
  const r = await runToEnd(['decode', ...DEMO, file]);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(jsonLines(r.stdout).filter((l) => !('error' in l)).length, 1);
});
