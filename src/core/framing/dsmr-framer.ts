/**
 * DSMR P1 telegram framer (DSMR 5.0.2 §6.2, NEN-EN-IEC 62056-21 mode D): a telegram runs from '/' to a line
 * that starts with '!'. Push-based and total: garbage comes back as `discarded`, never as an exception.
 *
 * End rule (the same in the auto-detection scan, dsmr-link-reader.ts): a telegram ends only at
 *   `!` + 4 hex digits (the CRC) + line end,
 *   `!` + 1 to 3 hex digits + line end (meters that drop the CRC's leading zeros: `!6EE` for 06EE),
 *   `!` + line end (no CRC: DSMR 2.2/3.0, or a telegram inside an encrypted envelope).
 * A short CRC is still compared as a full 16-bit value, so it is no weaker; only `!` without digits skips the
 * check, which the trust policy then judges by the telegram's version (crc-expectation.ts).
 * A line end is CR LF or LF. After CRC digits (and an optional CR) a '/' also ends the telegram (the next
 * one began where the line end was lost; the CRC still vouches for this one), and so does the end of input at
 * flush, where `!` alone is accepted too (a DSMR 2.2 telegram without its last CR LF).
 * Anything else after '!' (a non-hex byte, a fifth digit) means the telegram is broken: it is discarded with
 * a BAD_TELEGRAM error and the framer resyncs on the byte that broke it. Ending at '!' followed by anything, as
 * this framer once did, turned a corrupted first CRC digit into a telegram "without CRC", delivered as good.
 * Whether the CRC matches is the parser's call, so a corrupt telegram is still delivered for diagnostics.
 */
import { MeterError } from '../errors.js';
import { indexOfEither } from '../bytes/find-byte.js';
import { arenaCopy, createByteArena } from './byte-arena.js';
import { DEFAULT_LIMITS, type Framer, type FramerEvent, type FramerLimits } from './types.js';

const SLASH = 47, BANG = 33, CR = 13, LF = 10;

/** Hunting for '/', inside a telegram, or after its '!'. */
const HUNT = 0, BODY = 1, CRC = 2;

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isBlank(c: number): boolean {
  return c === CR || c === LF || c === 32 || c === 9;
}

/**
 * The end (exclusive) of a well-formed telegram that starts at chunk[i] ('/') and ends inside the chunk within
 * `max` bytes, or -1 for anything else (incomplete, cut short, broken end, too long), which the byte-wise state
 * machine then handles. The common case — a whole telegram in one chunk — so skips copying it twice.
 */
function wholeTelegram(chunk: Uint8Array, i: number, max: number): number {
  let bang = i;
  for (let j = i + 1; ;) {
    const k = indexOfEither(chunk, BANG, SLASH, j);
    if (k < 0 || chunk[k] === SLASH) return -1;
    if (chunk[k - 1] === LF) { bang = k; break; }
    j = k + 1;
  }
  let e = bang + 1;
  while (e < chunk.length && e - bang <= 4 && isHexDigit(chunk[e])) e++;
  const digits = e - bang - 1;
  if (e < chunk.length && chunk[e] === CR) e++;
  if (e >= chunk.length || e + 1 - i > max) return -1;
  if (chunk[e] === LF) return e + 1;
  return chunk[e] === SLASH && digits > 0 ? e : -1;
}

function brokenEnd(c: number, digits: number): MeterError<'BAD_TELEGRAM'> {
  const what = isHexDigit(c) ? 'a fifth CRC digit'
    : `byte 0x${c.toString(16).padStart(2, '0')}`;
  return new MeterError('BAD_TELEGRAM', 'dsmr', `broken telegram end: "!" and ${digits} CRC digit(s) followed by ${what} ` +
    '(a telegram ends with "!", a 4-digit CRC, or none, and CR LF): bytes were lost or changed on the way');
}

