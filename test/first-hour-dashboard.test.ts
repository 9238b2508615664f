/**
 * The main job starts the dashboard (issue 9: "the README's first command also starts it on 127.0.0.1:8080 and
 * prints the URL"); `dashboard:` and `tariffs:` in the config file are validated like every other field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseOutputs } from '../src/cli/read-command.js';
import { loadConfigFile } from '../src/cli/config-file.js';
import { isMeterError } from '../src/core/errors.js';
import { runCli } from './support/cli.js';
import { DEFAULT_DASHBOARD } from '../src/sinks/open-sink.js';
import { freePort } from './support/services.js';

const DEFAULT = DEFAULT_DASHBOARD;

test('outputs: the built-in simulated meter gets stdout, its store and the dashboard; configured outputs keep theirs', () => {
  assert.equal(DEFAULT, 'web://127.0.0.1:8080?store=sqlite%3A.%2Fdata%2Fmeterwire.db', 'the dashboard charts the demo store');
  assert.deepEqual(chooseOutputs(undefined, true, undefined), ['-', 'sqlite:./data/meterwire.db', DEFAULT]);
  assert.deepEqual(chooseOutputs(undefined, true, false), ['-', 'sqlite:./data/meterwire.db'], '--no-dashboard');
  assert.deepEqual(chooseOutputs(['-'], true, undefined), ['-'], 'outputs given: no dashboard unless asked for');
  assert.deepEqual(chooseOutputs(undefined, false, undefined), ['-'], 'a real meter: stdout only');
  assert.deepEqual(chooseOutputs(['mqtt://b'], false, 'web://127.0.0.1:9000'), ['mqtt://b', 'web://127.0.0.1:9000']);
  assert.deepEqual(chooseOutputs(['web://127.0.0.1:9001'], false, 'web://127.0.0.1:9000'), ['web://127.0.0.1:9001'], 'one dashboard');
});

test('config file: dashboard is a web:// URL or false; tariffs are validated by the cost engine, naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-dash-config-'));
  try {
    const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
    const ok = loadConfigFile(file('ok.yaml', [
      'dashboard: web://127.0.0.1:8081',
      'tariffs:',
      '  currency: EUR',
      '  timeZone: Europe/Vienna',
      '  default: home',
      '  plans:',
      '    home:',
      '      import: { type: fixed, price: 0.25 }',
    ].join('\n')));
    assert.equal(ok.dashboard, 'web://127.0.0.1:8081');
    assert.equal(ok.tariffs?.currency, 'EUR');
    assert.equal(loadConfigFile(file('off.yaml', 'dashboard: false\n')).dashboard, false);
    assert.throws(() => loadConfigFile(file('bad-url.yaml', 'dashboard: http://x\n')),
      (e) => isMeterError(e) && e.code === 'BAD_CONFIG' && /dashboard/.test(e.message) && /web:\/\//.test(e.message));
    assert.throws(() => loadConfigFile(file('bad-tariff.yaml', 'tariffs:\n  currency: EUR\n  timeZone: Mars/Base\n  plans: {}\n')),
      (e) => isMeterError(e) && e.code === 'BAD_CONFIG' && /bad-tariff\.yaml/.test(e.message) && /timeZone/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


test('read with --dashboard serves the page and prints its URL; the meter shows up in its API', async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-dash-run-'));
  const run = runCli(['read', 'sim:nl-dsmr5?interval=200', '--output', '-', '--dashboard', `web://127.0.0.1:${port}`, '--state-dir', dir]);
  try {
    await run.waitForLog(`dashboard at http://127.0.0.1:${port}/`);
    await run.waitForMessages(2);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const meters = await (await fetch(`http://127.0.0.1:${port}/api/meters`)).json() as { meters: { id: string }[] };
    const id = (run.messages()[0].meter as { id: string }).id;
    assert.ok(meters.meters.some((m) => m.id === id), JSON.stringify(meters));
  } finally {
    assert.equal(await run.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('meterwire dashboard --store serves a store a reader wrote, without a reader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-dash-store-'));
  const store = `sqlite:${join(dir, 'm.db')}`;
  const reader = runCli(['read', 'sim:nl-dsmr5?interval=100', '--count', '3', '--output', '-', '--output', store, '--state-dir', dir]);
  assert.equal(await reader.exited, 0);
  const id = (reader.messages()[0].meter as { id: string }).id;
  const port = await freePort();
  const dash = runCli(['dashboard', '--store', store, '--listen', `web://127.0.0.1:${port}`]);
  try {
    await dash.waitForLog(`at http://127.0.0.1:${port}/`);
    const meters = await (await fetch(`http://127.0.0.1:${port}/api/meters`)).json() as { meters: { meter: string }[] };
    assert.ok(meters.meters.some((m) => m.meter === id), JSON.stringify(meters));
    const day = await fetch(`http://127.0.0.1:${port}/api/energy?meter=${id}&from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date().toISOString()}&bucket=hour`);
    assert.equal(day.status, 200, await day.clone().text());
    const bad = runCli(['dashboard', '--store', 'redis://x', '--listen', `web://127.0.0.1:${port}`]);
    assert.notEqual(await bad.exited, 0);
    assert.match(bad.stderr() + JSON.stringify(bad.lines), /BAD_URL|store/);
  } finally {
    assert.equal(await dash.stop(), 0);
    rmSync(dir, { recursive: true, force: true });
  }
});
