// npm run fuzz: ≥ 1,000,000 random, mutated and hostile inputs per entry point of the decoding core (issue 7,
// "Tests"), from dist/. Each entry point runs in a worker thread with a heap limit; the main thread watches each
// call's duration and the process RSS, so a hang or a memory blow-up is reported with its input, not a crash.
// Exit code 1 when anything foreign was thrown or reported, a call hung or ran out of heap, chunking changed a
// result or a key showed up in an output. Flags: --seed N --iterations N --entry a,b (names or prefixes)
// --start I --jobs N --timeout-ms N --heap-mb N --rss-mb N --disable gen,… --report file.json --list.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setInterval, clearInterval } from 'node:timers';
import { randomInt } from 'node:crypto';
import { URL } from 'node:url';
import { ENTRIES } from './fuzz/entries.mjs';
import { emptyTally, mergeTally, HEX_LIMIT, SHARED, threadCpuMs } from './fuzz/tally.mjs';
import { entryBlock, summaryTable, verdict } from './fuzz/report.mjs';
import { VECTORS_PATH } from './fuzz/corpus.mjs';

const FATAL_PER_GENERATOR = 2;
const FATAL_PER_ENTRY = 24;

function parseArgs(argv) {
  const o = { seed: randomInt(1, 2 ** 31), iterations: 1_000_000, start: 0, entries: undefined, jobs: Math.min(2, availableParallelism()),
    timeoutMs: 3000, heapMb: 1536, rssMb: 6144, disable: [], report: undefined, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const num = () => { const x = Number(v()); if (!Number.isFinite(x) || x < 0) throw new Error(`${a} needs a number`); return Math.floor(x); };
    switch (a) {
      case '--seed': o.seed = num(); break;
      case '--iterations': o.iterations = num(); break;
      case '--start': o.start = num(); break;
      case '--entry': case '--entries': o.entries = v().split(',').filter(Boolean); break;
      case '--jobs': o.jobs = Math.max(1, num()); break;
      case '--timeout-ms': o.timeoutMs = num(); break;
      case '--heap-mb': o.heapMb = num(); break;
      case '--rss-mb': o.rssMb = num(); break;
      case '--disable': o.disable = v().split(',').filter(Boolean); break;
      case '--report': o.report = v(); break;
      case '--list': o.list = true; break;
      default: throw new Error(`unknown option ${a} (see the header of bench/fuzz.mjs)`);
    }
  }
  return o;
}

function selectEntries(names) {
  if (!names) return ENTRIES;
  const picked = ENTRIES.filter((e) => names.some((x) => e.name === x || e.name.startsWith(`${x}:`) || (x.endsWith('*') && e.name.startsWith(x.slice(0, -1)))));
  const unknown = names.filter((x) => !ENTRIES.some((e) => e.name === x || e.name.startsWith(`${x}:`) || (x.endsWith('*') && e.name.startsWith(x.slice(0, -1)))));
  if (unknown.length) throw new Error(`unknown entry point(s) ${unknown.join(', ')}; known: ${ENTRIES.map((e) => e.name).join(', ')}`);
  return picked;
}

/** Reads what the worker published about the call it is in (or was in when it died). */
function currentCall(shared, generators) {
  const header = new Int32Array(shared, 0, SHARED.header);
  const started = new Float64Array(shared, SHARED.header * 4, 1)[0];
  const bytes = new Uint8Array(shared, SHARED.header * 4 + 8, SHARED.inputBytes);
  const size = header[2];
  return {
    busy: Atomics.load(header, 3) === 1, iteration: header[0], gen: generators?.[header[1]] ?? `generator #${header[1]}`, size,
    hex: Buffer.from(bytes.subarray(0, Math.min(size, HEX_LIMIT))).toString('hex'), truncated: size > HEX_LIMIT,
    pushes: header[4], ms: performance.timeOrigin + performance.now() - started,
  };
}

/**
 * Fails the active call of `s` when it used more than the timeout in CPU time of its thread (so a machine busy
 * with other work does not turn slow wall-clock calls into failures), or, without /proc, in wall-clock time.
 * A wall-clock backstop of 10× the timeout catches a thread that is starved or stuck outside JavaScript.
 */
