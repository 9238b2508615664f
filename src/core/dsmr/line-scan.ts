/**
 * Scanning one DSMR P1 data object (DSMR 5.0.2 §6.4, NEN-EN-IEC 62056-21 §6.3 data sets): the OBIS code
 * `A-B:C.D.E[.F|*F]` and its `(…)` value groups, by char codes with a bounded extent (MAX_OBJECT), so no value
 * or group list grows with the input.
 */
import type { DsmrLine } from './line-values.js';

/**
 * Reads `A-B:C.D.E` with an optional `.F` / `*F` at b[i] into code[0..5] (leading zeros allowed). Returns the
 * index of the '(' that follows, or -1 when this is not a data object.
 */
export function scanObis(b: Uint8Array, i: number, end: number, code: Uint8Array): number {
  code[5] = 255;
  for (let g = 0; g < 6; g++) {
    const first = i;
    let v = 0;
    for (; i < end; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    const n = i - first;
    if (n === 0 || n > 3 || v > 255 || i >= end) return -1;
    code[g] = v;
    const sep = b[i];
    if (g === 0) { if (sep !== 45 /* - */) return -1; }
    else if (g === 1) { if (sep !== 58 /* : */) return -1; }
    else if (g < 4) { if (sep !== 46 /* . */) return -1; }
    else if (g === 4) {
      if (sep === 40 /* ( */) return i;
      if (sep !== 46 && sep !== 42 /* * */) return -1;
    } else {
      return sep === 40 ? i : -1;
    }
    i++;
  }
  return -1;
}

/** Index of the end of the line containing `i` (its '\n', or `end`). */
export function lineEnd(b: Uint8Array, i: number, end: number): number {
  const nl = b.indexOf(10, i);
  return nl < 0 || nl > end ? end : nl;
}

export function isBlank(c: number): boolean {
  return c === 13 || c === 10 || c === 32 || c === 9;
}

/** Longest data object read (with its continuation lines): a DSMR 5 text message is 2 KiB of hex at most. */
export const MAX_OBJECT = 4096;
export const UNCLOSED = -1, TOO_LONG = -2;

/**
 * Collects the `(…)` groups from b[i] into line.groups; continuation lines that start with '(' belong to the
 * same object. Returns the index after them, UNCLOSED when a group is not closed on its line, TOO_LONG past
 * MAX_OBJECT bytes (so one object never builds a huge value or group list).
 */
export function scanGroups(b: Uint8Array, i: number, end: number, line: DsmrLine): number {
  const groups = line.groups;
  const limit = i + MAX_OBJECT;
  let n = 0;
  while (i < end && b[i] === 40) {
    let close = i + 1;
    for (;;) {
      const c = b[close];
      if (c > 41) { close++; continue; } // digits, letters, '.', '*': the common case, one compare
      if (c === 41 /* ) */) break;
      if (c === 10 || close >= end) return UNCLOSED;
      close++;
    }
    if (close > limit) return TOO_LONG;
    groups[n++] = i + 1;
    groups[n++] = close;
    i = close + 1;
    while (i < end && isBlank(b[i])) i++;
  }
  line.size = n;
  return i;
}

