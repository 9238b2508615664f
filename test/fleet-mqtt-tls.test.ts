/**
 * The fleet consumer over TLS against a private Mosquitto that requires client certificates (the MQTT output's
 * TLS broker helper): it subscribes and acknowledges over mqtts://; a wrong CA is a clear TLS error at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { ConsumedMessage } from '../src/fleet/contracts.js';
import { createMqttFleetConsumer } from '../src/fleet/mqtt/index.js';
import { hasCommand, requireService } from './support/services.js';
import { tempDir } from './fanout-support.js';
import { waitFor } from './fleet-mqtt-support.js';
import { makeTlsFiles, startTlsBroker } from './sinks-mqtt-tls-support.js';

const skip = await requireService('mosquitto and openssl', () => hasCommand('/usr/sbin/mosquitto') && hasCommand('openssl'),
  'install mosquitto and openssl for the fleet consumer TLS test');

test('mqtts:// with a CA and a client certificate: subscribes, receives and acknowledges; a wrong CA is a clear TLS error', { skip }, async () => {
  const tmp = tempDir();
  const files = makeTlsFiles(tmp.dir);
  const broker = await startTlsBroker(tmp.dir, files);
  const url = `mqtts://127.0.0.1:${broker.port}`;
  const tls = { ca: readFileSync(files.ca), cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) };
  try {
    const c = createMqttFleetConsumer({ url, topic: 'meters/+/raw', group: 'tls', clientId: 'tls-w1', tls });
    const got: ConsumedMessage[] = [];
    await c.start((m) => { got.push(m); m.ack(); });
    const pub = await mqtt.connectAsync(url, { ...tls, protocolVersion: 5, reconnectPeriod: 0 });
    await pub.publishAsync('meters/t/raw', 'over-tls', { qos: 1 });
    await pub.endAsync();
    await waitFor('the message', () => got.length === 1);
    await c.flushAcks();
    assert.equal(Buffer.from(got[0].payload).toString(), 'over-tls');
    assert.equal(c.stats().acked, 1);
    await c.close();

    const wrong = createMqttFleetConsumer({ url, topic: 'meters/+/raw', group: 'tls', clientId: 'tls-w2',
      tls: { ...tls, ca: readFileSync(files.wrongCa) } });
    await assert.rejects(wrong.start(() => undefined), /TLS: the broker's certificate is not trusted/);
  } finally {
    await broker.stop();
    tmp.remove();
  }
});
