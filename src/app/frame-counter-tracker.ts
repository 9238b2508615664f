/**
 * Replay protection (DESIGN §7 "counter monotonic"; DLMS/COSEM Green Book, general-glo-ciphering: the invocation
 * counter is part of the GCM IV and must grow with every frame a meter sends under one key).
 *
 * Rule: per system title the kept counter never goes backwards. A frame whose counter is at or below the kept one is
 * a replay: refused. A new title on a line where another one is kept is reported once (SYSTEM_TITLE_CHANGED): a
 * second meter or an exchanged one; two meters alternating on one line get it only for the first frame of the second.
 * The tracker only decides; the reader persists the state (before it delivers) and turns verdicts into errors.
 *
 * A real meter reset is NEVER accepted automatically. A meter that restarts its counter under the same title and key
 * sends counters it already used: exactly what a recording of its old frames contains. No rule on counters alone
 * tells them apart — "N increasing frames below the kept value" is met by replaying N consecutive recorded frames,
 * and "never seen before" fails for frames recorded while no reader was listening. (The meter's own clock inside the
 * frame would tell them apart, but not every meter sends one and a firmware update may reset it too.) So a reset is
 * accepted only when the user confirmed it: `meterwire counters reset <title>` (a confirmation made against the
 * counter kept at that moment) or `--accept-counter-reset <title>` (against the counter kept at start). A
 * confirmation is used by the first frame at or below the kept counter — accepted once, with FRAME_COUNTER_RESET —
 * and is void as soon as the meter goes on counting above it, so a confirmation the meter did not need is no
 * standing door for old frames. After a reset the meter reuses counters with the same key (a GCM nonce reuse): a
 * recorded frame above the new counter passes again; the message says so and to ask the operator for a new key.
 */
import type { MessageIssue } from '../core/model/message.js';
import { MeterError } from '../core/errors.js';

/** Titles kept per line: a flood of invented titles (plaintext envelopes carry any) must not grow the state. */
export const MAX_TITLES = 1024;

export interface CounterEntry {
  counter: number;
  /** When the reader last accepted a frame of this title (ISO 8601), for `meterwire counters list`. */
  seen?: string;
}

/** What the state file holds (`frame-counters.json`). */
export interface CounterState {
  version: 1;
  meters: Record<string, CounterEntry>;
}

/** A reset the user confirmed, made against the counter kept for the title at that moment. */
export interface ResetConfirmation {
  counter: number;
  at?: string;
}

/** Where the reader keeps counters across restarts (the state dir, or memory in tests). */
export interface CounterStore {
  /** Counters kept by earlier runs; undefined when there are none. Throws when they exist but cannot be read. */
  load(): CounterState | undefined;
  /** Replaces the kept state, synchronously: it is called before the messages it vouches for are delivered. */
  commit(state: CounterState): void;
  /** A confirmation from `meterwire counters reset` for this title, removed as it is taken. */
  takeConfirmation(systemTitle: string): ResetConfirmation | undefined;
}

export type CounterVerdict =
  | { kind: 'first'; issue?: MessageIssue }
  | { kind: 'monotonic'; note?: string }
  | { kind: 'reset'; issue: MessageIssue }
  | { kind: 'replay'; message: string; note?: string }
  | { kind: 'limit'; message: string };

export interface CounterTracker {
  /** `nowMs`: when the frame arrived (kept as `seen` when it is accepted). */
  check(systemTitle: string, counter: number, nowMs: number): CounterVerdict;
  /** Confirms a reset for this run (`--accept-counter-reset`); false when no counter is kept for the title. */
  acceptReset(systemTitle: string): boolean;
  /** True when a verdict changed the state since the last snapshot. */
  readonly dirty: boolean;
  snapshot(): CounterState;
}

export interface TrackerOptions {
  initial?: CounterState;
  confirmations?: (systemTitle: string) => ResetConfirmation | undefined;
  maxTitles?: number;
}

