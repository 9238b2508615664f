/**
 * The frame counters kept across restarts, in the state dir (`--state-dir`, default ./data):
 * - `frame-counters.json`: `{"version":1,"meters":{"<system title>":{"counter":n,"seen":"<ISO time>"}}}`
 *   (the `{"<title>": n}` files of earlier versions are read too).
 * - `counter-resets/<system title>.json`: a reset confirmed by `meterwire counters reset`, one file per title, so the
 *   command and a running reader never rewrite the same file. The reader looks for one when a frame of that title
 *   would be refused (at most once a second per title, so a replay flood costs no file lookup per frame) and removes
 *   it when it takes it.
 *
 * Durability: the reader commits the counters of a pushed chunk before it hands any of its messages on, by writing a
 * temporary file and renaming it over the old one (atomic: a reader of the file sees the old or the new content).
 * A crash or kill at any moment therefore never leaves a delivered frame unrecorded: at worst the frames of the chunk
 * being written are lost, not replayable. There is no fsync per commit (as SQLite's synchronous=NORMAL, to spare SD
 * cards): a power cut may lose the renames the file system had not yet committed (ext4: its 5 s commit interval; ext4
 * and btrfs keep a renamed-over file whole), so frames delivered in those last seconds can be replayed once each after
 * the reboot, and only until the meter's next genuine frame moves the counter past them. A clean stop fsyncs.
 * A file that exists but cannot be read is an error at start (fail closed): forgetting counters would let every old
 * frame through once. A failed write while running is logged; the counters in memory still hold until a restart.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MeterError } from '../core/errors.js';
import { normalizeSystemTitle, type CounterEntry, type CounterState, type CounterStore, type ResetConfirmation } from './frame-counter-tracker.js';

export const COUNTERS_FILE = 'frame-counters.json';
const RESETS_DIR = 'counter-resets';
const MAX_COUNTER = 0xffffffff;

/** Replaces `path` with `text` atomically (temporary file in the same directory, then rename). */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Forces the file's content to disk (at a clean stop). */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function unreadable(path: string, why: string): MeterError {
  return new MeterError('BAD_CONFIG', 'config', `frame counters in ${path} cannot be read (${why}). Replay protection needs ` +
    'them: restore the file, or move it away to start over (then recorded old frames can pass again)');
}

function isCounter(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_COUNTER;
}

/** Parses the state file's text (current or earlier format); throws naming the file and what is wrong. */
export function parseCounterState(text: string, path: string): CounterState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw unreadable(path, (e as Error).message);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw unreadable(path, 'not a JSON object');
  const v1 = (data as { version?: unknown }).version === 1;
  const entries = v1 ? (data as { meters?: unknown }).meters : data;
  if (typeof entries !== 'object' || entries === null) throw unreadable(path, 'no "meters" object');
  const meters: Record<string, CounterEntry> = {};
  for (const [title, value] of Object.entries(entries)) {
    const e = v1 ? value as CounterEntry : { counter: value as number };
    if (!/^[0-9a-f]{2,64}$/.test(title) || typeof e !== 'object' || e === null || !isCounter(e.counter)) {
      throw unreadable(path, `bad entry for "${title.slice(0, 32)}"`);
    }
    meters[title] = typeof e.seen === 'string' ? { counter: e.counter, seen: e.seen } : { counter: e.counter };
  }
  return { version: 1, meters };
}

/** The kept counters of a state dir (empty when there is no file yet). */
export function readCounters(stateDir: string): CounterState {
  const path = join(stateDir, COUNTERS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, meters: {} };
    throw unreadable(path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  return parseCounterState(text, path);
}

function confirmationPath(stateDir: string, title: string): string {
  return join(stateDir, RESETS_DIR, `${title}.json`);
}

function readConfirmation(path: string): ResetConfirmation | undefined {
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as ResetConfirmation;
    return isCounter(c.counter) ? c : undefined;
  } catch {
    return undefined;
  }
}

/** Pending confirmations of a state dir, by title. */
export function readConfirmations(stateDir: string): Map<string, ResetConfirmation> {
  const out = new Map<string, ResetConfirmation>();
  let names: string[];
  try {
    names = readdirSync(join(stateDir, RESETS_DIR));
  } catch {
    return out;
  }
  for (const n of names) {
    const m = /^([0-9a-f]{16})\.json$/.exec(n);
    const c = m && readConfirmation(join(stateDir, RESETS_DIR, n));
    if (m && c) out.set(m[1], c);
  }
  return out;
}

/**
 * `meterwire counters reset <title>`: confirms that the meter was reset. The next frame of that title at or below
 * the counter kept now is accepted once (see frame-counter-tracker.ts); a running reader takes it at that frame.
 */
export function confirmCounterReset(stateDir: string, systemTitle: string, at = new Date().toISOString()): ResetConfirmation & { systemTitle: string } {
  const title = normalizeSystemTitle(systemTitle);
  const kept = readCounters(stateDir).meters;
  const e = kept[title];
  if (!e) {
    const known = Object.keys(kept);
    throw new MeterError('BAD_CONFIG', 'config', `no frame counter kept for system title ${title} in ${join(stateDir, COUNTERS_FILE)} ` +
      `(${known.length ? `kept: ${known.join(', ')}` : 'none kept'}); a title without one is accepted anyway`);
  }
  const c: ResetConfirmation = { counter: e.counter, at };
  writeFileAtomic(confirmationPath(stateDir, title), JSON.stringify(c));
  return { systemTitle: title, ...c };
}

/** The reader's store in a state dir: `commit` writes the whole state atomically, `sync` fsyncs it at a clean stop. */
export function openCounterStore(stateDir: string): CounterStore & { readonly path: string; sync(): void } {
  const path = join(stateDir, COUNTERS_FILE);
  let written = false;
  return {
    path,
    load() {
      const s = readCounters(stateDir);
      return Object.keys(s.meters).length ? s : undefined;
    },
    commit(state) {
      writeFileAtomic(path, JSON.stringify(state));
      written = true;
    },
    takeConfirmation(title) {
      const p = confirmationPath(stateDir, title);
      if (!existsSync(p)) return undefined;
      const c = readConfirmation(p);
      if (c) {
        try { unlinkSync(p); } catch { /* already gone: taken once either way */ }
      }
      return c;
    },
    sync() {
      if (written) syncFile(path);
    },
  };
}
