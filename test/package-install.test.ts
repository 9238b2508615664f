/**
 * meterwire as users get it: `npm pack` of this checkout (prepare builds dist), `npm install -g --prefix <tmp>` of
 * the tarball, then the installed `meterwire` run from a directory outside the repository — help, decode, the
 * systemd unit, a SIGTERM stop, and outputs whose optional driver was removed. Then `npm start` in the checkout
 * (with the dist just built): npm passes SIGTERM on, and the reader flushes; npm dies of SIGHUP, and the reader
 * stops instead of running on as an orphan. The install compiles better-sqlite3 and may fetch package metadata
 * from the registry (--prefer-offline uses the npm cache where it can): about 1.5 to 3 minutes on two cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/cli.js';
import { READER_NODE_FLAGS } from '../src/cli/reader-node-flags.js';
import { hasCommand, requireService } from './support/services.js';
import { tempDir, waitFor } from './fanout-support.js';
import { alive, assertFlushed, mqttWitness, start, startBroker, type Proc } from './service-support.js';

const skipBroker = await requireService('the mosquitto binary', () => hasCommand('mosquitto'),
  'install mosquitto (apt-get install mosquitto): the stop tests count what reached the broker');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const tmp = tempDir();
const prefix = join(tmp.dir, 'prefix');
const outside = join(tmp.dir, 'elsewhere');
mkdirSync(outside);
const installed = join(prefix, 'lib', 'node_modules', 'meterwire');
const bin = join(prefix, 'bin', 'meterwire');
// Not "started by npm" (npm test sets npm_lifecycle_event): those runs are the installed CLI on its own.
const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, npm_lifecycle_event: '' };
const run = (args: string[], input?: string) => spawnSync(bin, args, { cwd: outside, env, encoding: 'utf8', input, timeout: 60_000 });
let packedFiles: string[] = [];
let installOk = false;

test.after(() => tmp.remove());

/** Every file under a directory, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, base) : [p.slice(base.length + 1)];
  });
}

test('npm pack: dist, LICENSE, README.md, packaging/ — and no tests, sources, data, maps or secrets', { timeout: 300_000 }, () => {
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', tmp.dir], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  assert.equal(info.filename, `meterwire-${VERSION}.tgz`);
  packedFiles = info.files.map((f) => f.path);
  for (const must of ['package.json', 'LICENSE', 'README.md', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts',
    'dist/core/index.js', 'dist/cli/service-command.js', 'packaging/meterwire.service']) {
    assert.ok(packedFiles.includes(must), `${must} is in the package`);
  }
  for (const f of packedFiles) {
    assert.match(f, /^(dist\/|packaging\/|LICENSE$|README\.md$|package\.json$)/, `${f}: only dist, packaging and the docs are published`);
    assert.doesNotMatch(f, /\.test\.|^(test|src|data|bench|scripts|docs)\/|(^|\/)(node_modules|\.meterwire|fixtures)\/|\.map$|\.db$/, `${f} does not belong in the package`);
    assert.doesNotMatch(f, /(^|\/)\.env|\.pem$|\.key$|\.npmrc$|frame-counters|id_rsa/i, `${f} looks like a secret`);
  }
  // The contents too: no private key material (the demo keys are public by design).
  const unpacked = join(tmp.dir, 'unpacked');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', join(tmp.dir, info.filename), '-C', unpacked], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  const files = walk(join(unpacked, 'package'));
  assert.deepEqual(files.sort(), [...packedFiles].sort());
  for (const f of files) assert.doesNotMatch(readFileSync(join(unpacked, 'package', f), 'utf8'), /-----BEGIN [A-Z ]*PRIVATE KEY-----/, f);
  // dist is rebuilt from scratch (prebuild): no file left over from a source that is gone.
  for (const f of packedFiles.filter((p) => p.startsWith('dist/') && p.endsWith('.js'))) {
    // Compiled from src/…/x.ts, or one of the dashboard page's plain modules, copied as they are.
    const rel = f.slice('dist/'.length);
    assert.ok(existsSync(join(ROOT, 'src', rel.replace(/\.js$/, '.ts'))) || existsSync(join(ROOT, 'src', rel)), `${f} has its source`);
  }
  assert.match(readFileSync(join(unpacked, 'package', 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} the meterwire contributors\n/);
});

test('npm install -g of the tarball; `meterwire` works outside the repository', { timeout: 900_000 }, (t) => {
  assert.ok(packedFiles.length > 0, 'the pack test ran');
  const began = Date.now();
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
    join(tmp.dir, `meterwire-${VERSION}.tgz`)], { cwd: outside, encoding: 'utf8', timeout: 850_000, env: { ...process.env, JOBS: 'max' } }); // JOBS: node-gyp compiles on every core
  t.diagnostic(`npm install -g took ${Math.round((Date.now() - began) / 1000)} s`);
  assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
  assert.ok(existsSync(bin), 'the bin link is there');
  installOk = true;

  const help = run(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: meterwire/);
  for (const cmd of ['read', 'decode', 'simulate', 'diagnose', 'service', 'export', 'counters']) assert.match(help.stdout, new RegExp(`\\n  ${cmd}\\b`));
  assert.equal(run(['--version']).stdout.trim(), VERSION);

  // A DSMR 5 telegram, written by the installed simulator, decoded from a file and from stdin.
  const sim = run(['simulate', '--profile', 'nl-dsmr5', '--count', '1', '--interval', '1', 'file:telegram.txt']);
  assert.equal(sim.status, 0, sim.stderr);
  const telegram = readFileSync(join(outside, 'telegram.txt'), 'utf8');
  assert.match(telegram, /^\/.+\r\n\r\n[\s\S]*1-0:1\.8\.1\([\d.]+\*kWh\)[\s\S]*\r\n![0-9A-F]{4}\r\n$/);
  for (const args of [['decode', 'telegram.txt'], ['decode', '-']]) {
    const r = run(args, args[1] === '-' ? telegram : undefined);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const msg = JSON.parse(r.stdout.trim().split('\n')[0]) as { format: string; security: { checksum: string }; readings: { id: string; unit?: string }[] };
    assert.equal(msg.format, 'dsmr');
    assert.equal(msg.security.checksum, 'verified');
    assert.ok(msg.readings.some((x) => x.id === 'energy_import_t1' && x.unit === 'kWh'), JSON.stringify(msg.readings.map((x) => x.id)));
  }

  // The unit names the installed node, the reader's node flags and main.js.
  const unit = run(['service', 'print']);
  assert.equal(unit.status, 0, unit.stderr);
  const execStart = [realpathSync(process.execPath), ...READER_NODE_FLAGS, realpathSync(join(installed, 'dist/cli/main.js')), 'read', '--config', '/etc/meterwire/meterwire.yaml'].join(' ');
  assert.ok(unit.stdout.split('\n').some((line) => line.startsWith(`ExecStart=${execStart} `)), unit.stdout);
  if (hasCommand('systemd-analyze')) {
    const file = join(tmp.dir, 'meterwire.service');
    writeFileSync(file, unit.stdout);
    const v = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.doesNotMatch(v.stderr, /meterwire\.service/, v.stderr);
  }
});

test('the installed reader as a service runs it: SIGTERM drains the MQTT output and exits 0', { skip: skipBroker, timeout: 60_000 }, async (t) => {
  assert.ok(installOk, 'the install test ran');
  const broker = await startBroker(tmp.dir);
  const witness = await mqttWitness(broker.url);
  const reader = start(bin, ['read', 'sim:nl-dsmr5?interval=20', '--output', '-', '--output', witness.url, '--state-dir', join(outside, 'state')], { cwd: outside, env });
  t.after(async () => { reader.kill(); await broker.stop(); await witness.recorder.client.endAsync(true); });
  await reader.waitFor('10 messages', () => reader.messages().length >= 10);
  reader.child.kill('SIGTERM');
  assert.deepEqual(await reader.exited, { code: 0, signal: null });
  await assertFlushed(reader.messages().length, witness, assert.equal);
});

test('installed without pg, mysql2 and mongodb: their outputs are one BAD_CONFIG line naming the package; the rest works', { timeout: 120_000 }, () => {
  assert.ok(installOk, 'the install test ran');
  // What `npm install -g --omit=optional` (or a failed optional install) leaves.
  for (const pkg of ['pg', 'mysql2', 'mongodb']) {
    const dir = join(installed, 'node_modules', pkg);
    assert.ok(existsSync(dir), `${pkg} was installed as an optional dependency`);
    rmSync(dir, { recursive: true, force: true });
  }
  const cases: [string, string, string][] = [
    ['postgres://meter:s3cretpw@127.0.0.1/test', 'PostgreSQL', 'pg'],
    ['mysql://root:s3cretpw@127.0.0.1/test', 'MySQL/MariaDB', 'mysql2'],
    ['mongodb://meter:s3cretpw@127.0.0.1:27017/meterwire', 'MongoDB', 'mongodb'],
  ];
  for (const [url, label, pkg] of cases) {
    const r = run(['read', 'sim:nl-dsmr5?interval=10', '--count', '1', '--state-dir', 'state', '--output', url]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const { error } = JSON.parse(lines[0]) as { error: { code: string; message: string } };
    assert.equal(error.code, 'BAD_CONFIG');
    assert.ok(error.message.includes(`the ${label} driver is not installed: npm install ${pkg}`), error.message);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cretpw/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at |ERR_MODULE_NOT_FOUND/, 'no stack trace, no raw import error');
  }
  const exp = run(['export', '--db', 'postgres://127.0.0.1/test', '--reading', 'energy_import']);
  assert.equal(exp.status, 1);
  assert.match(exp.stderr, /the PostgreSQL driver is not installed: npm install pg/);
  assert.doesNotMatch(exp.stderr, /\n\s+at |ERR_MODULE_NOT_FOUND/);

  const ok = run(['read', 'sim:nl-dsmr5?interval=10', '--count', '2', '--state-dir', 'state', '--output', '-', '--output', 'sqlite:./state/h.db']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim().split('\n').filter((l) => l.includes('"readings"')).length, 2);
});

/** The reader npm runs (`exec node …`: npm's only child). */
function childOf(pid: number): number {
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  assert.equal(kids.length, 1, `npm has one child, the reader: ${kids.join(' ')}`);
  return kids[0];
}

