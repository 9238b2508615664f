/**
 * Random secrets (passwords of any printable characters, keys in hex and text form) through every output path
 * reachable here: `--print-config`, the logger (JSON and text), sink names, the errors of URLs a sink cannot
 * use, the outbox rows, the Prometheus page. None may show a secret in any encoding (redact-support.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { createRedactor, redactUrl } from '../src/redact/index.js';
import { formatPrintConfig } from '../src/cli/config.js';
import { createLogger } from '../src/app/logger.js';
import { openOutbox } from '../src/app/outbox.js';
import { openSink } from '../src/sinks/open-sink.js';
import { openSource } from '../src/adapters/sources/open-source.js';
import { createMeterMetrics, outputLabels } from '../src/sinks/prometheus/metrics.js';
import type { OutputStats, SinkContext } from '../src/sinks/types.js';
import { parseSqlUrl } from '../src/sinks/sql/db.js';
import { parseMongoUrl } from '../src/sinks/mongodb/documents.js';
import { message } from './fanout-support.js';
import { createSimulator } from '../src/sim/simulator.js';
import { exitWithin, runCli } from './support/cli.js';
import { assertNoSecret, key, password } from './redact-support.js';

const quiet = (): void => {};
const health = () => ({ state: 'ok' as const, framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 });
const ctx = (outputs: OutputStats[] = []): SinkContext => ({ log: { info: quiet, warn: quiet, error: quiet }, health, outputs: () => outputs, stateDir: tmpdir() });

/** Output URLs that carry `pw` the ways users write it: encoded, raw (where a URL can hold it), as an option. */
function outputUrls(pw: string): string[] {
  const e = encodeURIComponent(pw);
  const urls = [
    `mqtt://meter:${e}@127.0.0.1:1/home`, `mqtts://:${e}@broker.local/x`, `mqtt://broker.local/x?password=${e}&clientId=a`,
    `postgres://u:${e}@127.0.0.1:1/db?schema=mw`, `postgresql://u@127.0.0.1:1/db?password=${e}`, `mysql://root:${e}@127.0.0.1:1/test`,
    `mariadb://root@127.0.0.1:1/test?token=${e}`, `mongodb://meter:${e}@db1,db2/energy?collection=t`, `mongodb://db/x?authKey=${e}`,
  ];
  // Users paste passwords unencoded: where "@" and ":" are the only specials, the URL still parses that way.
  if (!/[/?#%\s\\[\]]/.test(pw)) urls.push(`mqtt://meter:${pw}@127.0.0.1:1/home`, `postgres://u:${pw}@127.0.0.1:1/db`);
  return urls;
}

test('property: --print-config shows no key and no password, also for URLs that leaked before', () => {
  fc.assert(fc.property(key, key, password(), fc.boolean(), (guek, gak, pw, raw) => {
    const source = raw ? `mqtt://:${pw}@broker/p1` : `mqtt://meter:${encodeURIComponent(pw)}@broker/p1?token=${encodeURIComponent(pw)}`;
    const cfg = { key: guek, authKey: gak, outputs: outputUrls(pw), stateDir: './data', logLevel: 'info' as const };
    const secrets = createRedactor([guek, gak]);
    secrets.addUrl(source, ...cfg.outputs);
    for (const [text, what] of [[formatPrintConfig(cfg, source, secrets), 'with the run\'s secrets'], [formatPrintConfig(cfg, source), 'by rule alone']]) {
      for (const s of [guek, gak]) assertNoSecret(text, s, `--print-config ${what}`);
      assertNoSecret(text, pw, `--print-config ${what}`);
    }
  }), { numRuns: 300 });
});

test('property: the logger never writes a secret (JSON and text lines, messages, objects, errors)', () => {
  fc.assert(fc.property(key, password(), fc.constantFrom('json', 'text') as fc.Arbitrary<'json' | 'text'>, (k, pw, format) => {
    const lines: string[] = [];
    const secrets = createRedactor([k]);
    const urls = outputUrls(pw);
    secrets.addUrl(...urls);
    const log = createLogger('debug', format, { redactor: secrets, write: (l) => lines.push(l) });
    for (const u of urls) log.warn(`output ${u}: down (connect ECONNREFUSED)`);
    log.info({ config: { key: k, authKey: k, source: urls[0] } }, 'configuration');
    log.error({ err: new Error(`cannot open ${urls[3]} with ${k}`) }, 'failed');
    log.info(`decrypting with ${k} (${Buffer.from(k).toString('base64')})`);
    assert.ok(lines.length >= urls.length + 3);
    const text = lines.join('');
    assert.equal(lines.filter((l) => l.includes(': down (connect ECONNREFUSED)')).length, urls.length, 'messages keep their text');
    assertNoSecret(text, k, `logger (${format})`);
    assertNoSecret(text, pw, `logger (${format})`);
  }), { numRuns: 200 });
});

test('property: sink names and the errors of unusable output URLs never hold the password', () => {
  fc.assert(fc.property(password(), (pw) => {
    for (const url of outputUrls(pw)) {
      const sink = openSink(url, ctx());
      assertNoSecret(sink.name, pw, `name of ${url}`);
    }
    const e = encodeURIComponent(pw);
    for (const url of [`dsmr-tcp://u:${e}@h:x`, `prometheus://u:${pw}@h:99999`, `postgres://u:${pw}@`, `mysql://u:${e}@h/db?schema=x`,
      `mqtt://u:${e}@/t`, `foo://u:${e}@x`, `mongodb://u:${e}@h/a.b`]) {
      // Mostly unusable; a raw password can make one parse after all: then its name is checked instead.
      let shown: string;
      try {
        shown = openSink(url, ctx()).name;
      } catch (err) {
        shown = (err as Error).message;
      }
      assertNoSecret(shown, pw, `name or error of ${url}`);
    }
    for (const url of [`mqtt://u:${e}@broker:1/t`, `tcp://u:${e}@h:notaport`, `mqtt://u:${e}@broker`]) {
      let shown: string;
      try {
        shown = openSource(url).description;
      } catch (err) {
        shown = (err as Error).message;
      }
      assertNoSecret(shown, pw, `description or error of source ${url}`);
    }
  }), { numRuns: 200 });
});

test('property: outbox rows never hold a password, even for a sink whose name is its raw URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-outbox-redact-'));
  try {
    fc.assert(fc.property(password(), fc.nat(), (pw, n) => {
      const path = join(dir, `outbox-${n}-${Math.random().toString(36).slice(2)}.db`);
      const box = openOutbox(path);
      // Two spellings of one output redact to one name (the fan-out refuses such a pair): keep one of each.
      const urls = [...new Map(outputUrls(pw).map((u) => [redactUrl(u), u])).values()];
      for (const u of urls) box.append(u, [message(1), message(2)]);
      for (const u of urls) assert.equal(box.count(u), 2, 'rows are found again under the same URL');
      box.close();
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT sink, payload FROM outbox').all() as { sink: string; payload: string }[];
      db.close();
      assert.equal(rows.length, urls.length * 2);
      assertNoSecret(JSON.stringify(rows), pw, 'outbox rows');
    }), { numRuns: 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: the Prometheus page shows no password and no URL in any label', async () => {
  await fc.assert(fc.asyncProperty(password(), async (pw) => {
    const stats = outputUrls(pw).map((name, i): OutputStats => ({ name, state: i % 2 ? 'down' : 'up', queued: i, spooled: 0, delivered: 1, dropped: 0, failures: i }));
    const metrics = createMeterMetrics(ctx(stats));
    metrics.record([message(7)]);
    const page = await metrics.registry.metrics();
    assertNoSecret(page, pw, 'metrics page');
    for (const m of page.matchAll(/\{([^}]*)\}/g)) assert.doesNotMatch(m[1], /:\/\//, `a URL in labels ${m[1]}`);
    assert.equal(new Set([...page.matchAll(/meterwire_output_queued\{output="([^"]+)"\}/g)].map((m) => m[1])).size, stats.length);
  }), { numRuns: 30 });
});

test('output labels: ?name= when given and usable, else scheme and number; always unique', () => {
  assert.deepEqual(outputLabels(['mqtt://u:***@b/x', 'sqlite:./a.db', 'mqtt://c/y?name=house', 'postgres://h/db?name=a%20b', 'postgres://h2/db', 'mqtt://d?name=house']),
    ['mqtt-1', 'sqlite-1', 'house', 'postgres-1', 'postgres-2', 'house-2']);
  assert.deepEqual(outputLabels(['mongodb+srv://h/x', 'x']), ['mongodb-srv-1', 'output-1']);
});

test('?name= labels an output without reaching its driver', () => {
  assert.equal(parseSqlUrl('postgres://u:pw@h/db?name=history&sslmode=disable').target, 'postgres://u:pw@h/db?sslmode=disable');
  assert.equal(parseMongoUrl('mongodb://h/db?name=docs&collection=t').connectionString, 'mongodb://h/db');
});

test('property: meterwire diagnose (text and --json) never prints the keys it tries', { timeout: 120_000 }, async () => {
  await fc.assert(fc.asyncProperty(key, key, fc.boolean(), async (guek, gak, swapped) => {
    const sim = createSimulator({ profile: 'lu-smarty', key: guek, authKey: gak, seed: 7, frameCounter: 1 });
    const hex = Buffer.from(sim.frame(Date.UTC(2024, 5, 1))).toString('hex');
    const [k, a] = swapped ? [gak, guek] : [guek, gak];
    for (const extra of [[], ['--json']]) {
      const run = runCli(['diagnose', hex, '--key', k, '--auth-key', a, ...extra]);
      const code = await exitWithin(run, 60_000);
      assert.equal(code, 0, run.stderr());
      const shown = `${JSON.stringify(run.lines)}\n${run.stderr()}`;
      assert.match(shown, swapped ? /swapped/ : /both keys are correct/);
      for (const s of [guek, gak]) assertNoSecret(shown, s, `diagnose ${extra.join(' ')}`);
    }
  }), { numRuns: 2 });
});
