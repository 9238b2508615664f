/**
 * Last-resort error reporting for the CLI: one JSON error line on stdout, exit 1, no stack trace, and its text
 * through the run's redactor (a driver or library message may quote a URL or a key).
 */
import { MeterError } from '../core/errors.js';
import { runSecrets } from './secrets.js';

export function reportFatal(e: unknown): void {
  // A closed stdout (the reader of our output went away) is not an error to report on stdout again.
  if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') { process.exitCode ??= 0; return; }
  const error = e instanceof MeterError
    ? { code: e.code, layer: e.layer, message: e.message }
    : { code: 'INTERNAL', layer: 'internal', message: `unexpected error: ${e instanceof Error ? e.message : String(e)}` };
  process.stdout.write(JSON.stringify({ error: { ...error, message: runSecrets.text(error.message) } }) + '\n');
  process.exitCode = 1;
}

process.on('uncaughtException', reportFatal);
