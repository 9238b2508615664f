// One entry point's fuzz loop, in a worker thread with a heap limit (set by bench/fuzz.mjs). Before each call it
// publishes the iteration, the generator and the input's first bytes in shared memory, so the main thread can
// report an input that hangs or exhausts the heap even though this thread never returns from it.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { readlinkSync } from 'node:fs';
import { ENTRIES, prepare } from './entries.mjs';
import { buildCorpus } from './corpus.mjs';
import { InputMaker } from './inputs.mjs';
import { need, notes } from './api.mjs';
import { emptyTally, sampleOf, SAMPLES, SHARED, threadCpuMs } from './tally.mjs';
const SLOW_MS = 250;
const MAX_SIGNATURES = 40;

async function encoders() {
  const enc = {};
  for (const [k, name] of [['encodeAxdr', 'encodeAxdr'], ['encodeHdlcFrames', 'encodeHdlcFrames'], ['encodeMbusFrames', 'encodeMbusFrames'],
    ['encodeGeneralGloCipher', 'encodeGeneralGloCipher'], ['encodeGbtBlocks', 'encodeGbtBlocks'], ['aes', 'nodeAesGcm']]) {
    try { enc[k] = await need(name); } catch (e) { notes.push(`hostile inputs without ${name}: ${e.message}`); }
  }
  return enc;
}

function makeContext(tally, current) {
  const sample = (list, detail) => { if (list.length < SAMPLES) list.push(sampleOf(current.input, current.i, detail)); };
  return {
    msg(n) { tally.messages += n; },
    readings(n) { tally.readings += n; },
    err(code) { tally.errors[code] = (tally.errors[code] ?? 0) + 1; },
    foreign(sig) {
      tally.foreign++;
      const key = sig in tally.foreignBySignature || Object.keys(tally.foreignBySignature).length < MAX_SIGNATURES ? sig : '(other signatures)';
      const f = (tally.foreignBySignature[key] ??= { count: 0, samples: [] });
      f.count++;
      sample(f.samples);
    },
    mismatch() { tally.mismatches++; sample(tally.mismatchSamples); },
    leak() { tally.leaks++; sample(tally.leakSamples); },
    /** A decoded value of `n` values: keeps the largest per input byte (what DESIGN §7 says must stay bounded). */
    values(n) {
      const perByte = n / Math.max(1, current.input.bytes.length);
      if (!tally.largestValue || perByte > tally.largestValue.perByte) tally.largestValue = { perByte, values: n, ...sampleOf(current.input, current.i) };
    },
  };
}

function sampleMemory(tally) {
  const m = process.memoryUsage();
  if (m.heapUsed > tally.heapMax) tally.heapMax = m.heapUsed;
  if (m.rss > tally.rssMax) tally.rssMax = m.rss;
}

async function main() {
  // Stack traces are most of the cost of a thrown MeterError and nothing here reads them; repro runs keep them.
  if (!workerData.stackTraces) Error.stackTraceLimit = 0;
  const { entryName, seed, from, to, skip, disabled, shared } = workerData;
  const entry = ENTRIES.find((e) => e.name === entryName);
  let run;
  try {
    run = await prepare(entry);
  } catch (e) {
    parentPort.postMessage({ type: 'setup-failed', message: e.message });
    return;
  }
  const corpus = await buildCorpus();
  const maker = new InputMaker(entry, corpus, await encoders(), seed, disabled);
  // This thread's id, so the main thread can read its CPU time (Linux /proc) and time calls in CPU, not wall clock.
  let tid;
  try { tid = readlinkSync('/proc/thread-self').split('/').pop(); } catch { tid = undefined; }
  parentPort.postMessage({ type: 'ready', warnings: corpus.warnings, notes, generators: maker.names, tid });

  const tally = emptyTally();
  const publish = publisher(shared);
  const timing = loop({ maker, run, tally, publish, from, to, skip });
  remeasure({ maker, run, tally, publish, timing });
  sampleMemory(tally);
  parentPort.postMessage({ type: 'done', next: to, tally });
}

