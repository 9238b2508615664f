/**
 * For the service and package tests: a process (the reader from source, the installed binary, `npm start`) with
 * its stdout JSON lines and stderr kept, and the MQTT output as the witness of what it flushed before it exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { record, unique, type Recorder } from './sinks-mqtt-support.js';
import { waitFor } from './fanout-support.js';
import { canConnectTcp, freePort } from './support/services.js';
import { collectJsonLines } from './support/cli.js';
export { freePort };

export const BROKER = 'mqtt://127.0.0.1:1883';

export interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Parsed stdout JSON lines; other lines as { text }. */
  readonly lines: Record<string, unknown>[];
  messages(): Record<string, unknown>[];
  errorCodes(): string[];
  stderr(): string;
  waitFor(what: string, cond: () => boolean, timeoutMs?: number): Promise<void>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

export function start(command: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; detached?: boolean }): Proc {
  const child = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: o.detached });
  const lines = collectJsonLines(child.stdout);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const messages = () => lines.filter((l) => 'readings' in l);
  return {
    child,
    exited,
    lines,
    messages,
    errorCodes: () => lines.filter((l) => 'error' in l).map((l) => (l.error as { code: string }).code),
    stderr: () => err,
    waitFor: (what, cond, timeoutMs = 20_000) => waitFor(`${what}; stderr: ${err.slice(-600)}`, cond, timeoutMs),
    kill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
}

/** True while a process with this pid runs (it may not be our child: an orphan of npm); a zombie has ended. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}


/**
 * A Mosquitto of the test's own (the binary), so the test can pause it (SIGSTOP): the reader's publishes then wait
 * for their acknowledgements and its queue fills, which is what a stop must drain.
 */
export async function startBroker(dir: string): Promise<{ url: string; pause(): void; resume(): void; stop(): Promise<void> }> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await canConnectTcp('127.0.0.1', port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('mosquitto did not start'); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** An MQTT output of its own, and a subscriber counting the `state` messages that reached the broker. */
export async function mqttWitness(broker = BROKER): Promise<{ url: string; states(): number; recorder: Recorder }> {
  const prefix = unique();
  const recorder = await record(broker, [`${prefix}/#`]);
  return {
    url: `${broker}/${prefix}?discovery=0&values=0&mode=every`, // every message: the default publishes each reading at most every 10 s
    states: () => recorder.messages.filter((m) => m.topic.endsWith('/state') && !m.retain).length,
    recorder,
  };
}

/**
 * SIGTERM must drain the queues: every message the reader printed was also published. The subscriber may see the
 * last ones a moment after the reader exited, hence the bounded wait before the exact comparison.
 */
export async function assertFlushed(printed: number, witness: { states(): number }, equal: (a: number, b: number, m: string) => void): Promise<void> {
  await waitFor(`the broker to deliver ${printed} state messages (has ${witness.states()})`, () => witness.states() >= printed, 10_000).catch(() => undefined);
  equal(witness.states(), printed, 'every message printed before the stop was also delivered to the MQTT output');
}

export { unique };