export function createDsmrFramer(limits: FramerLimits = DEFAULT_LIMITS): Framer {
  const max = Math.max(16, limits.maxBuffer);
  const capacity = max + 8; // room for the CRC line after a body of `max` bytes
  const arena = createByteArena();
  let buf = new Uint8Array(Math.min(1024, capacity));
  let len = 0;
  let phase = HUNT;
  let crcDigits = 0;
  let sawCr = false;
  /** Non-blank bytes skipped while hunting for '/', reported once per push. */
  let garbage = 0;

  function append(c: number): void {
    if (len === buf.length) {
      const bigger = new Uint8Array(Math.min(buf.length * 2, capacity));
      bigger.set(buf);
      buf = bigger;
    }
    buf[len++] = c;
  }

  /** Bulk copy of a run of body bytes (no '/' or '!' among them). */
  function appendRange(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (len + n > buf.length) {
      const bigger = new Uint8Array(Math.min(Math.max(buf.length * 2, len + n), capacity));
      bigger.set(buf.subarray(0, len));
      buf = bigger;
    }
    buf.set(chunk.subarray(from, to), len);
    len += n;
  }

  /**
   * Inside a telegram, copies everything up to the next '/' or '!' in one go (one word-wise scan instead of a
   * per-byte state machine: a DSMR 5 telegram is ~900 bytes and arrives every second, or a million times in a
   * replayed capture). Returns where the byte-wise state machine must continue.
   */
  function skimBody(chunk: Uint8Array, i: number, events: FramerEvent[]): number {
    const found = indexOfEither(chunk, BANG, SLASH, i);
    const stop = found < 0 ? chunk.length : found;
    if (len + (stop - i) > max) {
      const room = max - len;
      appendRange(chunk, i, i + room);
      tooLong(events);
      return i + room;
    }
    appendRange(chunk, i, stop);
    return stop;
  }

  function start(): void {
    len = 0;
    append(SLASH);
    phase = BODY;
  }

  function reportGarbage(events: FramerEvent[]): void {
    if (garbage === 0) return;
    events.push({ type: 'discarded', kind: 'dsmr', bytes: garbage, reason: 'bytes outside a telegram (no "/" start)' });
    garbage = 0;
  }

  function emitFrame(events: FramerEvent[]): void {
    events.push({ type: 'frame', kind: 'dsmr', payload: arenaCopy(arena, buf, 0, len), segments: 1 });
    len = 0;
    phase = HUNT;
  }

  function drop(events: FramerEvent[], reason: string, error?: MeterError): void {
    events.push(error ? { type: 'discarded', kind: 'dsmr', bytes: len, reason, error }
      : { type: 'discarded', kind: 'dsmr', bytes: len, reason });
    len = 0;
    phase = HUNT;
  }

  /** An overlong telegram is an error, not silent garbage: a meter (or a cable) sending them needs attention. */
  function tooLong(events: FramerEvent[]): void {
    drop(events, `telegram longer than ${max} bytes: resynchronising`,
      new MeterError('LIMIT_EXCEEDED', 'framing', `DSMR telegram exceeds the ${max}-byte limit (no "!" line within it)`));
  }

  /** Feeds one byte; returns false when the byte must be fed again (it ended a telegram without belonging to it). */
  function step(c: number, events: FramerEvent[]): boolean {
    if (phase === HUNT) {
      if (c === SLASH) {
        reportGarbage(events);
        start();
      } else if (!isBlank(c)) {
        garbage++;
      }
      return true;
    }
    if (phase === BODY) {
      if (c === SLASH) {
        drop(events, 'telegram cut short: a new "/" arrived before its "!" line');
        start();
        return true;
      }
      if (c === BANG && buf[len - 1] === LF) {
        phase = CRC;
        crcDigits = 0;
        sawCr = false;
      }
      if (len >= max) {
        tooLong(events);
        garbage++;
        return true;
      }
      append(c);
      return true;
    }
    return stepCrcLine(c, events);
  }

  /** After '!': up to 4 CRC digits, an optional CR, then LF (see the end rule in the module comment). */
  function stepCrcLine(c: number, events: FramerEvent[]): boolean {
    if (!sawCr && crcDigits < 4 && isHexDigit(c)) { append(c); crcDigits++; return true; }
    if (c === CR && !sawCr) { append(c); sawCr = true; return true; }
    if (c === LF) { append(c); emitFrame(events); return true; }
    if (c === SLASH && crcDigits > 0) { emitFrame(events); return false; }
    drop(events, 'broken telegram end (the "!" line holds no valid CRC and line end)', brokenEnd(c, crcDigits));
    return false;
  }

  return {
    push(chunk: Uint8Array): FramerEvent[] {
      const events: FramerEvent[] = [];
      let i = 0;
      while (i < chunk.length) {
        if (phase === HUNT && chunk[i] === SLASH) {
          const stop = wholeTelegram(chunk, i, max);
          if (stop > 0) {
            reportGarbage(events);
            events.push({ type: 'frame', kind: 'dsmr', payload: arenaCopy(arena, chunk, i, stop), segments: 1 });
            i = stop;
            continue;
          }
        }
        if (phase === BODY) {
          i = skimBody(chunk, i, events);
          if (i >= chunk.length) break;
        }
        if (!step(chunk[i], events)) step(chunk[i], events);
        i++;
      }
      reportGarbage(events);
      return events;
    },
    flush(): FramerEvent[] {
      const events: FramerEvent[] = [];
      if (phase === CRC) {
        emitFrame(events);
      } else if (phase === BODY) {
        drop(events, 'input ended inside a telegram (no "!" line)');
      }
      reportGarbage(events);
      return events;
    },
  };
}
