/**
 * Compact-array bombs through createDecoder().push (issue 7: "one 35-byte HDLC frame kills the process"). A
 * compact-array (IEC 62056-6-2 §4.1.5) describes its elements once; nested array descriptions multiply their
 * counts, so a few bytes can declare 0x1000 × 0x1000 × 0x1000 elements of a type that occupies no bytes. A bounded
 * decoder refuses them from the bytes they occupy; an unbounded one builds them until the heap is gone. The frames
 * are decoded in a worker thread with a 256 MB heap, so such a defect fails this test instead of killing the suite;
 * the heap limit is the memory bound (no RSS, no timing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { encodeMbusFrames } from '../src/core/framing/encode-mbus.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { createSimulator } from '../src/sim/simulator.js';
import { ERROR_CODES } from '../src/core/errors.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x61 + i);
const GAK = Uint8Array.from({ length: 16 }, (_, i) => 0x41 + i);
const SYSTEM_TITLE = Uint8Array.of(0x4b, 0x46, 0x4d, 0x10, 0x20, 0x02, 0x98, 0x02);
const HEAP_MB = 256;
/** Not a timing assertion: only keeps a hanging decoder from hanging the suite. */
const HANG_GUARD_MS = 120_000;

interface Case { bytes: Uint8Array; chunks: number[]; key?: Uint8Array; authKey?: Uint8Array }
interface Outcome { codes: string[]; produced: number }

// Plain JavaScript, run in the worker: registers tsx to load the sources, decodes each case, reports per case.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  (await import(workerData.tsx)).register();
  const { createDecoder } = await import(workerData.index);
  for (const [i, c] of workerData.cases.entries()) {
    parentPort.postMessage({ type: 'start', i });
    const d = createDecoder({ key: c.key, authKey: c.authKey });
    const results = [];
    let prev = 0;
    for (const end of c.chunks) { results.push(...d.push(c.bytes.subarray(prev, end))); prev = end; }
    results.push(...d.flush());
    const codes = results.map((r) => ('error' in r ? r.error.code : 'message'));
    const produced = results.reduce((n, r) => n + 1 + ('error' in r ? 0 : r.readings.length + r.issues.length), 0);
    parentPort.postMessage({ type: 'done', i, outcome: { codes, produced } });
  }
  parentPort.postMessage({ type: 'end' });
})().catch((e) => parentPort.postMessage({ type: 'crash', message: String((e && e.stack) || e) }));
`;

/** Decodes the cases in a heap-limited worker; resolves with each case's outcome or with what went wrong where. */
function decodeInWorker(cases: Case[]): Promise<{ outcomes: Outcome[]; failure?: string }> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, {
      eval: true, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
      workerData: { tsx: import.meta.resolve('tsx/esm/api'), index: new URL('../src/index.ts', import.meta.url).href, cases },
    });
    const outcomes: Outcome[] = [];
    let current = -1;
    const finish = (failure?: string): void => {
      clearTimeout(guard);
      void worker.terminate().then(() => resolve(failure ? { outcomes, failure } : { outcomes }));
    };
    const guard = setTimeout(() => finish(`case ${current} did not finish (hang guard)`), HANG_GUARD_MS);
    worker.on('message', (m: { type: string; i: number; outcome: Outcome; message: string }) => {
      if (m.type === 'start') current = m.i;
      else if (m.type === 'done') outcomes.push(m.outcome);
      else if (m.type === 'end') finish();
      else finish(`worker failed: ${m.message}`);
    });
    worker.on('error', (e: Error & { code?: string }) => finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? `case ${current} exhausted the worker's ${HEAP_MB} MB heap` : `worker error in case ${current}: ${e.message}`));
  });
}

const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));

function assertBounded(cases: Case[], r: { outcomes: Outcome[]; failure?: string }): void {
  const hex = (i: number): string => Buffer.from(cases[i]?.bytes ?? []).toString('hex').slice(0, 200);
  assert.equal(r.failure, undefined, `${r.failure}: ${hex(r.outcomes.length)}`);
  r.outcomes.forEach((o, i) => {
    for (const code of o.codes) {
      assert.ok(code === 'message' || (KNOWN_CODES.has(code) && code !== 'INTERNAL'), `case ${i} (${hex(i)}): result ${code}`);
    }
    assert.ok(o.produced <= 2 * cases[i].bytes.length + 16, `case ${i}: ${o.produced} results, readings and issues`);
  });
}

