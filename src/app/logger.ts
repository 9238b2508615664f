/**
 * pino on stderr (stdout carries the messages): JSON lines for services and log collectors, a terse
 * "time level message" line when a person watches a terminal. Every record passes the one redaction module
 * (src/redact) on its way out: secret fields (key, authKey, password, token…) of logged objects, URL passwords
 * and secret query values in any string, and the run's known secrets (keys, passwords) in any encoding.
 */
import { pino, type Logger } from 'pino';
import { createRedactor, redactConfig, redactText, type Redactor } from '../redact/index.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface LoggerOptions {
  /** Knows the secrets of this run; without one only the structural rules apply. */
  redactor?: Redactor;
  /** Where finished lines go (default stderr). */
  write?: (line: string) => void;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * One record, redacted: the message as text (it is prose that may quote URLs), the other fields as a config
 * (secret fields by name), then every string through the redactor.
 */
function redactRecord(record: Record<string, unknown>, redactor: Redactor): Record<string, unknown> {
  const { msg, ...fields } = record;
  const safe = redactConfig(fields);
  return redactor.value(msg === undefined ? safe : { ...safe, msg: typeof msg === 'string' ? redactText(msg) : redactConfig(msg) });
}

/** A pino destination that redacts each JSON record and writes it as JSON or as one readable line. */
function destination(text: boolean, redactor: Redactor, write: (line: string) => void): { write(line: string): void } {
  return {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = redactRecord(JSON.parse(line) as Record<string, unknown>, redactor);
      } catch {
        write(redactor.text(line));
        return;
      }
      if (!text) {
        write(`${JSON.stringify(record)}\n`);
        return;
      }
      const t = new Date(record.time as number).toTimeString().slice(0, 8);
      const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
      write(`${t} ${level.padEnd(5)} ${typeof record.msg === 'string' ? record.msg : ''}\n`);
    },
  };
}

export function createLogger(level: LogLevel = 'info', format: 'auto' | 'json' | 'text' = 'auto', options: LoggerOptions = {}): Logger {
  const text = format === 'text' || (format === 'auto' && process.stderr.isTTY === true);
  const write = options.write ?? ((line: string) => { process.stderr.write(line); });
  // `time` and `level` are numbers pino writes itself; keep them out of the field rules.
  return pino({ level, base: undefined }, destination(text, options.redactor ?? createRedactor(), write));
}
