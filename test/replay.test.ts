/**
 * Replay protection in the reader (issue 7, item 4), with a hand-driven source and a fake clock: per system title the
 * kept frame counter never goes backwards, a frame at or below it is refused (FRAME_COUNTER_REPLAY, rate-limited,
 * counted in health) also across restarts, and a meter reset is accepted only once it was confirmed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confirmCounterReset, openCounterStore } from '../src/app/state-file.js';
import { concat, meterFrames, readerHarness } from './replay-support.js';

const SMARTY = meterFrames('lu-smarty');

function tempDir(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-replay-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

test('the audit sequence 100 101 102 100 102 101 103 103: each counter delivered once, the 4 others refused', async () => {
  const h = readerHarness();
  h.feed(...[100, 101, 102, 100, 102, 101, 103, 103].map(SMARTY));
  assert.deepEqual(h.counters(), [100, 101, 102, 103]);
  assert.deepEqual(h.messages.map((m) => m.security?.counter), ['first', 'monotonic', 'monotonic', 'monotonic']);
  assert.deepEqual(h.messages.map((m) => codes(m.issues)), [[], [], [], []], 'no issue on the delivered ones');
  const health = h.reader.health();
  assert.equal(health.replays, 4);
  assert.equal(health.errors.FRAME_COUNTER_REPLAY, 4);
  assert.equal(health.messages, 4);
  // Rate-limited like other errors: one report within the minute, the refused counter and the kept one named.
  assert.equal(h.errors.length, 1);
  assert.equal(h.errors[0].err.error.code, 'FRAME_COUNTER_REPLAY');
  assert.match(h.errors[0].err.error.message, /100 .*102/);
  assert.equal(h.errors[0].err.meter?.systemTitle, h.messages[0].meter.systemTitle);
  h.advance(61_000);
  h.feed(SMARTY(99));
  assert.equal(h.errors.length, 2);
  assert.equal(h.errors[1].suppressed, 3);
  await h.stop();
});

test('restarts: counters kept in the state file; after each restart old frames stay refused', async () => {
  const t = tempDir();
  try {
    const a = readerHarness({ counterStore: openCounterStore(t.dir) });
    a.feed(SMARTY(100), SMARTY(101), SMARTY(102));
    await a.stop();
    const b = readerHarness({ counterStore: openCounterStore(t.dir) });
    b.feed(SMARTY(100), SMARTY(102), SMARTY(101), SMARTY(103));
    assert.deepEqual(b.counters(), [103]);
    assert.equal(b.messages[0].security?.counter, 'monotonic', 'the kept counter counts, not "first"');
    assert.equal(b.reader.health().replays, 3);
    await b.stop();
    const c = readerHarness({ counterStore: openCounterStore(t.dir) });
    c.feed(SMARTY(103), SMARTY(50), SMARTY(104));
    assert.deepEqual(c.counters(), [104]);
    assert.equal(c.reader.health().replays, 2);
    await c.stop();
  } finally {
    t.done();
  }
});

test('crash window: a message leaves the reader only after its counter is in the state file', async () => {
  const t = tempDir();
  try {
    const store = openCounterStore(t.dir);
    const onDisk: number[] = [];
    const h = readerHarness({
      counterStore: store,
      onMessage: (m) => {
        const kept = JSON.parse(readFileSync(store.path, 'utf8')) as { meters: Record<string, { counter: number }> };
        onDisk.push(kept.meters[m.meter.systemTitle ?? ''].counter);
      },
    });
    h.feed(SMARTY(10), concat(SMARTY(11), SMARTY(12), SMARTY(13)), SMARTY(14));
    // One write per chunk, before any of its messages: frames 11–13 came together and find 13 stored already.
    assert.deepEqual(onDisk, [10, 13, 13, 13, 14]);
    await h.stop();
  } finally {
    t.done();
  }
});

test('a state file that cannot be read stops the reader from starting (fail closed) and names the file', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'frame-counters.json');
    for (const bad of ['', '{"version":1,"meters":{"4c475a', '{"version":1,"meters":{"x":{"counter":-1}}}']) {
      writeFileSync(path, bad);
      assert.throws(() => readerHarness({ counterStore: openCounterStore(t.dir) }),
        (e: Error & { code?: string }) => e.code === 'BAD_CONFIG' && e.message.includes(path), JSON.stringify(bad));
    }
  } finally {
    t.done();
  }
});

test('the state file of earlier versions ({title: counter}) is read and kept', async () => {
  const t = tempDir();
  try {
    const probe = readerHarness();
    probe.feed(SMARTY(1));
    const title = probe.messages[0].meter.systemTitle ?? '';
    writeFileSync(join(t.dir, 'frame-counters.json'), JSON.stringify({ [title]: 500 }));
    const h = readerHarness({ counterStore: openCounterStore(t.dir) });
    h.feed(SMARTY(499), SMARTY(500), SMARTY(501));
    assert.deepEqual(h.counters(), [501]);
    await h.stop();
  } finally {
    t.done();
  }
});

test('a meter reset confirmed with `counters reset` is accepted once, loudly; then the counter is monotonic again', async () => {
  const t = tempDir();
  try {
    const a = readerHarness({ counterStore: openCounterStore(t.dir) });
    a.feed(SMARTY(7000), SMARTY(7001));
    const title = a.messages[0].meter.systemTitle ?? '';
    await a.stop();
    const b = readerHarness({ counterStore: openCounterStore(t.dir) });
    b.feed(SMARTY(3));
    assert.deepEqual(b.counters(), [], 'not accepted before the confirmation');
    assert.match(b.errors[0].err.error.message, /counters reset/);
    const confirmed = confirmCounterReset(t.dir, title.toUpperCase());
    assert.equal(confirmed.counter, 7001);
    b.feed(SMARTY(4), SMARTY(5), SMARTY(5), SMARTY(2), SMARTY(6));
    assert.deepEqual(b.counters(), [4, 5, 6]);
    assert.deepEqual(b.messages.map((m) => m.security?.counter), ['reset', 'monotonic', 'monotonic']);
    assert.deepEqual(b.messages.map((m) => codes(m.issues)), [['FRAME_COUNTER_RESET'], [], []]);
    assert.match(b.messages[0].issues[0].message, /7001.*4/);
    assert.equal(b.logs.filter((l) => l.startsWith('warn') && /reset/.test(l)).length, 1, b.logs.join('\n'));
    assert.equal(b.reader.health().replays, 3, '3 before the confirmation was used up: 3, 5 again, 2');
    await b.stop();
    const c = readerHarness({ counterStore: openCounterStore(t.dir) });
    c.feed(SMARTY(6), SMARTY(7001), SMARTY(7));
    assert.deepEqual(c.counters(), [7001], 'after the reset, 6 is old; 7001 is above the new counter');
    await c.stop();
  } finally {
    t.done();
  }
});

test('a confirmation the meter did not need (it went on counting) is dropped, not kept for a later replay', async () => {
  const t = tempDir();
  try {
    const a = readerHarness({ counterStore: openCounterStore(t.dir) });
    a.feed(SMARTY(7000));
    const title = a.messages[0].meter.systemTitle ?? '';
    confirmCounterReset(t.dir, title);
    a.feed(SMARTY(7001), SMARTY(3));
    assert.deepEqual(a.counters(), [7000, 7001]);
    assert.equal(a.reader.health().replays, 1);
    assert.ok(a.logs.some((l) => /confirm/.test(l) && /7000/.test(l)), a.logs.join('\n'));
    a.feed(SMARTY(2));
    assert.equal(a.reader.health().replays, 2);
    await a.stop();
  } finally {
    t.done();
  }
});

test('--accept-counter-reset (reader option): the first frame of the title may go back once; unused once it went on', async () => {
  const t = tempDir();
  try {
    const a = readerHarness({ counterStore: openCounterStore(t.dir) });
    a.feed(SMARTY(9000));
    const title = a.messages[0].meter.systemTitle ?? '';
    await a.stop();
    const b = readerHarness({ counterStore: openCounterStore(t.dir), acceptCounterReset: [title] });
    b.feed(SMARTY(1), SMARTY(1), SMARTY(0), SMARTY(2));
    assert.deepEqual(b.counters(), [1, 2]);
    assert.deepEqual(codes(b.messages[0].issues), ['FRAME_COUNTER_RESET']);
    await b.stop();
    // The same option left in a service file: the meter goes on from 2, so it is no open door for old frames.
    const c = readerHarness({ counterStore: openCounterStore(t.dir), acceptCounterReset: [title] });
    c.feed(SMARTY(3), SMARTY(1));
    assert.deepEqual(c.counters(), [3]);
    assert.equal(c.messages[0].security?.counter, 'monotonic');
    assert.equal(c.reader.health().replays, 1);
    await c.stop();
  } finally {
    t.done();
  }
});

test('a new system title on a line with a kept one: SYSTEM_TITLE_CHANGED once; two meters alternating do not repeat it', async () => {
  const t = tempDir();
  try {
    // Two M-Bus meters (one framing, so the auto framer keeps both) on one line, the frames interleaved.
    const evn = meterFrames('at-evn-sagemcom-t210d');
    const kaifa = meterFrames('at-evn-kaifa-ma309');
    const a = readerHarness({ counterStore: openCounterStore(t.dir) });
    a.feed(evn(10), kaifa(10), evn(11), kaifa(11), evn(12), kaifa(12));
    assert.deepEqual(a.counters(), [10, 10, 11, 11, 12, 12]);
    assert.deepEqual(a.messages.map((m) => codes(m.issues)), [[], ['SYSTEM_TITLE_CHANGED'], [], [], [], []]);
    assert.deepEqual(a.messages.map((m) => m.security?.counter), ['first', 'first', 'monotonic', 'monotonic', 'monotonic', 'monotonic']);
    assert.match(a.messages[1].issues[0].message, new RegExp(a.messages[0].meter.systemTitle ?? '-'));
    assert.equal(a.logs.filter((l) => /system title/.test(l)).length, 1);
    await a.stop();
    // After a restart both titles are known; a third meter is new again.
    const b = readerHarness({ counterStore: openCounterStore(t.dir) });
    b.feed(kaifa(13), evn(13), meterFrames('at-ksm-west-kaifa')(1));
    assert.deepEqual(b.messages.map((m) => codes(m.issues)), [[], [], ['SYSTEM_TITLE_CHANGED']]);
    await b.stop();
  } finally {
    t.done();
  }
});

test('a plaintext message (no frame counter) is delivered without a counter verdict', async () => {
  const h = readerHarness();
  const dsmr = meterFrames('nl-dsmr5');
  h.feed(dsmr(1), dsmr(1));
  assert.equal(h.messages.length, 2);
  assert.deepEqual(h.messages.map((m) => m.security?.counter), [undefined, undefined]);
  assert.equal(h.reader.health().replays, 0);
  await h.stop();
});

test('the state file cannot be written: messages still flow, the failure is logged once a minute', async () => {
  let writes = 0;
  const h = readerHarness({
    counterStore: { load: () => undefined, commit: () => { writes++; throw new Error('EROFS: read-only file system'); }, takeConfirmation: () => undefined },
  });
  h.feed(SMARTY(1), SMARTY(2), SMARTY(3), SMARTY(2));
  assert.deepEqual(h.counters(), [1, 2, 3]);
  assert.equal(writes, 3);
  assert.equal(h.reader.health().replays, 1, 'still refused while running');
  assert.equal(h.logs.filter((l) => l.startsWith('error') && /EROFS/.test(l)).length, 1, h.logs.join('\n'));
  await h.stop();
});

test('confirmation of a title without a kept counter is refused with the known titles', () => {
  const t = tempDir();
  try {
    assert.throws(() => confirmCounterReset(t.dir, '4b464d6750000009'), /no frame counter kept/);
    assert.throws(() => confirmCounterReset(t.dir, 'not-a-title'), /16 hex digits/);
    assert.equal(existsSync(join(t.dir, 'counter-resets')), false);
  } finally {
    t.done();
  }
});
