/**
 * The MQTT output over TLS against a real Mosquitto of our own (CA, server and client certificates made with
 * openssl, client certificates required): it publishes with ?ca=&cert=&keyFile=; a wrong CA or a missing
 * client certificate is a clear error, the output is "down" and retried with backoff, and nothing crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { createFanout } from '../src/app/fanout.js';
import { createMqttSink } from '../src/sinks/mqtt/index.js';
import { hasCommand, requireService } from './support/services.js';
import { memoryLog, tempDir, waitFor } from './fanout-support.js';
import { kaifaMessage, record, sinkContext, unique } from './sinks-mqtt-support.js';
import { makeTlsFiles, startTlsBroker, type TlsBroker, type TlsFiles } from './sinks-mqtt-tls-support.js';

const skip = await requireService('mosquitto and openssl', () => hasCommand('/usr/sbin/mosquitto') && hasCommand('openssl'),
  'install mosquitto and openssl (apt-get install mosquitto openssl) for the MQTT TLS tests');

async function withBroker(fn: (b: TlsBroker, files: TlsFiles, dir: string) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const files = makeTlsFiles(tmp.dir);
  const broker = await startTlsBroker(tmp.dir, files);
  try {
    await fn(broker, files, tmp.dir);
  } finally {
    await broker.stop();
    tmp.remove();
  }
}

test('mqtts:// with ?ca=, ?cert= and ?keyFile=: the output publishes to a TLS broker that requires client certificates', { skip }, () =>
  withBroker(async (broker, f, dir) => {
    const base = `mqtts://127.0.0.1:${broker.port}`;
    const prefix = unique();
    const rec = await record(base, [`${prefix}/#`], { ca: readFileSync(f.ca), cert: readFileSync(f.clientCert), key: readFileSync(f.clientKey) });
    const url = `${base}/${prefix}?ca=${f.ca}&cert=${f.clientCert}&keyFile=${f.clientKey}&discovery=0`;
    const sink = createMqttSink(url, sinkContext(join(dir, 'state')));
    try {
      await sink.open();
      await sink.write([kaifaMessage('TLS1', 4242)]);
      await rec.wait('the reading over TLS', () => rec.last(`${prefix}/TLS1/energy_import`) === '4242');
      assert.equal(rec.last(`${prefix}/TLS1/availability`), 'online');
      // It really is TLS: a plain MQTT client gets nowhere on that port.
      await assert.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0, connectTimeout: 2000 }));
    } finally {
      await sink.close();
      await rec.cleanupAndEnd();
    }
  }));

for (const [what, query, expect] of [
  ['a wrong CA', (f: TlsFiles) => `ca=${f.wrongCa}&cert=${f.clientCert}&keyFile=${f.clientKey}`, /TLS: the broker's certificate is not trusted.*\?ca=/],
  ['no client certificate', (f: TlsFiles) => `ca=${f.ca}`, /TLS: the broker refused the connection \(TLS alert "certificate required"\).*\?cert= and \?keyFile=/],
] as const) {
  test(`mqtts:// with ${what}: a clear error, the output is down and retried with backoff, no crash`, { skip }, (t) =>
    withBroker(async (broker, f, dir) => {
      const log = memoryLog();
      const sink = createMqttSink(`mqtts://127.0.0.1:${broker.port}/${unique()}?${query(f)}&discovery=0`, { ...sinkContext(join(dir, 'state')), log });
      const fanout = createFanout([sink], { outboxPath: join(dir, 'outbox.db'), log, backoff: { initialMs: 20, maxMs: 100 } });
      try {
        fanout.publish(kaifaMessage('TLS2', 1));
        await waitFor('two failed attempts', () => fanout.stats()[0].failures >= 2 && fanout.stats()[0].state === 'down', 15_000);
        const lines = log.lines.filter((l) => l.includes('TLS'));
        assert.ok(lines.length > 0, log.lines.join('\n'));
        assert.match(lines[0], expect);
        t.diagnostic(lines[0]);
        assert.ok(log.lines.every((l) => !/\n\s+at /.test(l)), 'no stack traces');
        assert.equal(fanout.stats()[0].spooled + fanout.stats()[0].queued, 1, 'the message waits for the broker');
      } finally {
        await fanout.close(500);
      }
    }));
}
