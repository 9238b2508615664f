/**
 * `meterwire simulate --fleet` against the real Mosquitto on 127.0.0.1:1883: N×k messages arrive QoS 1 on the
 * meters' own topics (a unique prefix per run), each decodes with its own meter's keys from the meters file, and
 * rate mode publishes the asked total. Counts only, never timing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { decode } from '../src/index.js';
import { readMetersFile } from '../src/sim/fleet/meters-file.js';
import { isErrorMessage } from '../src/core/model/message.js';
import { canConnectTcp, requireService } from './support/services.js';
import { runCli } from './support/cli.js';

const skip = await requireService('Mosquitto', () => canConnectTcp('127.0.0.1', 1883), 'start mosquitto on 127.0.0.1:1883');
const dir = mkdtempSync(join(tmpdir(), 'fleet-sim-mqtt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const prefix = `meterwire-test-fleet-sim-${process.pid}-${Date.now()}`;

interface Received { topic: string; payload: Buffer }

/** Subscribes (QoS 1) before the run, collects until `n` messages arrived or `ms` passed. */
async function collect(filter: string): Promise<{ got: Received[]; until(n: number, ms: number): Promise<void>; end(): Promise<void> }> {
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clean: true });
  const got: Received[] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload }));
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    got,
    async until(n, ms) {
      const deadline = Date.now() + ms;
      while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
    end: () => client.endAsync(),
  };
}

async function simulate(args: string[]): Promise<{ code: number | null; result: Record<string, number>; stderr: string }> {
  const run = runCli(['simulate', ...args]);
  const guard = setTimeout(() => void run.stop(), 90_000);
  const code = await run.exited;
  clearTimeout(guard);
  const result = run.lines.find((l) => 'published' in l) as Record<string, number> | undefined;
  assert.ok(result, `no result line; stderr: ${run.stderr().slice(-800)}`);
  return { code, result, stderr: run.stderr() };
}

test('N meters × k messages arrive on their own topics and decode with their own keys', { skip }, async () => {
  const n = 39, k = 3;
  const file = join(dir, 'fleet.csv');
  const sub = await collect(`${prefix}/a/+/raw`);
  try {
    const r = await simulate(['--fleet', String(n), '--meters-file', file, '--seed', '11', '--rate', '300', '--count', String(n * k),
      `mqtt://127.0.0.1:1883/${prefix}/a/{id}/raw`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.published, n * k);
    assert.equal(r.result.acked, n * k, 'every publish acknowledged');
    await sub.until(n * k, 20_000);
    assert.equal(sub.got.length, n * k, 'messages received');
    const meters = readMetersFile(file);
    assert.equal(meters.length, n);
    const byTopic = new Map<string, Buffer[]>();
    for (const m of sub.got) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m.payload]);
    assert.deepEqual([...byTopic.keys()].sort(), meters.map((m) => `${prefix}/a/${m.topicId}/raw`).sort(), 'one topic per meter');
    for (const m of meters) {
      const payloads = byTopic.get(`${prefix}/a/${m.topicId}/raw`)!;
      assert.equal(payloads.length, k, `${m.topicId}: ${k} messages`);
      const out = decode(new Uint8Array(payloads[0]), { key: m.guek, authKey: m.gak, profile: m.profile });
      assert.ok(out.length === 1 && !isErrorMessage(out[0]), `${m.topicId} (${m.profile}): ${JSON.stringify(out[0])}`);
    }
  } finally {
    await sub.end();
  }
});

test('a rerun with the same N and seed reuses the meters file; --encoding hex sends hex text', { skip }, async () => {
  const file = join(dir, 'hex.csv');
  const args = (extra: string[]) => ['--fleet', '4', '--meters-file', file, '--seed', '12', '--profiles', 'at-evn-kaifa-ma309,lu-smarty',
    '--rate', '100', ...extra, `mqtt://127.0.0.1:1883/${prefix}/h/{id}/raw`];
  const first = await simulate(args(['--count', '4']));
  assert.equal(first.code, 0, first.stderr);
  const sub = await collect(`${prefix}/h/+/raw`);
  try {
    const again = await simulate(args(['--count', '4', '--encoding', 'hex']));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /reusing/);
    await sub.until(4, 20_000);
    assert.equal(sub.got.length, 4);
    const meters = readMetersFile(file);
    for (const msg of sub.got) {
      const text = msg.payload.toString('latin1');
      assert.match(text, /^[0-9a-f]+$/, 'hex text');
      const m = meters.find((x) => msg.topic === `${prefix}/h/${x.topicId}/raw`)!;
      const out = decode(new Uint8Array(Buffer.from(text, 'hex')), { key: m.guek, authKey: m.gak, profile: m.profile });
      assert.ok(out.length === 1 && !isErrorMessage(out[0]), JSON.stringify(out[0]));
    }
  } finally {
    await sub.end();
  }
  const other = runCli(['simulate', ...args(['--count', '1']).map((a) => (a === '12' ? '13' : a))]);
  assert.equal(await other.exited, 1, 'another seed is refused');
  assert.match(JSON.stringify(other.lines) + other.stderr(), /not made with --seed 13/);
});

test('rate mode publishes the asked total rate, never more, and every publish is acknowledged', { skip }, async () => {
  const file = join(dir, 'rate.csv');
  const sub = await collect(`${prefix}/r/+/raw`);
  try {
    const rate = 150;
    const r = await simulate(['--fleet', '50', '--meters-file', file, '--seed', '13', '--rate', String(rate), '--duration', '3',
      `mqtt://127.0.0.1:1883/${prefix}/r/{id}/raw`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.target, rate);
    // Counts against the run's own clock: the pacer never runs ahead of R × seconds (+1 for the first message),
    // and a loaded machine still reaches half of it.
    assert.ok(r.result.published <= rate * r.result.seconds + 1, `published ${r.result.published} in ${r.result.seconds} s`);
    assert.ok(r.result.published >= 0.5 * rate * r.result.seconds, `published ${r.result.published} in ${r.result.seconds} s`);
    assert.equal(r.result.acked, r.result.published);
    await sub.until(r.result.published, 20_000);
    assert.equal(sub.got.length, r.result.published, 'everything published arrived');
  } finally {
    await sub.end();
  }
});
