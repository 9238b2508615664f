/**
 * README drift is a test failure: every example marked `<!-- test -->` runs as written against the simulator,
 * with `meterwire` on PATH as a shim for the CLI from source, in a fresh working directory, MQTT examples against
 * the real broker on 127.0.0.1:1883. So that runs never collide with anything else on the machine, `/tmp/` paths
 * become the working directory and 127.0.0.1 ports (except the broker's) become free ones. A command ending in
 * `&` runs in the background until the end of its block; a foreground command that keeps running (a reader,
 * mosquitto_sub) is stopped once it has printed output and what the README shows for it (`#   → …`). A command
 * that ends must exit 0 unless the README shows its output; a stopped one must have printed something, and no
 * `{"error"` line unless the README shows one.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { ROOT } from './support/cli.js';
import { canConnectTcp, freePort, hasCommand, requireService } from './support/services.js';
import { waitFor } from './support/pty.js';
import { cleanEnv, MAIN, TSX, tempDir } from './first-hour-support.js';
import { readmeBlocks, showsExpected, stripComment, type ReadmeCommand } from './readme-support.js';
import { loadConfigFile } from '../src/cli/config-file.js';
import { getProfile } from '../src/core/profiles/builtin.js';
import { recipeFor } from '../src/sim/profile-frames.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = readmeBlocks(README);
const tmp = tempDir('readme');
const cwd = join(tmp.dir, 'work');
const bin = join(tmp.dir, 'bin');
mkdirSync(cwd);
mkdirSync(bin);
writeFileSync(join(bin, 'meterwire'), `#!/bin/sh\nexec "${process.execPath}" --import "file://${TSX}" "${MAIN}" "$@"\n`);
chmodSync(join(bin, 'meterwire'), 0o755);
const env = cleanEnv({ PATH: `${bin}:${process.env.PATH}` });

const ports = new Map<string, number>();

/** The command as it runs here: /tmp/ → the working directory, 127.0.0.1 ports → free ports (the same each time). */
async function localize(command: string): Promise<string> {
  let out = command.replaceAll('/tmp/', `${cwd}/`);
  for (const m of command.matchAll(/127\.0\.0\.1:(\d+)/g)) {
    if (m[1] === '1883') continue;
    if (!ports.has(m[1])) ports.set(m[1], await freePort());
  }
  out = out.replace(/127\.0\.0\.1:(\d+)/g, (all, p: string) => (ports.has(p) ? `127.0.0.1:${ports.get(p)}` : all));
  return out;
}

interface Running { cmd: ReadmeCommand; child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }

function start(cmd: ReadmeCommand, command: string): Running {
  // A process group per command, so stopping it stops the shell's children too (socat, the CLI under the shim).
  const child = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { cmd, child, out: () => out, err: () => err, exited };
}