/** The notification of the issue: `0F <invoke id> 00 02 01 | 13 01 1000 01 1000 01 1000 00 | 01 00`. */
const ISSUE_BOMB = Uint8Array.of(0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x01, 0x13, 0x01, 0x10, 0x00, 0x01, 0x10, 0x00, 0x01, 0x10, 0x00, 0x00, 0x01, 0x00);

type Link = 'bare' | 'hdlc' | 'mbus' | 'encrypted-hdlc';

/** Puts the notification (its body a structure of one element, as pushes are) on a link; cuts it into pushes. */
function onLink(apdu: Uint8Array, link: Link, cuts: number[]): Case {
  const bytes = link === 'hdlc' ? encodeHdlcFrames(apdu) : link === 'mbus' ? encodeMbusFrames(apdu)
    : link === 'encrypted-hdlc' ? encodeHdlcFrames(encodeGeneralGloCipher(apdu, { systemTitle: SYSTEM_TITLE, securityControl: 0x30, invocationCounter: 7, key: KEY, authKey: GAK }, aes))
      : apdu;
  const chunks = [...new Set([...cuts.map((c) => c % bytes.length), bytes.length])].filter((c) => c > 0).sort((a, b) => a - b);
  return { bytes, chunks, key: KEY, authKey: GAK };
}

const linkArb = fc.constantFrom<Link>('bare', 'hdlc', 'mbus', 'encrypted-hdlc');

/** Nested array descriptions with large counts around a zero-size leaf, optionally beside a 1-byte field. */
const nestedCounts = fc.record({
  counts: fc.array(fc.constantFrom(0x100, 0x800, 0x1000, 0x2000, 0xffff), { minLength: 2, maxLength: 4 }),
  leaf: fc.constantFrom([0x00], [0x02, 0x00], [0x01, 0x00, 0x00, 0x00]),
  sibling: fc.boolean(),
  contents: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  link: linkArb,
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
}).map(({ counts, leaf, sibling, contents, link, cuts }) => {
  const nested = [...counts.flatMap((c) => [0x01, c >> 8, c & 0xff]), ...leaf];
  const description = sibling ? [0x02, 0x02, ...nested, 0x11] : nested;
  return onLink(Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x01, 0x13, ...description, contents.length, ...contents]), link, cuts);
});

/**
 * Structures of thousands of null fields beside one byte: every element occupies a byte of contents, so only a
 * budget of values per message (issue 7: "a per-message budget (elements, nesting, bytes)") bounds them.
 */
const nullFields = fc.record({
  nulls: fc.integer({ min: 3500, max: 4000 }),
  contents: fc.uint8Array({ minLength: 3500, maxLength: 4096 }),
  link: fc.constantFrom<Link>('bare', 'hdlc', 'encrypted-hdlc'),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
}).map(({ nulls, contents, link, cuts }) => onLink(Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x01, 0x13, 0x02, 0x82, (nulls + 1) >> 8, (nulls + 1) & 0xff,
  ...new Uint8Array(nulls), 0x11, 0x82, contents.length >> 8, contents.length & 0xff, ...contents]), link, cuts));

const bomb = fc.oneof(nestedCounts, nullFields);

test('the heap-limited worker decodes real frames (control for the bomb test below)', async () => {
  const frames = ['at-kaernten-am550', 'at-evn-sagemcom-t210d'].map((profile) =>
    createSimulator({ profile, key: KEY, authKey: GAK, seed: 3, frameCounter: 9 }).frame(Date.UTC(2026, 0, 15, 8)));
  const cases = frames.map((bytes) => ({ bytes, chunks: [bytes.length], key: KEY, authKey: GAK }));
  const r = await decodeInWorker(cases);
  assertBounded(cases, r);
  assert.deepEqual(r.outcomes.map((o) => o.codes), [['message'], ['message']]);
  assert.ok(r.outcomes.every((o) => o.produced > 5), 'the messages carry readings');
});

// Issue 7: counts used to be capped one by one, never their product, and an element's size checked only after it
// was built, so these grew until the heap was gone (the A-XDR decoder now bounds every value by its bytes first).
test('compact-array bombs are refused within a bounded heap (the 35-byte HDLC frame of the issue and generated ones)',
  async () => {
    const frame = encodeHdlcFrames(ISSUE_BOMB);
    assert.equal(frame.length, 35);
    const first = [{ bytes: frame, chunks: [frame.length] }];
    assertBounded(first, await decodeInWorker(first));
    await fc.assert(fc.asyncProperty(fc.array(bomb, { minLength: 6, maxLength: 6 }), async (cases) => {
      assertBounded(cases, await decodeInWorker(cases));
    }), { numRuns: 4, endOnFailure: true });
  });