/** `4B 46 4D 67 50 00 00 09` or `4b464d6750000009` → `4b464d6750000009` (8 bytes, as messages print it). */
export function normalizeSystemTitle(text: string): string {
  const t = text.replace(/[\s:-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(t)) {
    throw new MeterError('BAD_CONFIG', 'config', `"${text}" is not a system title: 16 hex digits (8 bytes), e.g. 4b464d6750000009 (see meterwire counters list)`);
  }
  return t;
}

function titleChanged(title: string, known: Iterable<string>): MessageIssue {
  const list = [...known].slice(0, 3).join(', ');
  return { code: 'SYSTEM_TITLE_CHANGED', message: `system title ${title} is new on this line, where ${list} sent before: ` +
    'another meter on the line, or an exchanged meter? (reported once per new title)' };
}

function resetIssue(title: string, from: number, to: number): MessageIssue {
  return { code: 'FRAME_COUNTER_RESET', message: `frame counter of system title ${title} reset from ${from} to ${to}, ` +
    'accepted once as confirmed. The meter now reuses counters under the same key: ask the grid operator for a new key.' };
}

function replayMessage(title: string, counter: number, kept: number): string {
  if (counter === kept) return `frame counter ${counter} repeated for system title ${title}: replayed or duplicated frame, not delivered`;
  return `frame counter ${counter} of system title ${title} is below the kept ${kept}: replayed frame, not delivered. ` +
    `If the meter was really reset, confirm it once: meterwire counters reset ${title} (or read --accept-counter-reset ${title})`;
}

export function createCounterTracker(o: TrackerOptions = {}): CounterTracker {
  const max = o.maxTitles ?? MAX_TITLES;
  const kept = new Map<string, CounterEntry>();
  for (const [title, e] of Object.entries(o.initial?.meters ?? {})) kept.set(title, { ...e });
  /** `--accept-counter-reset`: title → the counter kept when it was given. */
  const accepted = new Map<string, number>();
  let dirty = false;

  function set(e: CounterEntry, counter: number, nowMs: number): void {
    e.counter = counter;
    e.seen = new Date(nowMs).toISOString();
    dirty = true;
  }

  function confirmation(title: string): (ResetConfirmation & { via: string }) | undefined {
    const c = accepted.get(title);
    if (c !== undefined) { accepted.delete(title); return { counter: c, via: '--accept-counter-reset' }; }
    const f = o.confirmations?.(title);
    return f && { ...f, via: 'meterwire counters reset' };
  }

  function first(title: string, counter: number, nowMs: number): CounterVerdict {
    if (kept.size >= max) {
      return { kind: 'limit', message: `${kept.size} system titles are kept for this line already: frame of a new one (${title}) refused. ` +
        'See meterwire counters list; a line carries one meter or a few.' };
    }
    const issue = kept.size > 0 ? titleChanged(title, kept.keys()) : undefined;
    kept.set(title, { counter, seen: new Date(nowMs).toISOString() });
    dirty = true;
    return issue ? { kind: 'first', issue } : { kind: 'first' };
  }

  return {
    check(title, counter, nowMs) {
      const e = kept.get(title);
      if (e === undefined) return first(title, counter, nowMs);
      if (counter > e.counter) {
        const was = e.counter;
        set(e, counter, nowMs);
        if (accepted.size === 0 || !accepted.delete(title)) return { kind: 'monotonic' };
        return { kind: 'monotonic', note: `--accept-counter-reset ${title} not needed: its counter went on from ${was} to ${counter}` };
      }
      const c = confirmation(title);
      if (c && c.counter === e.counter) {
        const issue = resetIssue(title, e.counter, counter);
        set(e, counter, nowMs);
        return { kind: 'reset', issue };
      }
      const note = c && `reset confirmation for ${title} (${c.via}, made at counter ${c.counter}) dropped: ` +
        `the meter went on counting to ${e.counter} since, so it was not reset then`;
      return note ? { kind: 'replay', message: replayMessage(title, counter, e.counter), note }
        : { kind: 'replay', message: replayMessage(title, counter, e.counter) };
    },
    acceptReset(title) {
      const e = kept.get(title);
      if (!e) return false;
      accepted.set(title, e.counter);
      return true;
    },
    get dirty() { return dirty; },
    snapshot() {
      dirty = false;
      const meters: Record<string, CounterEntry> = {};
      for (const [title, e] of kept) meters[title] = { ...e };
      return { version: 1, meters };
    },
  };
}
