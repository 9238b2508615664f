// Counters of one entry point's run: inputs, messages, readings, errors by code, foreign exceptions grouped by
// signature (with the first offending inputs), chunking mismatches, key leaks, the slowest call, the heap and RSS
// high-water marks, and failures (timeouts, heap limit, worker crashes). Plain data, so workers can post it.

import { readFileSync } from 'node:fs';

export const SAMPLES = 3;
/** Shared memory between a worker and the main thread: an Int32 header, the call's start time, the input's first bytes. */
export const SHARED = { header: 8, inputBytes: 64 * 1024 };
export const HEX_LIMIT = 512;

export function emptyTally() {
  return {
    inputs: 0, messages: 0, readings: 0, errors: {}, foreign: 0, foreignBySignature: {}, mismatches: 0,
    mismatchSamples: [], leaks: 0, leakSamples: [], slowest: undefined, worstPerKiB: undefined, slowCalls: 0,
    heapMax: 0, rssMax: 0, failures: [], byGenerator: {}, largestValue: undefined,
  };
}

/** A reproducible description of an input: where it came from and its first bytes as hex. */
export function sampleOf(input, iteration, detail) {
  const b = input.bytes;
  const s = { iteration, gen: input.gen, size: b.length, hex: Buffer.from(b.subarray(0, HEX_LIMIT)).toString('hex') };
  if (b.length > HEX_LIMIT) s.truncated = true;
  if (input.chunks.length > 1) {
    s.pushes = input.chunks.length;
    if (input.chunks.length <= 16) s.cuts = Array.from(input.chunks).join(',');
  }
  if (detail) s.detail = detail;
  return s;
}

/** CPU time (ms) of a thread from its Linux /proc stat file (user + system, 10 ms ticks); undefined elsewhere. */
export function threadCpuMs(statPath) {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Adds `b` into `a` (both tallies of the same entry point). */
export function mergeTally(a, b) {
  a.inputs += b.inputs;
  a.messages += b.messages;
  a.readings += b.readings;
  a.foreign += b.foreign;
  a.mismatches += b.mismatches;
  a.leaks += b.leaks;
  a.slowCalls += b.slowCalls;
  for (const [k, v] of Object.entries(b.errors)) a.errors[k] = (a.errors[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.byGenerator)) a.byGenerator[k] = (a.byGenerator[k] ?? 0) + v;
  for (const [sig, f] of Object.entries(b.foreignBySignature)) {
    const into = (a.foreignBySignature[sig] ??= { count: 0, samples: [] });
    into.count += f.count;
    for (const s of f.samples) if (into.samples.length < SAMPLES) into.samples.push(s);
  }
  for (const s of b.mismatchSamples) if (a.mismatchSamples.length < SAMPLES) a.mismatchSamples.push(s);
  for (const s of b.leakSamples) if (a.leakSamples.length < SAMPLES) a.leakSamples.push(s);
  const cost = (x) => x.cpuMs ?? x.us / 1000;
  if (b.slowest && (!a.slowest || cost(b.slowest) > cost(a.slowest))) a.slowest = b.slowest;
  if (b.largestValue && (!a.largestValue || b.largestValue.perByte > a.largestValue.perByte)) a.largestValue = b.largestValue;
  if (b.worstPerKiB && (!a.worstPerKiB || b.worstPerKiB.usPerKiB > a.worstPerKiB.usPerKiB)) a.worstPerKiB = b.worstPerKiB;
  a.heapMax = Math.max(a.heapMax, b.heapMax);
  a.rssMax = Math.max(a.rssMax, b.rssMax);
  a.failures.push(...b.failures);
  return a;
}
