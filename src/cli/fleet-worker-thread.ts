/**
 * `meterwire fleet worker` runs its work in a worker thread whose young generation is capped at 12 MB (what
 * `--max-semi-space-size=4` gives the main thread). V8 sizes the young generation only when an isolate starts, and
 * its default (up to 16 MB semi-spaces) costs a worker under load ~25 MB of RSS: 175 MB instead of ≤ 150 with
 * 100,000 meters cached (docs/fleet-bench.md). A worker thread is the one isolate node lets a program size itself
 * (`resourceLimits`), so no NODE_OPTIONS is needed; the idle main thread and the second isolate cost ~10 MB.
 *
 * The main thread keeps the signals (worker threads get none) and passes stop and reload on; the thread reports
 * its exit code, or its fatal error already redacted. A user who sizes the young generation on node's command line
 * or in NODE_OPTIONS gets the worker in the main thread, with their setting.
 */
import { Worker } from 'node:worker_threads';
import type { FatalError } from './fatal.js';
import { handleStopSignals } from './stop-signals.js';

export const FLEET_WORKER_YOUNG_GENERATION_MB = 12;
const EXIT_GRACE_MS = 2000;

/** Messages from the main thread to the worker thread. */
export type ToWorkerThread = { stop: string } | { reload: true };
/** The worker thread's last message. */
export type FromWorkerThread = { exitCode: number } | { fatal: FatalError };

/** Whether node was told the young generation's size (then the worker runs in the main thread, as asked). */
export function youngGenerationSizedByUser(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const sizing = /^--(max|min)[-_]semi[-_]space[-_]size(=|$)/;
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => sizing.test(a));
}

/** How the thread ended: its exit code, the fatal error it reported (already redacted), or what crashed it. */
export type ThreadOutcome = FromWorkerThread | { crashed: unknown };

/**
 * The thread's entry: the built .js beside this file; from source (tests run the CLI through tsx, whose loader a
 * worker thread does not inherit on node 20) a bootstrap that registers tsx first, then imports the .ts entry.
 */
function threadScript(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./fleet-worker-thread-entry.js', import.meta.url), {}];
  const entry = JSON.stringify(new URL('./fleet-worker-thread-entry.ts', import.meta.url).href);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return [`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`, { eval: true }];
}

/** Runs the worker thread with the command's flags until it ends; `log` is for the main thread's own few lines. */
export function runInWorkerThread(flags: object, logFormat: 'json' | 'text', log: { warn(msg: string): void }): Promise<ThreadOutcome> {
  const [script, how] = threadScript();
  const worker = new Worker(script, {
    ...how,
    workerData: { flags, logFormat },
    resourceLimits: { maxYoungGenerationSizeMb: FLEET_WORKER_YOUNG_GENERATION_MB },
  });
  const unhook = handleStopSignals({
    stop: (reason) => worker.postMessage({ stop: reason } satisfies ToWorkerThread),
    reload: () => worker.postMessage({ reload: true } satisfies ToWorkerThread),
    log,
  });
  return new Promise<ThreadOutcome>((resolve) => {
    let last: FromWorkerThread | undefined;
    let crashed: unknown;
    worker.on('message', (m: FromWorkerThread) => {
      last = m;
      // Its resources are closed; a handle some library left open must not keep the process from exiting.
      setTimeout(() => void worker.terminate(), EXIT_GRACE_MS).unref();
    });
    worker.on('error', (e) => { crashed = e; });
    worker.on('exit', (code) => {
      unhook();
      if (last !== undefined) resolve(last);
      else resolve(crashed !== undefined ? { crashed } : { exitCode: code || 1 });
    });
  });
}
