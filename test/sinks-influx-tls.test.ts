/**
 * influxs:// against a real influxd serving HTTPS with a certificate the test makes (openssl): a reader
 * process that trusts it (NODE_EXTRA_CA_CERTS, as the README says) writes through TLS, one that does not gets
 * a clear certificate error instead of a silent plain-HTTP fallback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInfluxSink } from '../src/sinks/influx/index.js';
import { hasCommand, requireService } from './support/services.js';
import { influxdSkip, simulatedMessages, startInfluxd, testContext, type Influxd } from './sinks-influx-support.js';

const opensslSkip = await requireService('openssl', () => hasCommand('openssl'), 'install openssl');
const skip = influxdSkip ?? opensslSkip;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = Date.UTC(2026, 1, 10, 8, 0, 0);

let dir: string;
let server: Influxd;
before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'meterwire-influx-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = await startInfluxd({ tls: { cert, key } });
  await server.query('CREATE DATABASE "tls"');
});
after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('influxs: with the CA trusted the points arrive over HTTPS', { skip }, () => {
  const script = join(dir, 'write.mts');
  const src = (p: string): string => JSON.stringify(pathToFileURL(join(ROOT, p)).href);
  writeFileSync(script, [
    `import { createInfluxSink } from ${src('src/sinks/influx/index.ts')};`,
    `import { simulatedMessages, testContext } from ${src('test/sinks-influx-support.ts')};`,
    `const sink = createInfluxSink(process.env.METERWIRE_TEST_URL!, testContext());`,
    'await sink.open();',
    `await sink.write(simulatedMessages('nl-dsmr5', ${START}, 3, 10_000));`,
    'await sink.close();',
  ].join('\n'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), METERWIRE_TEST_URL: `influxs://127.0.0.1:${server.port}/tls` },
  });
  assert.equal(run.status, 0, run.stderr);
  return server.query(`SELECT count("value") FROM "meterwire" WHERE "id" = 'power_import'`, 'tls').then(([r]) => {
    assert.equal(r.series![0].values[0][1], 3);
  });
});

test('influxs: an untrusted certificate is a clear error; plain http to the TLS port is refused, not silently used', { skip }, async () => {
  const untrusted = createInfluxSink(`influxs://127.0.0.1:${server.port}/tls`, testContext());
  await assert.rejects(untrusted.open(), /cannot reach InfluxDB \(.*(self.signed|certificate)/i);
  const plain = createInfluxSink(`influx://127.0.0.1:${server.port}/tls`, testContext());
  await plain.open(); // influxd answers plain HTTP on its TLS port with 400 (any answer is "up")
  await assert.rejects(plain.write(simulatedMessages('nl-dsmr5', START, 1, 1000)), /InfluxDB write failed \(HTTP 400/);
});
