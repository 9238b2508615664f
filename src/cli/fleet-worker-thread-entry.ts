/** The worker thread of `meterwire fleet worker` (fleet-worker-thread.ts): runs the worker, reports how it ended. */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { fatalError } from './fatal.js';
import { runFleetWorker, type WorkerFlags } from './fleet-command.js';
import type { FromWorkerThread, ToWorkerThread } from './fleet-worker-thread.js';
import type { StopSignalOptions } from './stop-signals.js';
import { LIVE_BACKENDS } from '../fleet/live-backends.js';

const port = parentPort;
if (port === null) throw new Error('fleet-worker-thread-entry.js runs only as a worker thread');
const { flags, logFormat } = workerData as { flags: WorkerFlags; logFormat: 'json' | 'text' };

/** Stop and reload arrive from the main thread, which holds the signals. */
function signalsFromMainThread(o: StopSignalOptions): () => void {
  let stopping = false;
  const onMessage = (m: ToWorkerThread) => {
    if ('stop' in m) {
      if (!stopping) o.stop(m.stop);
      stopping = true;
    } else if (!stopping) o.reload();
  };
  port!.on('message', onMessage);
  return () => port!.off('message', onMessage);
}

/**
 * Log lines go straight to fd 2, in order and before the outcome is posted: a worker thread's process.stderr is
 * relayed through the main thread, which may exit on the outcome before the relay is through.
 */
function writeLine(line: string): void {
  try {
    writeSync(2, line);
  } catch {
    process.stderr.write(line); // a non-blocking stderr that is full (EAGAIN): let the relay queue it
  }
}

let outcome: FromWorkerThread;
try {
  outcome = { exitCode: await runFleetWorker(flags, LIVE_BACKENDS, { logFormat, logWrite: writeLine, stopSignals: signalsFromMainThread }) };
} catch (e) {
  outcome = { fatal: fatalError(e) };
}
port.postMessage(outcome);
port.close(); // nothing more to hear from the main thread: the thread ends once its last handles have closed