function watch(opts, s, rss) {
  const a = s.active;
  const call = currentCall(a.shared, s.generators);
  if (!call.busy) return;
  const cpu = a.tid === undefined ? undefined : threadCpuMs(`/proc/self/task/${a.tid}/stat`);
  if (call.iteration !== a.watchIteration) { a.watchIteration = call.iteration; a.watchCpu = cpu; }
  const used = cpu !== undefined && a.watchCpu !== undefined ? cpu - a.watchCpu : undefined;
  const at = `${Math.round(call.ms)} ms wall clock, process RSS ${(rss / 1048576).toFixed(0)} MB`;
  if (used !== undefined ? used > opts.timeoutMs : call.ms > opts.timeoutMs) {
    a.fail('timeout', `one call used more than ${opts.timeoutMs} ms of ${used !== undefined ? 'CPU' : 'wall-clock'} time (${at})`);
  } else if (call.ms > 10 * opts.timeoutMs) a.fail('timeout', `one call ran for more than ${10 * opts.timeoutMs} ms (${at})`);
  else if (rss > opts.rssMb * 1048576) a.fail('rss limit', `process RSS passed ${opts.rssMb} MB (${at})`);
}

/** Runs [state.next, end) of one entry point in a worker; resolves when it finished, failed or hung. */
function runSegment(opts, state, end) {
  return new Promise((resolve) => {
    const shared = new SharedArrayBuffer(SHARED.header * 4 + 8 + SHARED.inputBytes);
    const from = state.next;
    const worker = new Worker(new URL('./fuzz/worker.mjs', import.meta.url), {
      workerData: { entryName: state.name, seed: opts.seed, from, to: end, skip: state.skip, disabled: state.disabled, shared },
      // ~1 MB of stack like Node's main thread, so recursion fails where it would fail in the CLI.
      resourceLimits: { maxOldGenerationSizeMb: opts.heapMb, stackSizeMb: 1 },
    });
    let snapshot, settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      state.active = undefined;
      if (snapshot) mergeTally(state.tally, snapshot.tally);
      if (outcome.failure) state.next = snapshot ? snapshot.next : from;
      worker.terminate().finally(() => resolve(outcome));
    };
    state.active = { worker, shared, fail: (kind, detail) => finish({ failure: { kind, detail, ...currentCall(shared, state.generators) } }) };
    worker.on('message', (m) => {
      if (m.type === 'ready') {
        state.generators = m.generators;
        if (state.active) state.active.tid = m.tid;
        for (const w of [...m.warnings, ...m.notes]) state.warnings.add(w);
      } else if (m.type === 'progress') snapshot = m;
      else if (m.type === 'done') { snapshot = m; state.next = end; finish({}); }
      else if (m.type === 'setup-failed') { state.setupError = m.message; finish({ stop: true }); }
    });
    worker.on('error', (e) => {
      const oom = e?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (oom) state.tally.heapMax = Math.max(state.tally.heapMax, opts.heapMb * 1048576);
      state.active?.fail(oom ? 'heap limit' : 'crash', oom ? `worker ran out of its ${opts.heapMb} MB heap` : `${e?.name}: ${e?.message}`);
    });
    worker.on('exit', (code) => state.active?.fail('crash', `worker exited with code ${code}`));
  });
}

function recordFailure(state, f) {
  if (!f.busy) {
    state.tally.failures.push({ ...f, iteration: state.next, gen: '(between calls)' });
    state.stopped = `${f.kind} outside a call (${f.detail}); the entry point cannot continue`;
    return;
  }
  state.tally.failures.push({ ...f, disabled: [...state.disabled] });
  state.tally.inputs++;
  state.tally.byGenerator[f.gen] = (state.tally.byGenerator[f.gen] ?? 0) + 1;
  state.skip.push(f.iteration);
  state.fatalByGen[f.gen] = (state.fatalByGen[f.gen] ?? 0) + 1;
  if (f.gen.startsWith('hostile:') && state.fatalByGen[f.gen] >= FATAL_PER_GENERATOR && !state.disabled.includes(f.gen)) {
    state.disabled.push(f.gen);
    state.disabledNotes.push(`generator ${f.gen} disabled from #${f.iteration} on after ${state.fatalByGen[f.gen]} failures`);
  }
  if (state.tally.failures.length >= FATAL_PER_ENTRY) state.stopped = `${FATAL_PER_ENTRY} failures; stopped at #${f.iteration}`;
}