async function npmStart(t: { after(fn: () => unknown): void }, stateDir: string, detached = false): Promise<{ npm: Proc; reader: number; witness: Awaited<ReturnType<typeof mqttWitness>> }> {
  const broker = await startBroker(tmp.dir);
  const witness = await mqttWitness(broker.url);
  const npm = start('npm', ['start', '--', 'sim:nl-dsmr5?interval=20', '--output', '-', '--output', witness.url, '--state-dir', stateDir],
    { cwd: ROOT, env: { ...process.env, npm_lifecycle_event: '' }, detached });
  t.after(async () => { npm.kill(); await broker.stop(); await witness.recorder.client.endAsync(true); });
  await npm.waitFor('10 messages', () => npm.messages().length >= 10);
  const reader = childOf(npm.child.pid as number);
  t.after(() => { if (alive(reader)) process.kill(reader, 'SIGKILL'); });
  return { npm, reader, witness };
}

test('npm start: SIGTERM to npm reaches the reader, which drains its outputs; npm exits 0', { skip: skipBroker, timeout: 60_000 }, async (t) => {
  assert.ok(packedFiles.length > 0, 'the pack test built dist');
  const { npm, reader, witness } = await npmStart(t, join(tmp.dir, 'npm-term'));
  npm.child.kill('SIGTERM');
  assert.deepEqual(await npm.exited, { code: 0, signal: null });
  assert.equal(alive(reader), false, 'the reader is gone with npm');
  assert.match(npm.stderr(), /SIGTERM: stopping \(flushing the outputs\)/);
  await assertFlushed(npm.messages().length, witness, assert.equal);
});