async function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  try { process.kill(-r.child.pid!, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(-r.child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 8000);
  await r.exited;
  clearTimeout(t);
}

const where = (c: ReadmeCommand) => `README line ${c.line}: ${c.command}`;

/** Runs one foreground command until it ends, or until it has shown its output; checks what it printed. */
async function runForeground(cmd: ReadmeCommand): Promise<void> {
  const r = start(cmd, await localize(cmd.command));
  let code: number | null | undefined;
  void r.exited.then((c) => { code = c; });
  const shown = () => r.out().trim().length > 0 && (!cmd.expect || showsExpected(r.out() + r.err(), cmd.expect));
  try {
    await waitFor(() => code !== undefined || shown(), `${where(cmd)} to print its output`, 1600, 25);
  } catch (e) {
    await stop(r);
    throw new Error(`${(e as Error).message}\nstdout: ${r.out().slice(-1500)}\nstderr: ${r.err().slice(-1500)}`);
  }
  // A command that ends by itself does so right after its output; one that keeps running is stopped (its exit
  // code then says nothing). The grace only decides which of the two it is, never whether the test passes.
  await waitFor(() => code !== undefined, 'exit', 40, 25).catch(() => undefined);
  const ended = code;
  await stop(r);
  const context = `${where(cmd)}\nstdout: ${r.out().slice(-1500)}\nstderr: ${r.err().slice(-1500)}`;
  // With an expected output the README says what happens (diagnose on a missing port exits 1); without, success.
  if (ended !== undefined && !cmd.expect) assert.equal(ended, 0, `exit code; ${context}`);
  if (ended === undefined) assert.ok(r.out().trim().length > 0, `stopped without output; ${context}`);
  if (cmd.expect) assert.ok(showsExpected(r.out() + r.err(), cmd.expect), `expected "${cmd.expect}"; ${context}`);
  else assert.doesNotMatch(r.out(), /^\{"error"/m, `an error where the README shows none; ${context}`);
}

/** A background command is ready once socat's links exist, or once it has said something. */
async function startBackground(cmd: ReadmeCommand): Promise<Running> {
  const command = await localize(cmd.command);
  const r = start(cmd, command);
  const links = [...command.matchAll(/link=([^,\s]+)/g)].map((m) => m[1]);
  const ready = () => (links.length ? links.every((l) => existsSync(l)) : (r.out() + r.err()).length > 0);
  await waitFor(() => ready() || r.child.exitCode !== null, `${where(cmd)} to start`, 800, 25);
  assert.equal(r.child.exitCode, null, `background command ended early; ${where(cmd)}\n${r.out()}${r.err()}`);
  return r;
}

/**
 * Retained topics the examples' readers left on the broker: their meters' state, values and discovery, and the
 * readers' own availability topics (`meterwire/_reader-<id>`: their ids live in the examples' state dirs).
 */
async function clearRetained(meterIds: string[]): Promise<void> {
  meterIds = [...meterIds, 'meterwire/_reader-'];
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { reconnectPeriod: 0 });
  const topics = new Set<string>();
  client.on('message', (topic, _p, packet) => {
    if (packet.retain && meterIds.some((id) => topic.toLowerCase().includes(id.toLowerCase()))) topics.add(topic);
  });
  await client.subscribeAsync(['meterwire/#', 'homeassistant/#']);
  await new Promise((r) => setTimeout(r, 500));
  for (const t of topics) await client.publishAsync(t, '', { retain: true, qos: 1 });
  await client.endAsync();
}

after(async () => {
  if (await canConnectTcp('127.0.0.1', 1883)) await clearRetained(['lu-smarty', 'at-evn-kaifa-ma309', 'nl-dsmr5', 'at-evn-sagemcom-t210d'].map((p) => recipeFor(p).meterNumber));
  tmp.remove();
});

test('the README marks its runnable examples', () => {
  const shell = blocks.filter((b) => b.kind === 'shell');
  assert.ok(shell.length >= 3, `marked shell blocks: ${shell.length}`);
  assert.ok(blocks.some((b) => b.kind === 'file' && b.name === 'meterwire.yaml'), 'the config sample is marked as a file');
  assert.match(README, /<!-- test -->/, 'the development section documents the marker');
});

test('the README\'s config sample is a file the reader loads', () => {
  const sample = blocks.find((b) => b.kind === 'file' && b.name === 'meterwire.yaml');
  assert.ok(sample && sample.kind === 'file');
  const path = join(tmp.dir, 'meterwire.yaml');
  writeFileSync(path, sample.text);
  const config = loadConfigFile(path);
  assert.ok(config.source && config.key && config.outputs?.length, JSON.stringify(config));
  assert.ok(getProfile(config.profile!), `profile ${config.profile} exists`);
});

test('the README\'s examples run as written', { timeout: 600_000 }, async (t) => {
  for (const [tool, hint] of [['socat', 'apt-get install socat'], ['mosquitto_sub', 'apt-get install mosquitto-clients'], ['xxd', 'apt-get install xxd']]) {
    const skip = await requireService(tool, () => hasCommand(tool), hint);
    if (skip) return t.skip(skip);
  }
  const broker = await requireService('Mosquitto on 127.0.0.1:1883', () => canConnectTcp('127.0.0.1', 1883), 'apt-get install mosquitto');
  if (broker) return t.skip(broker);
  for (const block of blocks) {
    if (block.kind === 'file') { writeFileSync(join(cwd, block.name), block.text); continue; }
    await t.test(`README block at line ${block.line}`, async () => {
      const background: Running[] = [];
      try {
        for (const cmd of block.commands) {
          if (cmd.background) background.push(await startBackground(cmd));
          else await runForeground(cmd);
        }
      } finally {
        for (const b of background.reverse()) await stop(b);
      }
    });
  }
});

test('comments are told from commands, even with # inside quotes', () => {
  assert.equal(stripComment("mosquitto_sub -t 'homeassistant/#' -v    # the entities"), "mosquitto_sub -t 'homeassistant/#' -v");
  assert.equal(stripComment('meterwire read a#b'), 'meterwire read a#b');
  assert.ok(showsExpected('{"error":{"code":"WRONG_KEY","layer":"security","message":"x"}}', '{"error":{"code":"WRONG_KEY",…"message":…}}'));
  assert.ok(!showsExpected('{"code":"AUTH_FAILED"}', '{"code":"WRONG_KEY"…'));
});
