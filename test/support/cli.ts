/**
 * Runs the meterwire CLI from source (node --import tsx src/cli/main.ts …) as a child process, for the live-reading
 * tests: stdout split into JSON lines, stderr log records kept, bounded waits, and a stop() that always ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { waitFor } from './pty.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliRun {
  readonly child: ChildProcess;
  /** Parsed stdout JSON lines (non-JSON lines are kept as { text }). */
  readonly lines: Record<string, unknown>[];
  /** Raw stderr, for log lines and --stats. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Messages (lines without "error"). */
  messages(): Record<string, unknown>[];
  errors(): { code: string; message: string }[];
  /** Waits (bounded) until stderr contains `text`. */
  waitForLog(text: string | RegExp, attempts?: number): Promise<void>;
  waitForMessages(n: number, attempts?: number): Promise<void>;
  /** SIGTERM, then SIGKILL if it does not exit; resolves when it has exited. */
  stop(): Promise<number | null>;
}

/** The JSON lines a child prints on stdout, as they arrive (lines that are not JSON are kept as { text }). */
export function collectJsonLines(stdout: Readable | null): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let out = '';
  stdout?.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
    }
  });
  return lines;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = collectJsonLines(child.stdout);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const messages = () => lines.filter((l) => !('error' in l) && !('text' in l));
  const run: CliRun = {
    child,
    lines,
    stderr: () => err,
    exited,
    messages,
    errors: () => lines.filter((l) => 'error' in l).map((l) => l.error as { code: string; message: string }),
    waitForLog: (text, attempts = 1200) =>
      waitFor(() => (typeof text === 'string' ? err.includes(text) : text.test(err)), `log ${String(text)} in: ${err.slice(-500)}`, attempts),
    waitForMessages: (n, attempts = 2400) =>
      waitFor(() => messages().length >= n, `${n} messages (have ${messages().length}); stderr: ${err.slice(-500)}`, attempts),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  return run;
}

/** Resolves with the exit code, or kills the process after `ms` (a guard against hangs, not a timing check). */
export async function exitWithin(run: CliRun, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'hang'>((r) => { timer = setTimeout(() => r('hang'), ms); });
  const first = await Promise.race([run.exited, guard]);
  clearTimeout(timer);
  if (first === 'hang') {
    await run.stop();
    throw new Error(`process did not exit within ${ms} ms; stderr: ${run.stderr().slice(-800)}`);
  }
  return first;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Readings of a message as obis → value. */
export function readingValues(msg: Record<string, unknown>): Map<string, unknown> {
  const readings = (msg.readings ?? []) as { obis: string; id?: string; value: unknown }[];
  return new Map(readings.map((r) => [r.id ?? r.obis, r.value]));
}
