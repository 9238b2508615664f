/**
 * `meterwire counters list|reset`: the frame counters the reader keeps per system title for replay protection
 * (src/app/frame-counter-tracker.ts, state in src/app/state-file.ts). `reset` is how a user confirms that a meter
 * really restarted its counter (firmware update, exchange keeping the title): never accepted without it.
 */
import { join } from 'node:path';
import { hexToBytes } from '../core/bytes/hex.js';
import { manufacturerFromSystemTitle } from '../core/profiles/select.js';
import { COUNTERS_FILE, confirmCounterReset, readConfirmations, readCounters } from '../app/state-file.js';
import { loadConfigFile } from './config-file.js';

export interface CountersFlags { stateDir?: string; config?: string; json?: boolean }

function stateDirOf(flags: CountersFlags): string {
  return flags.stateDir ?? (flags.config ? loadConfigFile(flags.config).stateDir : undefined) ?? 'data';
}

export function runCountersList(flags: CountersFlags): number {
  const dir = stateDirOf(flags);
  const kept = readCounters(dir).meters;
  const pending = readConfirmations(dir);
  const rows = Object.entries(kept).map(([systemTitle, e]) => {
    const c = pending.get(systemTitle);
    return {
      systemTitle, manufacturer: manufacturerFromSystemTitle(hexToBytes(systemTitle)) || undefined, counter: e.counter, seen: e.seen,
      resetConfirmed: c && { counter: c.counter, at: c.at, stale: c.counter !== e.counter },
    };
  });
  if (flags.json) {
    process.stdout.write(JSON.stringify({ file: join(dir, COUNTERS_FILE), meters: rows }) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no frame counters kept in ${join(dir, COUNTERS_FILE)} yet\n`);
    return 0;
  }
  const lines = [`frame counters kept in ${join(dir, COUNTERS_FILE)}:`, 'system title      maker  counter     last accepted frame'];
  for (const r of rows) {
    const reset = !r.resetConfirmed ? ''
      : r.resetConfirmed.stale ? `  reset confirmed at ${r.resetConfirmed.counter}, void: the meter went on counting`
        : '  reset confirmed: its next frame at or below this counter is accepted once';
    lines.push(`${r.systemTitle}  ${(r.manufacturer ?? '?').padEnd(5)}  ${String(r.counter).padEnd(10)}  ${r.seen ?? '?'}${reset}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

export function runCountersReset(systemTitle: string, flags: CountersFlags): number {
  const dir = stateDirOf(flags);
  const c = confirmCounterReset(dir, systemTitle);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ confirmed: c }) + '\n');
    return 0;
  }
  process.stdout.write(`reset confirmed for system title ${c.systemTitle} (kept counter ${c.counter}): its next frame at or below ` +
    `${c.counter} is accepted once, with a FRAME_COUNTER_RESET issue (a running reader takes it at that frame). If the meter ` +
    `goes on counting above ${c.counter} instead, the confirmation is void.\n`);
  return 0;
}
