/**
 * Last-resort error reporting for the CLI, exit 1, no stack trace, its text through the run's redactor (a driver
 * or library message may quote a URL or a key). Piped, it is one JSON error line on stdout, like every other
 * error a command prints; in a terminal it is readable text on stderr (a JSON line with `\n` escapes is not).
 */
import { MeterError } from '../core/errors.js';
import { runSecrets } from './secrets.js';

export interface FatalError { code: string; layer: string; message: string }

export function fatalError(e: unknown): FatalError {
  const error = e instanceof MeterError
    ? { code: e.code, layer: e.layer, message: e.message }
    : { code: 'INTERNAL', layer: 'internal', message: `unexpected error: ${e instanceof Error ? e.message : String(e)}` };
  return { ...error, message: runSecrets.text(error.message) };
}

/** The readable form: `meterwire: CODE: message`, continuation lines indented as they are. */
export function formatFatalText(error: FatalError): string {
  return `meterwire: ${error.code}: ${error.message}\n`;
}

export function reportFatal(e: unknown): void {
  // A closed stdout (the reader of our output went away) is not an error to report on stdout again.
  if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') { process.exitCode ??= 0; return; }
  printFatal(fatalError(e));
}

/** Prints an error already made safe by fatalError (here or in a worker thread) and sets exit code 1. */
export function printFatal(error: FatalError): void {
  if (process.stdout.isTTY) process.stderr.write(formatFatalText(error));
  else process.stdout.write(JSON.stringify({ error }) + '\n');
  process.exitCode = 1;
}

process.on('uncaughtException', reportFatal);