/** Writes the call about to be made into shared memory (for the watchdog); returns a function ending it. */
function publisher(shared) {
  const header = new Int32Array(shared, 0, SHARED.header);
  const started = new Float64Array(shared, SHARED.header * 4, 1);
  const bytes = new Uint8Array(shared, SHARED.header * 4 + 8, SHARED.inputBytes);
  const end = () => Atomics.store(header, 3, 0);
  return (i, input) => {
    header[0] = i; header[1] = input.genIndex; header[2] = input.bytes.length; header[4] = input.chunks.length;
    bytes.set(input.bytes.length > SHARED.inputBytes ? input.bytes.subarray(0, SHARED.inputBytes) : input.bytes);
    started[0] = performance.timeOrigin + performance.now();
    Atomics.store(header, 3, 1);
    return end;
  };
}

/** Keeps the `n` largest `key` values of `list` (tiny lists: a sort per insertion is fine). */
function keepTop(list, item, key, n) {
  if (list.length === n && item[key] <= list[n - 1][key]) return;
  list.push(item);
  list.sort((a, b) => b[key] - a[key]);
  if (list.length > n) list.pop();
}

function loop({ maker, run, tally, publish, from, to, skip }) {
  const skipped = new Set(skip);
  const current = { input: undefined, i: 0 };
  const ctx = makeContext(tally, current);
  const timing = { slowest: [], perKiB: [] };
  let lastPost = performance.now();
  for (let i = from; i < to; i++) {
    if (skipped.has(i)) continue;
    const input = maker.make(i);
    current.input = input;
    current.i = i;
    tally.inputs++;
    tally.byGenerator[input.gen] = (tally.byGenerator[input.gen] ?? 0) + 1;
    const done = publish(i, input);
    const t0 = performance.now();
    run(input, ctx);
    const ms = performance.now() - t0;
    done();
    const us = Math.round(ms * 1000);
    if (!tally.slowest || us > tally.slowest.us) tally.slowest = { us, ...sampleOf(input, i), hex: undefined };
    keepTop(timing.slowest, { us, i }, 'us', 5);
    if (input.bytes.length >= 1024) keepTop(timing.perKiB, { perKiB: us / input.bytes.length, i }, 'perKiB', 3);
    if (ms > SLOW_MS) tally.slowCalls++;
    if ((i & 63) === 0 || ms > 20) sampleMemory(tally);
    if ((i & 127) === 0 && performance.now() - lastPost > 1000) {
      parentPort.postMessage({ type: 'progress', next: i + 1, tally });
      lastPost = performance.now();
    }
  }
  return timing;
}

/**
 * Wall-clock times of single calls are noisy on a busy machine (a GC pause, another process): the slowest calls
 * are run again and judged by the CPU time of this thread (Linux /proc; the re-run's wall clock elsewhere and
 * for calls too short for /proc's 10 ms ticks).
 */
function remeasure({ maker, run, tally, publish, timing }) {
  const quiet = { msg() {}, readings() {}, err() {}, foreign() {}, mismatch() {}, leak() {}, values() {} };
  const seen = new Set();
  for (const { i } of [...timing.slowest, ...timing.perKiB]) {
    if (seen.has(i)) continue;
    seen.add(i);
    const input = maker.make(i);
    const done = publish(i, input);
    const cpu0 = threadCpuMs('/proc/thread-self/stat');
    const t0 = performance.now();
    run(input, quiet);
    const wallMs = performance.now() - t0;
    const cpu1 = threadCpuMs('/proc/thread-self/stat');
    done();
    // /proc counts 10 ms ticks: below 50 ms the re-run's wall clock says more.
    const cpuMs = cpu0 === undefined || cpu1 === undefined || cpu1 - cpu0 < 50 ? undefined : cpu1 - cpu0;
    const m = { us: Math.round(wallMs * 1000), cpuMs, ...sampleOf(input, i), hex: undefined };
    const cost = cpuMs ?? wallMs;
    if (!tally.slowest?.remeasured || cost > (tally.slowest.cpuMs ?? tally.slowest.us / 1000)) tally.slowest = { ...m, remeasured: true };
    if (input.bytes.length >= 1024) {
      const usPerKiB = Math.round((cost * 1000) / (input.bytes.length / 1024));
      if (!tally.worstPerKiB?.remeasured || usPerKiB > tally.worstPerKiB.usPerKiB) tally.worstPerKiB = { ...m, usPerKiB, remeasured: true };
    }
  }
}

await main();
