/**
 * Random secrets against real connections that fail: MQTT and PostgreSQL on a closed port, PostgreSQL with a
 * database that does not exist, MariaDB with a wrong password (MongoDB waits 10 s to fail: its names are covered
 * in redact-outputs.test.ts). Through the reader's
 * own outputs (fan-out, outbox, logger, Prometheus page), and through `meterwire read --print-config` as a
 * process. No log line, error, metric or outbox row may show a secret in any encoding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { createLogger } from '../src/app/logger.js';
import { startOutputs } from '../src/app/outputs.js';
import { message, waitFor } from './fanout-support.js';
import { canConnectTcp, requireService } from './support/services.js';
import { runCli } from './support/cli.js';
import { assertNoSecret, key, password } from './redact-support.js';

const pgSkip = await requireService('PostgreSQL on 127.0.0.1:5432', () => canConnectTcp('127.0.0.1', 5432), 'start PostgreSQL');
const mysqlSkip = await requireService('MariaDB on 127.0.0.1:3306', () => canConnectTcp('127.0.0.1', 3306), 'start MariaDB');
const health = () => ({ state: 'ok' as const, framesOk: 1, messages: 1, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 });

function failingOutputs(pw: string): string[] {
  const e = encodeURIComponent(pw);
  return [
    `mqtt://meter:${e}@127.0.0.1:1/mw`,
    `mqtt://127.0.0.1:1/mw2?password=${e}`,
    `postgres://u:${e}@127.0.0.1:1/db`,
    ...(pgSkip ? [] : [`postgres://postgres:${e}@127.0.0.1:5432/mw_no_such_db_${Math.random().toString(36).slice(2, 8)}`]),
    ...(mysqlSkip ? [] : [`mysql://root:${e}@127.0.0.1:3306/test`]),
    `mysql://root@127.0.0.1:1/test?password=${e}`,
  ];
}

function outboxText(path: string): string {
  if (!existsSync(path)) return '';
  const db = new Database(path, { readonly: true });
  try {
    return JSON.stringify(db.prepare('SELECT sink, payload FROM outbox').all());
  } finally {
    db.close();
  }
}

test('property: failed connections show no password in logs, the metrics page or the outbox (rules only, no known secrets)', { timeout: 180_000 }, async () => {
  await fc.assert(fc.asyncProperty(password({ noSpace: true }), async (pw) => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-redact-net-'));
    const lines: string[] = [];
    const log = createLogger('debug', 'json', { write: (l) => lines.push(l) });
    const urls = failingOutputs(pw);
    const outputs = startOutputs([...urls, 'prometheus://:0'], { log, stateDir: dir, health });
    try {
      outputs.publish(message(1));
      outputs.publish(message(2));
      await waitFor('every durable output to fail once',
        () => outputs.stats().filter((s) => s.failures > 0).length === urls.length, 20_000);
      const port = Number(/serving metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(lines.join(''))?.[1]);
      const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(page, /meterwire_output_failures_total\{output="mqtt-1"\}/);
      assertNoSecret(page, pw, 'metrics page');
    } finally {
      await outputs.close(1000);
    }
    const logText = lines.join('');
    assert.match(logText, /ECONNREFUSED/);
    if (!mysqlSkip) assert.match(logText, /Access denied/);
    assertNoSecret(logText, pw, 'log lines');
    assertNoSecret(outboxText(join(dir, 'outbox.db')), pw, 'outbox rows');
    rmSync(dir, { recursive: true, force: true });
  }), { numRuns: 4 });
});

test('property: meterwire read --print-config with secrets in keys, source and outputs: none in stderr, stdout, metrics or outbox', { timeout: 240_000 }, async () => {
  await fc.assert(fc.asyncProperty(key, key, password({ noSpace: true }), fc.boolean(), async (guek, gak, pw, raw) => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-redact-cli-'));
    // An empty user and a raw password were the forms --print-config printed as they were.
    const source = raw && !/[/?#%\\[\]]/.test(pw) ? `mqtt://:${pw}@127.0.0.1:1/p1` : `mqtt://:${encodeURIComponent(pw)}@127.0.0.1:1/p1`;
    const run = runCli(['read', source, '--print-config', '--key', guek, '--auth-key', gak, '--state-dir', dir,
      '--output', `mqtt://u:${encodeURIComponent(pw)}@127.0.0.1:1/x`, '--output', `postgres://u@127.0.0.1:1/db?password=${encodeURIComponent(pw)}`,
      '--output', 'prometheus://127.0.0.1:0']);
    let page = '';
    try {
      await run.waitForLog(/"source"/);
      await run.waitForLog(/disconnected/);
      await run.waitForLog(/serving metrics on http:\/\/127\.0\.0\.1:\d+/);
      const port = Number(/serving metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.stderr())?.[1]);
      page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } finally {
      await run.stop();
    }
    const shown = `${run.stderr()}\n${JSON.stringify(run.lines)}\n${page}\n${outboxText(join(dir, 'outbox.db'))}`;
    assert.match(run.stderr(), /"key": "\*\*\*redacted\*\*\*"/);
    for (const s of [guek, gak, pw]) assertNoSecret(shown, s, 'meterwire read');
    rmSync(dir, { recursive: true, force: true });
  }), { numRuns: 3 });
});
