/**
 * Cuts DSMR P1 telegrams (NEN-EN 62056-21 / DSMR 5.0.2 §6.2: `/` header … `!` CRC CR LF) out of a byte stream
 * for the auto-detecting framer, and hands each one to the DSMR framer, which judges format and, through the
 * parser, the CRC. The end rule is the DSMR framer's (see dsmr-framer.ts): `!` at a line start, then up to 4 CRC
 * hex digits (or none), then CR LF / LF; anything else after that `!` is a broken telegram (BAD_TELEGRAM).
 *
 * What says a `/` did not start a telegram (skip it and hunt on):
 * - in the identification line: NUL, bytes ≥ 0x7F, '/', '!', or more than HEADER_MAX bytes before its line end.
 *   Other control bytes are tolerated there: Iskra IE.5/IE.7 meters identify as `/ISk5\2MIE5T-200`, a literal
 *   backslash and '2' on the wire (the CRC of the telegram published in home-assistant/core#90797, `!CC43`,
 *   only checks with those two bytes), but captures circulate with a real 0x02 in its place (dsmr_parser's
 *   test/example_telegrams.py TELEGRAM_ISKRA_IE writes '\2' in a Python string, whose CRC `!AD3B` covers 0x02;
 *   the same escaping mix-up dsmr_parser PR #58 fixed for `/ISk5\2MT382-1000`). Either form is accepted.
 * - in the data lines: any byte that is not printable ASCII, CR, LF or TAB, and any '/' (the DSMR framer cuts a
 *   telegram at a '/' anyway; stopping there keeps every byte examined by at most one telegram scan).
 *
 * Work per input byte is bounded whatever the chunking: while a telegram is incomplete, the reader keeps how far
 * it got for that unit (same buffer, same position) and resumes there when more bytes arrived, instead of
 * re-walking it from its '/' on every call (quadratic when a long telegram arrives a byte at a time).
 */
import { MeterError } from '../errors.js';
import type { LinkReader, ScanStep } from './link-scanner.js';
import type { Framer } from './types.js';
import { indexOfNonLineText } from '../bytes/find-byte.js';

const SLASH = 0x2f;
const BANG = 0x21;
const CR = 0x0d;
const LF = 0x0a;
/** DSMR telegrams with history buffers reach a few KiB. */
export const DSMR_MAX_UNIT = 8192;
/** IEC 62056-21 identification: `/XXXZ` + at most 16 characters, plus `\W` enhancements; generous. */
export const HEADER_MAX = 128;

/** Byte classes of the data lines: printable text and CR/LF/TAB, anything else, '/', '!'. */
const TEXT = 0, OTHER = 1, SLASH_CLASS = 2, BANG_CLASS = 3;
const CLASS = ((): Uint8Array => {
  const t = new Uint8Array(256).fill(OTHER);
  for (let c = 0x20; c <= 0x7e; c++) t[c] = TEXT;
  t[CR] = t[LF] = t[0x09] = TEXT;
  t[SLASH] = SLASH_CLASS;
  t[BANG] = BANG_CLASS;
  return t;
})();
/** Bytes the identification line may not hold (its CR/LF end it). */
const NOT_HEADER = ((): Uint8Array => {
  const t = new Uint8Array(256);
  for (let c = 0x7f; c <= 0xff; c++) t[c] = 1;
  t[0] = t[SLASH] = t[BANG] = 1;
  return t;
})();

const isHexDigit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/**
 * Where a scan stopped: `at` is the next byte to look at (in the identification line while `inHeader`), `seen`
 * one past the furthest byte looked at (for the work count).
 */
interface Progress {
  at: number;
  inHeader: boolean;
  seen: number;
}

const NOT_A_TELEGRAM: ScanStep = { type: 'skip', length: 1 };
const NEED: ScanStep = { type: 'need' };

/**
 * The `!` line at buf[bang]: the unit when it ends the telegram, NEED, or a skip with BAD_TELEGRAM when the
 * bytes after '!' are not a CRC and a line end.
 */
function scanEndLine(buf: Uint8Array, pos: number, bang: number, end: number, eof: boolean, p: Progress): ScanStep {
  let j = bang + 1;
  while (j < end && j - bang <= 5 && isHexDigit(buf[j])) j++;
  const digits = j - bang - 1;
  if (j < end && buf[j] === CR && digits <= 4) j++;
  p.seen = Math.min(end, j + 1);
  if (j >= end) return eof && digits <= 4 ? unit(pos, end) : NEED;
  const c = buf[j];
  if (digits <= 4) {
    if (c === LF) return unit(pos, j + 1);
    if (c === SLASH && digits > 0) return unit(pos, j);
  }
  return {
    type: 'skip', length: j - pos, reason: 'broken DSMR telegram end (the "!" line holds no valid CRC and line end)',
    error: new MeterError('BAD_TELEGRAM', 'dsmr', `broken telegram end: "!" and ${digits} CRC digit(s) followed by byte ` +
      `0x${c.toString(16).padStart(2, '0')} (a telegram ends with "!", its CRC or none, and CR LF)`, j - pos),
  };
}

