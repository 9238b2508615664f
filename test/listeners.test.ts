/**
 * Every listener binds to loopback unless its URL names an address (issue 7: the DSMR proxy and the Prometheus
 * output listened on 0.0.0.0, without authentication). Each is started and its bound address read back: from the
 * server itself where it tells, else from its own report and from who can connect.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDsmrProxySink } from '../src/sinks/dsmr-proxy/index.js';
import { createPrometheusSink } from '../src/sinks/prometheus/index.js';
import { parseListenUrl } from '../src/sinks/server-url.js';
import { openSource } from '../src/adapters/sources/open-source.js';
import { openTarget } from '../src/adapters/targets/open-target.js';
import type { SinkContext } from '../src/sinks/types.js';
import { createRecorder } from './support/source-recorder.js';
import { runCli } from './support/cli.js';
import { freePort } from './support/services.js';

const quiet = (): void => {};
const ctx: SinkContext = {
  log: { info: quiet, warn: quiet, error: quiet },
  health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
  outputs: () => [],
  stateDir: '.',
};

/** A non-loopback IPv4 address of this machine, if it has one: a loopback-only listener must refuse it. */
const OTHER_ADDRESS = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}


test('listen URLs without a host mean 127.0.0.1, with the output\'s default port', () => {
  assert.deepEqual([parseListenUrl('dsmr-tcp://', 'dsmr-tcp', 2001).host, parseListenUrl('dsmr-tcp://', 'dsmr-tcp', 2001).port], ['127.0.0.1', 2001]);
  assert.deepEqual([parseListenUrl('prometheus://:9999', 'prometheus', 9464).host, parseListenUrl('prometheus://:9999', 'prometheus', 9464).port], ['127.0.0.1', 9999]);
  assert.equal(parseListenUrl('prometheus:///custom', 'prometheus', 9464).path, '/custom');
  assert.equal(parseListenUrl('dsmr-tcp://0.0.0.0:2001', 'dsmr-tcp', 2001).host, '0.0.0.0', 'an address given is used');
  assert.equal(parseListenUrl('dsmr-tcp://[::]:2001', 'dsmr-tcp', 2001).host, '::');
});

for (const [what, create] of [
  ['dsmr-tcp://', (u: string) => createDsmrProxySink(u.replace('SCHEME', 'dsmr-tcp'), ctx)],
  ['prometheus://', (u: string) => createPrometheusSink(u.replace('SCHEME', 'prometheus'), ctx)],
] as const) {
  test(`${what} without a host binds 127.0.0.1; with 0.0.0.0 it binds every interface`, async () => {
    const local = create('SCHEME://:0');
    await local.open();
    try {
      const a = local.address();
      assert.equal(a?.host, '127.0.0.1');
      assert.ok(await canConnect('127.0.0.1', a!.port));
      if (OTHER_ADDRESS) assert.equal(await canConnect(OTHER_ADDRESS, a!.port), false, `not reachable on ${OTHER_ADDRESS}`);
    } finally {
      await local.close();
    }
    const all = create('SCHEME://0.0.0.0:0');
    await all.open();
    try {
      assert.equal(all.address()?.host, '0.0.0.0');
    } finally {
      await all.close();
    }
  });
}

test('tcp-listen:// source without a host listens on 127.0.0.1 only', async () => {
  const port = await freePort();
  const src = openSource(`tcp-listen://:${port}`);
  const rec = createRecorder();
  src.start(rec);
  try {
    await rec.waitForState('connecting');
    assert.match(rec.states[0].detail ?? '', new RegExp(`waiting for gateways on 127\\.0\\.0\\.1:${port}$`));
    if (OTHER_ADDRESS) assert.equal(await canConnect(OTHER_ADDRESS, port), false);
    assert.ok(await canConnect('127.0.0.1', port));
    await rec.waitForState('connected');
  } finally {
    await src.stop();
  }
});

test('simulate tcp-listen:// target without a host listens on 127.0.0.1 only', async () => {
  const port = await freePort();
  const target = openTarget(`tcp-listen://:${port}`, quiet);
  try {
    assert.equal(target.description, `tcp-listen://127.0.0.1:${port}`);
    let up = false;
    for (let i = 0; i < 100 && !up; i++) up = await canConnect('127.0.0.1', port);
    assert.ok(up);
    if (OTHER_ADDRESS) assert.equal(await canConnect(OTHER_ADDRESS, port), false);
  } finally {
    await target.close();
  }
});

test('meterwire read: the DSMR proxy and the metrics server report a loopback address when none is given', { timeout: 60_000 }, async () => {
  const state = mkdtempSync(join(tmpdir(), 'mw-listen-'));
  const run = runCli(['read', 'sim:lu-smarty?interval=200', '--output', 'dsmr-tcp://:0', '--output', 'prometheus://:0', '--state-dir', state]);
  try {
    await run.waitForLog(/serving DSMR telegrams on \S+:\d+/);
    await run.waitForLog(/serving metrics on http:\/\/\S+:\d+/);
    const proxy = /serving DSMR telegrams on (\S+):(\d+)/.exec(run.stderr());
    const metrics = /serving metrics on http:\/\/(\S+):(\d+)/.exec(run.stderr());
    assert.equal(proxy?.[1], '127.0.0.1');
    assert.equal(metrics?.[1], '127.0.0.1');
    assert.ok(await canConnect('127.0.0.1', Number(proxy?.[2])));
  } finally {
    await run.stop();
    rmSync(state, { recursive: true, force: true });
  }
});