test('npm start: npm dies of SIGHUP (it passes only SIGINT and SIGTERM on); the reader notices, flushes and stops', { skip: skipBroker, timeout: 60_000 }, async (t) => {
  assert.ok(packedFiles.length > 0, 'the pack test built dist');
  const { npm, reader, witness } = await npmStart(t, join(tmp.dir, 'npm-hup'));
  npm.child.kill('SIGHUP');
  assert.equal((await npm.exited).signal, 'SIGHUP');
  await waitFor('the orphaned reader to stop', () => !alive(reader), 15_000);
  await npm.waitFor('the stop to be logged', () => npm.stderr().includes('npm, which started the reader, has gone'));
  await assertFlushed(npm.messages().length, witness, assert.equal);
});

test('npm start: Ctrl-C in a terminal (SIGINT to npm and the reader, and npm passes it on once more) is one clean stop', { skip: skipBroker, timeout: 60_000 }, async (t) => {
  assert.ok(packedFiles.length > 0, 'the pack test built dist');
  // A process group of its own, as a terminal's foreground job: the signal goes to npm and the reader alike.
  const { npm, reader, witness } = await npmStart(t, join(tmp.dir, 'npm-int'), true);
  process.kill(-(npm.child.pid as number), 'SIGINT');
  const exit = await npm.exited;
  await waitFor('the reader to stop', () => !alive(reader), 15_000);
  assert.match(npm.stderr(), /SIGINT: stopping \(flushing the outputs\)/);
  assert.deepEqual(exit, { code: 0, signal: null }, 'the reader exited 0, so npm did');
  await assertFlushed(npm.messages().length, witness, assert.equal);
});
