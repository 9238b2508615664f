/**
 * pino on stderr (stdout carries the messages): JSON lines for services and log collectors, a terse
 * "time level message" line when a person watches a terminal. Key fields are redacted even if a config
 * object is logged.
 */
import { pino, type Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino destination that renders each JSON record as one readable line. */
const terminal = {
  write(line: string): void {
    try {
      const o = JSON.parse(line) as { level: number; time: number; msg?: string };
      const t = new Date(o.time).toTimeString().slice(0, 8);
      process.stderr.write(`${t} ${(LEVEL_NAMES[o.level] ?? String(o.level)).padEnd(5)} ${o.msg ?? ''}\n`);
    } catch {
      process.stderr.write(line);
    }
  },
};

export function createLogger(level: LogLevel = 'info', format: 'auto' | 'json' | 'text' = 'auto'): Logger {
  const text = format === 'text' || (format === 'auto' && process.stderr.isTTY === true);
  return pino({
    level,
    base: undefined,
    redact: { paths: ['key', 'authKey', '*.key', '*.authKey', 'config.key', 'config.authKey'], censor: '***redacted***' },
  }, text ? terminal : pino.destination({ fd: 2, sync: true }));
}
