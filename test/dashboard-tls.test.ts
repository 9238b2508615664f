/**
 * The dashboard over HTTPS (`?cert=…&key=…`) with a certificate the test makes (openssl): served with TLS only,
 * HSTS, a Secure session cookie; a missing certificate file is one clear error at start, not a retry loop.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, requireService } from './support/services.js';
import { createWebSink } from '../src/sinks/web/index.js';
import { openSink } from '../src/sinks/open-sink.js';
import { isMeterError } from '../src/core/errors.js';
import { context, simulatedMessages } from './dashboard-support.js';

const skip = await requireService('openssl', () => hasCommand('openssl'), 'install openssl');
const TOKEN = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
let dir: string;
let cert: string;
let key: string;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'meterwire-dash-tls-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(cert), headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS with the given certificate and key: HSTS, a Secure cookie, the API', { skip }, async (t) => {
  const sink = createWebSink(`web://127.0.0.1:0?token=${TOKEN}&cert=${cert}&key=${key}`, context());
  assert.ok(!sink.name.includes(key) && !sink.name.includes(TOKEN), sink.name);
  await sink.open();
  t.after(() => sink.close());
  await sink.write(simulatedMessages('nl-dsmr5', [Date.now() - 1000]));
  const base = sink.dashboard.url() as string;
  assert.match(base, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  const first = await get(`${base}?token=${TOKEN}`);
  assert.equal(first.status, 303);
  assert.match(String(first.headers['set-cookie']), /; Secure$/);
  assert.match(String(first.headers['strict-transport-security']), /max-age=\d+/);
  const meters = await get(`${base}api/meters`, { authorization: `Bearer ${TOKEN}` });
  assert.equal(meters.status, 200);
  assert.equal(JSON.parse(meters.body).meters.length, 1);
  assert.equal((await get(`${base}api/meters`)).status, 401);
  // Plain HTTP on the same port gets no page.
  const plain = await fetch(base.replace('https:', 'http:')).then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200);
});

test('a certificate file that cannot be read stops the start with BAD_CONFIG, naming the file', { skip }, () => {
  const missing = join(dir, 'nope.pem');
  try {
    openSink(`web://127.0.0.1:0?cert=${missing}&key=${key}`, context());
    assert.fail('started without its certificate');
  } catch (e) {
    assert.ok(isMeterError(e), String(e));
    assert.equal(e.code, 'BAD_CONFIG');
    assert.match(e.message, /nope\.pem: ENOENT/);
  }
});
