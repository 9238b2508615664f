import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMeterError } from '../src/core/errors.js';
import { createBackoff } from '../src/net/backoff.js';
import { openSource } from '../src/adapters/sources/open-source.js';
import { createReconnectingSource, type LinkEvents } from '../src/adapters/sources/reconnecting-source.js';
import { parseSerialUrl } from '../src/adapters/sources/serial-source.js';
import { parseFileUrl } from '../src/adapters/sources/file-source.js';
import { parseMqttUrl } from '../src/adapters/sources/mqtt-source.js';
import { redactUrl } from '../src/net/url.js';
import { createRecorder, hasNoRepeatedState } from './support/source-recorder.js';
import { waitFor } from './support/pty.js';

test('unknown scheme: a config MeterError listing every supported scheme with an example', () => {
  assert.throws(
    () => openSource('http://user:hunter2@example.com/x'),
    (e: unknown) => {
      assert.ok(isMeterError(e));
      assert.equal(e.code, 'BAD_URL');
      assert.equal(e.layer, 'config');
      for (const s of ['serial://', 'tcp://', 'tcp-listen://', 'mqtt://', 'mqtts://', 'file:', 'stdin:']) assert.match(e.message, new RegExp(s));
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    },
  );
});

test('descriptions never contain passwords or secret query values', () => {
  const src = openSource('mqtt://meter:s3cr3t@127.0.0.1:1/p1/raw');
  assert.equal(src.description, 'mqtt://meter:***@127.0.0.1:1/p1/raw');
  assert.equal(redactUrl('mqtts://u:p@ss:w@broker/t?ca=/x/ca.pem&token=abc'), 'mqtts://u:***@broker/t?ca=/x/ca.pem&token=***');
  assert.equal(redactUrl('tcp://10.0.0.1:2001'), 'tcp://10.0.0.1:2001');
});

test('each scheme opens the matching source without doing I/O', () => {
  for (const url of ['serial:///dev/ttyUSB9', '/dev/ttyUSB9', 'tcp://127.0.0.1:9', 'tcp-listen://127.0.0.1:4059', 'mqtts://b/t', 'file:x.bin', '-', 'stdin:']) {
    const src = openSource(url);
    assert.equal(typeof src.start, 'function', url);
  }
});

test('serial URL parameters override profile defaults; invalid values are config errors', () => {
  const profile = { baudRate: 2400, dataBits: 8 as const, parity: 'none' as const, stopBits: 1 as const };
  assert.deepEqual(parseSerialUrl('serial:///dev/ttyUSB0?baud=9600&parity=even&dataBits=7', profile), {
    path: '/dev/ttyUSB0',
    settings: { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 },
  });
  assert.deepEqual(parseSerialUrl('/dev/ttyAMA0', profile).settings, profile);
  assert.throws(() => parseSerialUrl('serial:///dev/x?dataBits=6'), /dataBits=6/);
  assert.throws(() => parseSerialUrl('serial:///dev/x?parity=mark'), /parity/);
  assert.throws(() => openSource('tcp://nohost'), isMeterError);
  assert.throws(() => openSource('tcp-listen://0.0.0.0:0'), /port from 1 to 65535/);
});

test('file URL: relative and absolute paths, baud pacing counts start, parity and stop bits', () => {
  assert.equal(parseFileUrl('file:///tmp/a.bin').path, '/tmp/a.bin');
  assert.equal(parseFileUrl('file:cap.bin').path, `${process.cwd()}/cap.bin`);
  const t = parseFileUrl('file:cap.bin?pace=baud&baud=2400&loop=1', { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 });
  assert.equal(t.bytesPerSecond, 240);
  assert.equal(t.loop, true);
  assert.equal(parseFileUrl('file:cap.bin').bytesPerSecond, undefined);
});

test('backoff doubles up to the maximum, with jitter in [base/2, base], and resets', () => {
  const lows = createBackoff({ initialMs: 100, maxMs: 1000 }, () => 0);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => lows.next()), [50, 100, 200, 400, 500, 500]);
  const highs = createBackoff({ initialMs: 100, maxMs: 1000 }, () => 1);
  assert.deepEqual([1, 2, 3].map(() => highs.next()), [100, 200, 400]);
  highs.reset();
  assert.equal(highs.next(), 100);
});

test('reconnect loop: one disconnected per outage however many attempts fail, then connected again', async () => {
  let attempts = 0;
  let current: LinkEvents | undefined;
  const src = createReconnectingSource('fake://', (events) => {
    attempts += 1;
    current = events;
    // Attempts 2-5 fail at once, as a device that is still unplugged would.
    if (attempts >= 2 && attempts <= 5) events.down(`attempt ${attempts} failed`);
    else queueMicrotask(() => events.up());
    return { close: async () => undefined };
  }, { initialMs: 2, maxMs: 5 });
  const rec = createRecorder();
  src.start(rec);
  await rec.waitForState('connected');
  current?.data(Uint8Array.of(1));
  current?.down('unplugged');
  await rec.waitForState('connected', 2);
  current?.data(Uint8Array.of(2));
  src.recycle('no frame for 30 s');
  await rec.waitForState('connected', 3);
  await src.stop();
  const late = current;
  late?.data(Uint8Array.of(3));
  assert.deepEqual(rec.stateList(), ['connecting', 'connected', 'disconnected', 'connected', 'disconnected', 'connected']);
  assert.equal(rec.states[2].detail, 'unplugged');
  assert.match(rec.states[4].detail ?? '', /recycled: no frame/);
  assert.ok(hasNoRepeatedState(rec.states));
  assert.deepEqual([...rec.bytes()], [1, 2]);
  assert.ok(attempts >= 7);
});

test('reconnect loop: nothing is reported and nothing reconnects after stop()', async () => {
  let attempts = 0;
  const src = createReconnectingSource('fake://', (events) => {
    attempts += 1;
    events.down('refused');
    return { close: async () => undefined };
  }, { initialMs: 1, maxMs: 2 });
  const rec = createRecorder();
  src.start(rec);
  await waitFor(() => attempts >= 3, 'three attempts');
  await src.stop();
  const after = attempts;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(attempts, after);
  assert.deepEqual(rec.stateList(), ['connecting', 'disconnected']);
});

test('mqtt URL: literal "#" wildcard, credentials, TLS files, unreadable files are config errors', () => {
  const t = parseMqttUrl('mqtt://u%40x:p%3Aw@broker:1884/meters/#?clientId=reader-1&qos=1');
  assert.equal(t.topic, 'meters/#');
  assert.equal(t.qos, 1);
  assert.equal(t.options.clientId, 'reader-1');
  assert.equal(t.options.username, 'u@x');
  assert.equal(t.options.password, 'p:w');
  assert.equal(t.options.port, 1884);
  assert.equal(parseMqttUrl('mqtts://broker/a/+/raw').options.port, 8883);
  assert.throws(() => parseMqttUrl('mqtts://broker/t?ca=/nonexistent/ca.pem'), /CA certificate file \/nonexistent\/ca.pem/);
  assert.throws(() => parseMqttUrl('mqtt://broker'), /needs a broker and a topic/);
});
