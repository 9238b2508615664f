/**
 * DSMR proxy as a server: several clients each get every telegram, a client that stops reading is dropped
 * without holding up the others, and open/close behave (busy port = "down", close ends every connection).
 * Also the parts of the synthesized telegram the simulated meters do not exercise (M-Bus gas channel).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import type { MeterMessage } from '../src/core/model/message.js';
import { createDsmrProxySink } from '../src/sinks/dsmr-proxy/dsmr-proxy-sink.js';
import { synthesizeDsmrTelegram } from '../src/sinks/dsmr-proxy/synthesize-telegram.js';
import type { SinkContext } from '../src/sinks/types.js';

function context(logs: string[]): SinkContext {
  const log = (level: string) => (m: string): void => { logs.push(`${level} ${m}`); };
  return {
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
    outputs: () => [],
    stateDir: '.',
  };
}

const MESSAGE: MeterMessage = {
  meter: { id: '1KFM0200234804', profile: 'at-ksm-west-kaifa' },
  timestamp: '2026-03-01T10:00:00.000Z',
  format: 'mbus',
  readings: [
    { obis: '1-0:1.8.0', id: 'energy_import', name: 'Active energy import (+A)', value: 4215000, unit: 'Wh', quality: [] },
    { obis: '1-0:1.7.0', id: 'power_import', name: 'Active power import (+P)', value: 1250, unit: 'W', quality: [] },
  ],
  issues: [],
};

/** A client that counts the telegrams it receives (the '!' that opens each CRC line). */
async function countingClient(port: number): Promise<{ socket: Socket; count: () => number }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let n = 0;
  socket.on('data', (chunk: Buffer) => { for (const b of chunk) if (b === 0x21) n++; });
  socket.on('error', () => { /* the server may drop us; the test checks counts */ });
  return { socket, count: () => n };
}

async function turns(until: () => boolean, max = 10_000): Promise<void> {
  for (let i = 0; i < max && !until(); i++) await new Promise((r) => setImmediate(r));
}

test('dsmr proxy: every client gets every telegram', async () => {
  const sink = createDsmrProxySink('dsmr-tcp://127.0.0.1:0', context([]));
  await sink.open();
  const a = await countingClient(sink.address()!.port);
  const b = await countingClient(sink.address()!.port);
  try {
    await turns(() => sink.clientCount() === 2);
    await sink.write([MESSAGE, MESSAGE, MESSAGE]);
    await turns(() => a.count() === 3 && b.count() === 3);
    assert.deepEqual([a.count(), b.count()], [3, 3]);
  } finally {
    a.socket.destroy();
    b.socket.destroy();
    await sink.close();
  }
});

test('dsmr proxy: a client that stops reading is dropped and the others keep getting everything', async () => {
  const logs: string[] = [];
  const sink = createDsmrProxySink('dsmr-tcp://127.0.0.1:0?maxClientBuffer=8192', context(logs));
  await sink.open();
  const good = await countingClient(sink.address()!.port);
  const stalled = await countingClient(sink.address()!.port);
  stalled.socket.pause(); // stops reading: the kernel buffers fill, then the proxy's own buffer grows
  let sent = 0;
  try {
    await turns(() => sink.clientCount() === 2);
    // Kernel socket buffers hold a few MB on loopback; write until the stalled client is gone (bounded).
    while (sink.clientCount() === 2 && sent < 200_000) {
      await sink.write(Array.from({ length: 200 }, () => MESSAGE));
      sent += 200;
      await turns(() => good.count() === sent); // the reading client catches up before the next batch
    }
    assert.equal(sink.clientCount(), 1, 'the stalled client was dropped');
    assert.ok(logs.some((l) => l.startsWith('warn') && l.includes('dropping client')), logs.join('\n'));
    await sink.write([MESSAGE]);
    sent++;
    await turns(() => good.count() === sent);
    assert.equal(good.count(), sent, 'the reading client got every telegram');
  } finally {
    good.socket.destroy();
    stalled.socket.destroy();
    await sink.close();
  }
});

test('dsmr proxy: a busy port makes open() throw; close() ends connections and is idempotent', async () => {
  const first = createDsmrProxySink('dsmr-tcp://127.0.0.1:0', context([]));
  await first.open();
  const port = first.address()!.port;
  const second = createDsmrProxySink(`dsmr-tcp://127.0.0.1:${port}`, context([]));
  await assert.rejects(second.open(), /EADDRINUSE/);
  const client = await countingClient(port);
  const closed = new Promise<void>((resolve) => client.socket.once('close', () => resolve()));
  await turns(() => first.clientCount() === 1);
  await first.write([]);
  await first.close();
  await closed;
  await first.close();
  await second.close();
  assert.equal(first.address(), undefined);
});

test('dsmr proxy: writes with no client connected are fine; bad URLs are rejected at creation', async () => {
  const sink = createDsmrProxySink('dsmr-tcp://127.0.0.1:0', context([]));
  await sink.open();
  await sink.write([MESSAGE]);
  await sink.close();
  assert.equal(sink.durable, false);
  assert.throws(() => createDsmrProxySink('tcp://127.0.0.1:2001', context([])), /dsmr-tcp/);
  assert.throws(() => createDsmrProxySink('dsmr-tcp://127.0.0.1:2001?maxClientBuffer=-1', context([])), /maxClientBuffer/);
});

test('synthesized telegram: M-Bus gas channel with device type and capture time; no time stamp → fallback', () => {
  const msg: MeterMessage = {
    ...MESSAGE,
    timestamp: undefined,
    readings: [...MESSAGE.readings, { obis: '0-1:24.2.1', id: 'gas_volume', name: 'Gas', value: 1234.567, unit: 'm3',
      timestamp: '2026-03-01T09:55:00.000Z', quality: [] }],
  };
  const text = synthesizeDsmrTelegram(msg, '2026-03-01T10:00:07.000Z');
  assert.match(text, /\r\n0-1:24\.1\.0\(003\)\r\n0-1:24\.2\.1\(260301105500W\)\(01234\.567\*m3\)\r\n/);
  const parsed = parseDsmrTelegram(text);
  assert.equal(parsed.timestamp, '2026-03-01T10:00:07.000Z');
  const gas = parsed.readings.find((r) => r.obis === '0-1:24.2.1');
  assert.equal(gas?.value, 1234.567);
  assert.equal(gas?.timestamp, '2026-03-01T09:55:00.000Z');
  assert.equal(parsed.readings.find((r) => r.obis === '1-0:1.7.0')?.value, 1.25);
});