async function runEntry(opts, state) {
  const end = opts.start + opts.iterations;
  const t0 = performance.now();
  while (state.next < end && !state.stopped && !state.setupError) {
    const outcome = await runSegment(opts, state, end);
    if (outcome.failure) recordFailure(state, outcome.failure);
  }
  state.seconds = (performance.now() - t0) / 1000;
  state.finished = true;
}

function progressLine(states, t0) {
  const secs = (performance.now() - t0) / 1000;
  const parts = states.filter((s) => s.active).map((s) => {
    const live = s.active ? currentCall(s.active.shared, s.generators).iteration - s.first : 0;
    return `${s.name} ${Math.round((100 * Math.max(0, live)) / s.total)}%`;
  });
  const done = states.filter((s) => s.finished).length;
  const foreign = states.reduce((a, s) => a + s.tally.foreign, 0);
  const failures = states.reduce((a, s) => a + s.tally.failures.length, 0);
  return `[${Math.floor(secs / 60)}m${String(Math.floor(secs % 60)).padStart(2, '0')}s] ${parts.join(' | ') || '…'} | ` +
    `${done}/${states.length} done | foreign so far ${foreign} | failures ${failures}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.list) { for (const e of ENTRIES) console.log(`${e.name.padEnd(14)} input kind: ${e.domain}`); return 0; }
  const entries = selectEntries(opts.entries);
  console.log(`meterwire fuzz — seed ${opts.seed}, ${opts.iterations.toLocaleString('en-US')} inputs per entry point from #${opts.start}, ` +
    `${entries.length} entry points, ${opts.jobs} workers, node ${process.version}`);
  console.log(`limits per call: ${opts.timeoutMs} ms of CPU, ${opts.heapMb} MB heap per worker, ${opts.rssMb} MB process RSS; corpus: ${VECTORS_PATH} + simulator`);
  console.log(`reproduce this run: node bench/fuzz.mjs --seed ${opts.seed}${opts.entries ? ` --entry ${opts.entries.join(',')}` : ''} --iterations ${opts.iterations}\n`);
  const states = entries.map((e) => ({ name: e.name, next: opts.start, first: opts.start, total: opts.iterations, tally: emptyTally(), skip: [],
    disabled: [...opts.disable], disabledNotes: [], fatalByGen: {}, warnings: new Set(), rssMax: 0 }));
  const t0 = performance.now();
  const watchdog = setInterval(() => {
    const rss = process.memoryUsage.rss();
    for (const s of states) {
      if (!s.active) continue;
      s.rssMax = Math.max(s.rssMax, rss);
      watch(opts, s, rss);
    }
  }, 100);
  const progress = setInterval(() => console.log(progressLine(states, t0)), 5000);
  const queue = [...states];
  await Promise.all(Array.from({ length: Math.min(opts.jobs, queue.length) }, async () => {
    for (let s = queue.shift(); s; s = queue.shift()) await runEntry(opts, s);
  }));
  clearInterval(watchdog);
  clearInterval(progress);

  const warnings = new Set(states.flatMap((s) => [...s.warnings]));
  console.log('');
  for (const w of warnings) console.log(`note: ${w}`);
  for (const s of states) console.log(`\n${entryBlock(opts, s)}`);
  console.log(`\n${summaryTable(states)}`);
  const secs = (performance.now() - t0) / 1000;
  const bad = verdict(states);
  console.log(`\n${secs.toFixed(0)} s, seed ${opts.seed}: ${bad.length ? `DEFECTS FOUND\n  ${bad.join('\n  ')}` : 'no foreign exception, no failure'}`);
  if (opts.report) {
    writeFileSync(opts.report, JSON.stringify({ seed: opts.seed, iterations: opts.iterations, start: opts.start, seconds: secs, warnings: [...warnings],
      entries: states.map((s) => ({ name: s.name, setupError: s.setupError, stopped: s.stopped, disabled: s.disabledNotes, rssMax: s.rssMax, ...s.tally })) }, null, 1));
    console.log(`report written to ${opts.report}`);
  }
  return bad.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(`fuzz: ${e.message}`); process.exitCode = 2; });
