/**
 * A real InfluxDB 1.x server of the test's own (Debian's `influxd`): a generated config in a temp dir, every
 * listener on a free loopback port, reporting, monitoring and continuous queries off. stop()/start() take it
 * away and bring it back on the same ports and data; close() kills it and removes the dir. Absent influxd: the
 * tests skip with a message (a failure under CI=true, test/support/services.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import type { SinkContext } from '../src/sinks/types.js';
import { freePort, hasCommand, requireService } from './support/services.js';
export { freePort };

export const influxdSkip = await requireService('influxd (InfluxDB 1.x)', () => hasCommand('influxd'),
  "install Debian's influxdb package (apt-get install influxdb); .ci/run does");

export interface LogRecord { level: 'info' | 'warn' | 'error'; msg: string }

export function testContext(records: LogRecord[] = []): SinkContext {
  const log = (level: LogRecord['level']) => (msg: string): void => { records.push({ level, msg }); };
  return {
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
    outputs: () => [],
    stateDir: '.',
  };
}

/** Messages of a simulated meter, one every `stepMs` from `startMs`. */
export function simulatedMessages(profile: string, startMs: number, count: number, stepMs: number): MeterMessage[] {
  const sim = createSimulator({ profile, frameCounter: 100, seed: 7 });
  const d = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const out: MeterMessage[] = [];
  for (let i = 0; i < count; i++) {
    for (const m of d.push(sim.frame(startMs + i * stepMs))) {
      assert.ok(!isErrorMessage(m), JSON.stringify(m));
      out.push(m);
    }
  }
  for (const m of d.flush()) {
    assert.ok(!isErrorMessage(m), JSON.stringify(m));
    out.push(m);
  }
  assert.equal(out.length, count, `${profile}: one message per frame`);
  return out;
}


export interface InfluxResult { series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>; error?: string }

export interface Influxd {
  port: number;
  /** http(s)://127.0.0.1:<port> */
  base: string;
  /** Runs InfluxQL (as the admin when auth is on); times in ms. Throws on an HTTP or statement error. */
  query(q: string, db?: string): Promise<InfluxResult[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const ADMIN = { user: 'admin', password: 'Adm1n-secret+pw' };

export interface InfluxdOptions {
  auth?: boolean;
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
}

function config(dir: string, httpPort: number, rpcPort: number, o: InfluxdOptions): string {
  const https = o.tls ? [`  https-enabled = true`, `  https-certificate = "${o.tls.cert}"`, `  https-private-key = "${o.tls.key}"`] : [];
  return [
    'reporting-enabled = false',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]', `  dir = "${join(dir, 'meta')}"`, '  logging-enabled = false',
    '[data]', `  dir = "${join(dir, 'data')}"`, `  wal-dir = "${join(dir, 'wal')}"`, '  query-log-enabled = false',
    '[monitor]', '  store-enabled = false',
    '[subscriber]', '  enabled = false',
    '[continuous_queries]', '  enabled = false',
    '[http]', `  bind-address = "127.0.0.1:${httpPort}"`, `  auth-enabled = ${o.auth === true}`, '  log-enabled = false', '  pprof-enabled = false', ...https,
    '[logging]', '  level = "error"', '  suppress-logo = true',
    '',
  ].join('\n');
}

export async function startInfluxd(opts: InfluxdOptions = {}): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-influxd-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  writeFileSync(configPath, config(dir, port, rpcPort, opts));
  const base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ca = opts.tls ? readFileSync(opts.tls.cert) : undefined;

  /** fetch, or node:https trusting the test's own certificate (fetch cannot be given a CA). */
  async function call(path: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
    if (!ca) {
      const res = await fetch(`${base}${path}`, init);
      return { status: res.status, text: await res.text() };
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${base}${path}`, { method: init.method, headers: init.headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.once('error', reject);
      req.end(init.body);
    });
  }
  let child: ChildProcess | undefined;
  let stderr = '';
  const authHeader: Record<string, string> = opts.auth
    ? { Authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` } : {};

  async function start(): Promise<void> {
    const c = spawn('influxd', ['-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
    let exited = false;
    c.once('exit', () => { exited = true; });
    for (let i = 0; i < 300; i++) {
      if (exited) throw new Error(`influxd exited at start: ${stderr}`);
      const ok = await call('/ping', { method: 'GET' }).then((r) => r.status === 204, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`influxd did not answer /ping on ${base}: ${stderr}`);
  }

  async function stop(): Promise<void> {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => { clearTimeout(t); resolve(); });
      c.kill('SIGTERM');
    });
  }

  async function query(q: string, db?: string): Promise<InfluxResult[]> {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    const { status, text } = await call('/query', {
      method: 'POST', headers: { ...authHeader, 'Content-Type': 'application/x-www-form-urlencoded' }, body: params.toString(),
    });
    if (status !== 200) throw new Error(`query ${q}: HTTP ${status} ${text}`);
    const json = JSON.parse(text) as { results?: InfluxResult[]; error?: string };
    if (json.error) throw new Error(`query ${q}: ${json.error}`);
    for (const r of json.results ?? []) if (r.error) throw new Error(`query ${q}: ${r.error}`);
    return json.results ?? [];
  }

  try {
    await start();
    if (opts.auth) {
      // The first user may be created without credentials; everything after needs them.
      const res = await call('/query', {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ q: `CREATE USER ${ADMIN.user} WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES` }).toString(),
      });
      assert.equal(res.status, 200, res.text);
    }
  } catch (e) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    port, base, query, stop, start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of one series as objects (`time`, fields), with its tags. */
export function rowsOf(result: InfluxResult): Array<{ tags: Record<string, string>; row: Record<string, unknown> }> {
  const out: Array<{ tags: Record<string, string>; row: Record<string, unknown> }> = [];
  for (const s of result.series ?? []) {
    for (const v of s.values) out.push({ tags: s.tags ?? {}, row: Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) });
  }
  return out;
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
