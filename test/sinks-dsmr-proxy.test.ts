/**
 * DSMR proxy, end to end over real TCP: every simulated meter → decoder → proxy sink → a TCP client, and the
 * telegram it receives must pass the project's own parser (CRC verified) and an independent one (npm dsmr-parser)
 * with the decoded message's values in DSMR 5 formats (test/sinks-dsmr-proxy-table.ts). DSMR meters' own telegrams must arrive byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { simulatedProfiles } from '../src/sim/profile-frames.js';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { hexToBytes } from '../src/core/bytes/hex.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createDsmrProxySink, type DsmrProxySink } from '../src/sinks/dsmr-proxy/dsmr-proxy-sink.js';
import { attachTelegram } from '../src/sinks/dsmr-proxy/telegram-property.js';
import type { SinkContext } from '../src/sinks/types.js';
import { assertDsmr5Lines, assertSameAsMessage } from './sinks-dsmr-proxy-table.js';


export interface TelegramClient {
  /** The next complete telegram (`/…!CRC\r\n`), waiting for it when none has arrived yet. */
  next(): Promise<string>;
  close(): void;
  readonly socket: Socket;
}

const END = /![0-9A-Fa-f]{0,4}\r\n/;

export async function connectTelegramClient(port: number): Promise<TelegramClient> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.setEncoding('latin1');
  let buffer = '';
  const ready: string[] = [];
  let waiter: ((t: string) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let m = END.exec(buffer); m; m = END.exec(buffer)) {
      const end = m.index + m[0].length;
      ready.push(buffer.slice(buffer.indexOf('/'), end));
      buffer = buffer.slice(end);
    }
    if (waiter && ready.length > 0) { const w = waiter; waiter = undefined; w(ready.shift()!); }
  });
  socket.on('close', () => failed?.(new Error('the proxy closed the connection')));
  return {
    socket,
    next() {
      if (ready.length > 0) return Promise.resolve(ready.shift()!);
      return new Promise<string>((resolve, reject) => { waiter = resolve; failed = reject; });
    },
    close() { socket.destroy(); },
  };
}

/** Waits (event-loop turns, no clock) until the server side has accepted `n` clients. */
export async function untilClients(count: () => number, n: number): Promise<void> {
  for (let i = 0; i < 10_000 && count() < n; i++) await new Promise((r) => setImmediate(r));
  if (count() < n) throw new Error(`expected ${n} clients, have ${count()}`);
}

interface ThirdPartyTelegram { identifier: string; objects: Record<string, unknown> }
const dsmrParser = createRequire(import.meta.url)('dsmr-parser') as { parse(text: string): ThirdPartyTelegram };

const NOW = Date.UTC(2026, 0, 15, 11, 30, 0);

function context(logs: string[] = []): SinkContext {
  const log = (level: string) => (m: string): void => { logs.push(`${level} ${m}`); };
  return {
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
    outputs: () => [],
    stateDir: '.',
  };
}

/** One decoded message of a simulated meter, and the DSMR telegram it carried (plain or decrypted), if any. */
function simulatedMessage(profile: string): { msg: MeterMessage; telegram?: string } {
  const frame = createSimulator({ profile, frameCounter: 77 }).frame(NOW);
  const decoded = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY, includeApdu: true });
  const results = [...decoded.push(frame), ...decoded.flush()];
  assert.equal(results.length, 1, `${profile}: one message`);
  const msg = results[0];
  assert.ok(!isErrorMessage(msg), `${profile}: ${JSON.stringify(msg)}`);
  const { apdu, ...plain } = msg as MeterMessage & { apdu?: string };
  const clean = plain as MeterMessage;
  if (msg.format === 'dsmr') return { msg: clean, telegram: Buffer.from(frame).toString('latin1') };
  const text = apdu === undefined ? '' : Buffer.from(hexToBytes(apdu)).toString('latin1');
  return { msg: clean, telegram: text.startsWith('/') ? text : undefined };
}

async function withProxy(fn: (sink: DsmrProxySink, client: TelegramClient) => Promise<void>, logs?: string[]): Promise<void> {
  const sink = createDsmrProxySink('dsmr-tcp://127.0.0.1:0', context(logs));
  await sink.open();
  const client = await connectTelegramClient(sink.address()!.port);
  try {
    await untilClients(sink.clientCount, 1);
    await fn(sink, client);
  } finally {
    client.close();
    await sink.close();
  }
}

