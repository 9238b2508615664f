/**
 * Runs the CLI from source to its end in a chosen cwd, with stdin input and extra environment, for the
 * first-hour tests: what a new user types, checked by exit code, stdout and stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/cli.js';

export const MAIN = join(ROOT, 'src/cli/main.ts');
export const TSX = join(ROOT, 'node_modules/tsx/dist/loader.mjs');

export interface Ran { code: number | null; stdout: string; stderr: string }

export interface RunOptions {
  cwd?: string;
  input?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  /** Guard against a hang (not a timing check): the process is killed and the test fails after this long. */
  guardMs?: number;
}

/** The environment of a test run without key variables the developer may have set. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['KEY', 'AAD', 'METERWIRE_KEY', 'METERWIRE_AUTH_KEY']) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k]; else env[k] = v;
  return env;
}

export function cliCommand(args: string[]): string[] {
  return [process.execPath, '--import', `file://${TSX}`, MAIN, ...args];
}

export function runToEnd(args: string[], o: RunOptions = {}): Promise<Ran> {
  const [cmd, ...rest] = cliCommand(args);
  const child = spawn(cmd, rest, { cwd: o.cwd ?? ROOT, env: cleanEnv(o.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  child.stdin.on('error', () => undefined);
  child.stdin.end(o.input ?? '');
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`meterwire ${args.join(' ')} did not end within ${o.guardMs ?? 60_000} ms; stderr: ${stderr.slice(-600)}`));
    }, o.guardMs ?? 60_000);
    child.once('exit', (code) => { clearTimeout(guard); resolve({ code, stdout, stderr }); });
  });
}

/** JSON lines of a run's stdout (non-JSON lines dropped). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function tempDir(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `meterwire-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
