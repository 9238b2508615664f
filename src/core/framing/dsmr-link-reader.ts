/**
 * Cuts DSMR P1 telegrams (NEN-EN 62056-21 / DSMR 5.0.2 §6.2: `/` header … `!` CRC CR LF) out of a byte stream
 * for the auto-detecting framer, and hands each one to the DSMR framer, which judges CRC and format.
 * Non-text bytes, or a new `/` at a line start before the `!`, mean a `/` did not start a telegram.
 */
import type { LinkReader, ScanStep } from './link-scanner.js';
import type { Framer } from './types.js';

const SLASH = 0x2f;
const BANG = 0x21;
const CR = 0x0d;
const LF = 0x0a;
/** DSMR telegrams with history buffers reach a few KiB. */
export const DSMR_MAX_UNIT = 8192;

/** Byte classes for the scan: printable text and CR/LF/TAB, anything else, '/', '!'. */
const TEXT = 0, OTHER = 1, SLASH_CLASS = 2, BANG_CLASS = 3;
const CLASS = ((): Uint8Array => {
  const t = new Uint8Array(256).fill(OTHER);
  for (let c = 0x20; c <= 0x7e; c++) t[c] = TEXT;
  t[CR] = t[LF] = t[0x09] = TEXT;
  t[SLASH] = SLASH_CLASS;
  t[BANG] = BANG_CLASS;
  return t;
})();
const isHexDigit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/** Finds the end of the telegram starting at `pos` ('/'): the line after '!' (up to 4 CRC hex digits, CR LF). */
export function scanDsmrTelegram(buf: Uint8Array, pos: number, end: number, eof: boolean): ScanStep {
  let i = pos + 1;
  // One table load per byte: this runs over every telegram when the format is auto-detected.
  for (; i < end; i++) {
    const k = CLASS[buf[i]];
    if (k === TEXT) continue;
    if (k === BANG_CLASS) break;
    if (k === OTHER || buf[i - 1] === LF) return { type: 'skip', length: 1 };
  }
  if (i >= end) return { type: 'need' };
  let j = i + 1;
  while (j < end && j - i <= 4 && isHexDigit(buf[j])) j++;
  const unit = (stop: number): ScanStep => ({ type: 'unit', length: stop - pos, checked: false });
  if (j >= end || (buf[j] === CR && j + 1 >= end)) return eof ? unit(end) : { type: 'need' };
  if (buf[j] === CR) return unit(buf[j + 1] === LF ? j + 2 : j + 1);
  return unit(buf[j] === LF ? j + 1 : j);
}

/**
 * A reader that delegates each cut-out telegram to `dsmr` (pushed whole, then flushed). The unit is a view into
 * the scanner's buffer; the DSMR framer copies what it keeps, so no copy is made here.
 */
export function createDsmrLinkReader(dsmr: Framer): LinkReader {
  return {
    kind: 'dsmr',
    maxUnit: DSMR_MAX_UNIT,
    isStart: (b) => b === SLASH,
    scan: scanDsmrTelegram,
    accept: (unit) => {
      const events = dsmr.push(unit);
      const rest = dsmr.flush();
      return rest.length === 0 ? events : events.concat(rest);
    },
    flush: () => dsmr.flush(),
  };
}