const WRITTEN = /^1-\d+:(1\.8\.[012]|2\.8\.[012]|3\.8\.0|4\.8\.0|[1-4]\.7\.0|(32|52|72|31|51|71|21|41|61|22|42|62)\.7\.0)$/;

/** A DSMR meter's own telegram: every electricity value as the message has it, in the meter's units. */
function assertMeterValues(profile: string, msg: MeterMessage, text: string): number {
  const parsed = parseDsmrTelegram(text); // throws BAD_CHECKSUM on a wrong CRC
  assert.equal(parsed.crc, 'valid', `${profile}: CRC`);
  assert.equal(parsed.timestamp, msg.timestamp, `${profile}: 0-0:1.0.0`);
  let checked = 0;
  for (const r of msg.readings) {
    if (typeof r.value !== 'number' || !WRITTEN.test(r.obis)) continue;
    const line = parsed.readings.find((p) => p.obis === r.obis);
    assert.ok(line, `${profile}: ${r.obis} missing from\n${text}`);
    assert.equal(line.unit, r.unit, `${profile}: ${r.obis} unit`);
    assert.equal(line.value, r.value, `${profile}: ${r.obis}`);
    checked++;
  }
  return checked;
}

/** A synthesized telegram: DSMR 5 formats, values of the message within their resolution. */
function assertSynthesized(profile: string, msg: MeterMessage, text: string): number {
  assertDsmr5Lines(profile, text, '5');
  assertSameAsMessage(profile, msg, text, '5');
  return parseDsmrTelegram(text).readings.filter((r) => typeof r.value === 'number').length;
}

for (const profile of simulatedProfiles()) {
  test(`dsmr proxy: ${profile} arrives over TCP as a valid DSMR telegram with the decoded values`, async () => {
    const { msg, telegram } = simulatedMessage(profile);
    if (telegram !== undefined) attachTelegram(msg, telegram); // as the reader does for DSMR-carrying meters
    await withProxy(async (sink, client) => {
      await sink.write([msg]);
      const text = await client.next();
      // A meter's own telegram is forwarded unchanged, unless its energy/power are in Wh/W (the T210-D-r):
      // DSMR tools would read those numbers as kWh/kW.
      const own = telegram !== undefined && !/\*(?:Wh|W)\)/.test(telegram);
      if (profile === 'at-steiermark-t210dr') assert.ok(telegram !== undefined && !own, 'the T210-D-r telegram is in Wh/W');
      if (own) assert.equal(text, telegram, `${profile}: the meter's own telegram, unchanged`);
      else assert.match(text, new RegExp(`^/MWR5\\\\meterwire-`), `${profile}: synthesized header`);
      const checked = own ? assertMeterValues(profile, msg, text) : assertSynthesized(profile, msg, text);
      assert.ok(checked >= 4, `${profile}: checked ${checked} values`);
      const third = dsmrParser.parse(text); // an independent parser: CRC16 and the object patterns
      assert.ok(third.objects['timestamp'] !== undefined, `${profile}: dsmr-parser found the time stamp`);
    });
  });
}

test('dsmr proxy: DSMR meters without an attached telegram get a synthesized one with the same values', async () => {
  for (const profile of ['nl-dsmr5', 'lu-smarty', 'at-steiermark-t210dr']) {
    const { msg } = simulatedMessage(profile);
    await withProxy(async (sink, client) => {
      await sink.write([msg]);
      const text = await client.next();
      assert.ok(text.startsWith('/MWR5\\meterwire-'), text);
      assert.ok(assertSynthesized(profile, msg, text) >= 4);
    });
  }
});

test('dsmr proxy: the attached telegram is not part of the message JSON', () => {
  const { msg, telegram } = simulatedMessage('nl-dsmr5');
  const before = JSON.stringify(msg);
  attachTelegram(msg, telegram!);
  assert.equal(JSON.stringify(msg), before);
  assert.deepEqual(Object.keys(msg), Object.keys(JSON.parse(before)));
  assert.equal((msg as { telegram?: string }).telegram, telegram);
});