function unit(pos: number, stop: number): ScanStep {
  return { type: 'unit', length: stop - pos, checked: false };
}

/** The identification line from p.at: undefined once it ended well (data lines follow), else the answer. */
function scanHeader(buf: Uint8Array, pos: number, end: number, p: Progress): ScanStep | undefined {
  const limit = pos + 1 + HEADER_MAX;
  const stop = end < limit ? end : limit;
  let i = p.at;
  for (; i < stop; i++) {
    const c = buf[i];
    if (c === CR || c === LF) {
      p.at = i;
      p.inHeader = false;
      return undefined;
    }
    if (NOT_HEADER[c] !== 0) break;
  }
  p.at = p.seen = Math.min(end, i + 1);
  if (i === limit && i < end) return HEADER_TOO_LONG; // header bytes only, but no line end within the limit
  return i < end ? NOT_A_TELEGRAM : NEED; // reached end before the limit: wait for more
}

/** A '/' followed by more identification-line bytes than any meter sends: a false start worth reporting. */
const HEADER_TOO_LONG: ScanStep = { type: 'skip', length: 1, reason: `DSMR identification line longer than ${HEADER_MAX} bytes`,
  fault: { code: 'LIMIT_EXCEEDED', message: `DSMR identification line longer than ${HEADER_MAX} bytes (no line end): not a telegram` } };

/** Scans on from `p`; p.at is where to resume when the answer is NEED. */
function scanFrom(buf: Uint8Array, pos: number, end: number, eof: boolean, p: Progress): ScanStep {
  if (p.inHeader) {
    const s = scanHeader(buf, pos, end, p);
    if (s !== undefined) return s;
  }
  let i = p.at;
  // Word-wise over the text up to the next '!', '/' or binary byte: this runs over every telegram.
  for (; i < end; i++) {
    i = indexOfNonLineText(buf, i, end);
    if (i >= end) break;
    const k = CLASS[buf[i]];
    if (k === TEXT) continue;
    if (k === BANG_CLASS) {
      if (buf[i - 1] !== LF) continue; // a '!' inside a line is data
      const s = scanEndLine(buf, pos, i, end, eof, p);
      if (s !== NEED) return s;
      break; // resume at the '!': its line is re-read, a few bytes
    }
    p.seen = i + 1;
    return NOT_A_TELEGRAM; // a non-text byte or a '/'
  }
  p.at = i;
  if (i === end) p.seen = end;
  return NEED;
}

/** Finds the end of the telegram starting at `pos` ('/'), from scratch. */
export function scanDsmrTelegram(buf: Uint8Array, pos: number, end: number, eof: boolean): ScanStep {
  return scanFrom(buf, pos, end, eof, { at: pos + 1, inHeader: true, seen: pos + 1 });
}

export interface DsmrLinkReader extends LinkReader {
  /** Bytes the scan looked at so far (for the work-per-byte property test). */
  readonly examined: number;
}

/**
 * A reader that delegates each cut-out telegram to `dsmr` (pushed whole, then flushed). The unit is a view into
 * the scanner's buffer; the DSMR framer copies what it keeps, so no copy is made here.
 */
export function createDsmrLinkReader(dsmr: Framer): DsmrLinkReader {
  // Progress of the unit that last answered NEED; any other answer, another buffer or position, or a flush
  // drops it (the scanner moves its buffer only between pushes, which changes `buf` or `pos`).
  let lastBuf: Uint8Array | undefined;
  let lastPos = -1;
  let lastEnd = -1;
  const progress: Progress = { at: 0, inHeader: true, seen: 0 };
  let examined = 0;
  const forget = (): void => { lastBuf = undefined; };
  return {
    kind: 'dsmr',
    maxUnit: DSMR_MAX_UNIT,
    isStart: (b) => b === SLASH,
    scan(buf, pos, end, eof) {
      if (buf !== lastBuf || pos !== lastPos || end < lastEnd) {
        progress.at = pos + 1;
        progress.inHeader = true;
      }
      const from = progress.at;
      progress.seen = from;
      const s = scanFrom(buf, pos, end, eof, progress);
      examined += Math.max(0, progress.seen - from);
      if (s.type === 'need') {
        lastBuf = buf;
        lastPos = pos;
        lastEnd = end;
      } else {
        forget();
      }
      return s;
    },
    accept: (unit) => {
      const events = dsmr.push(unit);
      const rest = dsmr.flush();
      return rest.length === 0 ? events : events.concat(rest);
    },
    flush: () => {
      forget();
      return dsmr.flush();
    },
    get examined() { return examined; },
  };
}
