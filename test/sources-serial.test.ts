import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSource } from '../src/adapters/sources/open-source.js';
import { createRecorder, hasNoRepeatedState } from './support/source-recorder.js';
import { createPtyPair, writeToPty } from './support/pty.js';
import { hasCommand, requireService } from './support/services.js';

const skip = await requireService('socat', () => hasCommand('socat'), 'install it (apt-get install -y socat) for the serial pty tests');

const payload = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

test('serial: bytes through a pty arrive intact; socat restart → disconnected, connected, data again', { skip }, async () => {
  const pty = createPtyPair();
  await pty.startSocat();
  const src = openSource(`serial://${pty.b}?baud=115200`, { backoff: { initialMs: 20, maxMs: 200 } });
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('connected');
    // All 256 byte values, including XON/XOFF, CR, LF and ^C, which a cooked tty would eat or translate.
    const first = Uint8Array.from({ length: 256 }, (_, i) => i);
    writeToPty(pty.a, first);
    await rec.waitForBytes(256);
    assert.deepEqual(new Uint8Array(rec.bytes()), first);

    await pty.stopSocat();
    await rec.waitForState('disconnected');
    await pty.startSocat();
    await rec.waitForState('connected', 2);
    const second = payload(500, 3);
    writeToPty(pty.a, second);
    await rec.waitForBytes(756);
    assert.deepEqual(new Uint8Array(rec.bytes().subarray(256)), second);
    assert.deepEqual(rec.stateList(), ['connecting', 'connected', 'disconnected', 'connected']);
    assert.ok(hasNoRepeatedState(rec.states));
  } finally {
    await src.stop();
    await pty.stopSocat();
  }
});

test('serial: a device that does not exist yet is reported once and opened when it appears', { skip }, async () => {
  const pty = createPtyPair();
  const src = openSource(`serial:${pty.b}`, { backoff: { initialMs: 10, maxMs: 40 } });
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('disconnected');
    assert.match(rec.states[1].detail ?? '', /cannot open/);
    await new Promise((r) => setTimeout(r, 120)); // several failed opens, none reported
    await pty.startSocat();
    await rec.waitForState('connected');
    writeToPty(pty.a, payload(10, 1));
    await rec.waitForBytes(10);
    assert.deepEqual(rec.stateList(), ['connecting', 'disconnected', 'connected']);
  } finally {
    await src.stop();
    await pty.stopSocat();
  }
});

test('serial: recycle() reopens the port; stop() releases it so another reader can open it', { skip }, async () => {
  const pty = createPtyPair();
  await pty.startSocat();
  const src = openSource(`serial://${pty.b}`, { backoff: { initialMs: 10, maxMs: 40 } });
  const rec = createRecorder();
  try {
    src.start(rec);
    await rec.waitForState('connected');
    src.recycle('no frame');
    await rec.waitForState('connected', 2);
    writeToPty(pty.a, payload(20, 9));
    await rec.waitForBytes(20);
    await src.stop();
    const again = openSource(`serial://${pty.b}`);
    const rec2 = createRecorder();
    again.start(rec2);
    await rec2.waitForState('connected');
    await again.stop();
    assert.deepEqual(rec.stateList(), ['connecting', 'connected', 'disconnected', 'connected']);
  } finally {
    await src.stop();
    await pty.stopSocat();
  }
});
