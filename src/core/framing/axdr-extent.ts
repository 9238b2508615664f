/**
 * Where one A-XDR encoded `Data` element ends (IEC 62056-6-2 §4.1.5 Data CHOICE, A-XDR rules of IEC 61334-6),
 * without decoding it. The bare data-notification (IEC 62056-5-3 §9.3.11, tag 0x0F) carries no length, so its
 * end is the end of its one body element. Tags, content sizes and what a compact-array type description may
 * hold come from the shared data-tag table (dlms/data-tags.ts); lengths from bytes/axdr-length.ts.
 *
 * The walk keeps an explicit stack of remaining counts (no recursion), so it can stop where the bytes run out
 * and resume there when more arrive: a notification fed one byte at a time is walked once, not once per byte.
 * Each step reads one item (a tag, a length, a type description entry); skipped contents are not looked at.
 */
import { AXDR_LENGTH_MAX, axdrLengthSize, LENGTH_NEED, readAxdrLength } from '../bytes/axdr-length.js';
import { CONTENT_BITS, CONTENT_COMPACT, CONTENT_CONTAINER, CONTENT_LENGTH, TAG_CONTENT, TAG_IN_COMPACT_ARRAY } from '../dlms/data-tags.js';

/** More bytes are needed to find the end. */
export const AXDR_NEED_MORE = -1;
/** Not a valid Data element (unknown tag, bad length form, nesting too deep). */
export const AXDR_INVALID = -2;
/** The element is longer than the walk's limit. */
export const AXDR_TOO_LONG = -3;

export const AXDR_MAX_DEPTH = 16;

/** Frame kinds: tagged Data elements, type-description entries, a compact-array (its description, then contents). */
const ELEMENTS = 0, TYPES = 1, CONTENTS = 2;

/** The resumable state of one walk. Offsets are relative to the element start, so the bytes may move. */
export interface ExtentWalk {
  /** Offset of the next item; beyond the bytes present when skipped contents have not all arrived. */
  at: number;
  /** Open frames; 0 when the element is complete. */
  top: number;
  readonly kind: Uint8Array;
  readonly left: Float64Array;
  /** Items read so far, over every walk with this state (the work measure). */
  steps: number;
}

export function createExtentWalk(): ExtentWalk {
  const w: ExtentWalk = { at: 0, top: 1, kind: new Uint8Array(AXDR_MAX_DEPTH + 1), left: new Float64Array(AXDR_MAX_DEPTH + 1), steps: 0 };
  resetExtentWalk(w);
  return w;
}

/** Starts a new element: one tagged element at depth 0. */
export function resetExtentWalk(w: ExtentWalk): void {
  w.at = 0;
  w.top = 1;
  w.kind[0] = ELEMENTS;
  w.left[0] = 1;
}

/**
 * Continues walking the element that starts at `start` (resetExtentWalk for a new one) over bytes up to `end`.
 * Returns its end offset, AXDR_NEED_MORE (the state then holds where to go on), AXDR_INVALID, or AXDR_TOO_LONG
 * when it would occupy more than `limit` bytes. Never throws; each call reads each byte at most once.
 */
export function walkExtent(w: ExtentWalk, b: Uint8Array, start: number, end: number, limit = Infinity): number {
  const kind = w.kind, left = w.left;
  const avail = end - start;
  let at = w.at, top = w.top, steps = 0, result: number;
  for (;;) {
    if (at > limit) { result = AXDR_TOO_LONG; break; }
    if (at > avail) { result = AXDR_NEED_MORE; break; }
    if (top === 0) { result = start + at; break; }
    const f = top - 1;
    const o = start + at;
    steps++;
    if (left[f] === 0) { // frame complete
      if (kind[f] === CONTENTS) { // the compact-array's description is complete: skip its contents
        const len = readAxdrLength(b, o, end, AXDR_LENGTH_MAX);
        if (len < 0) { result = len === LENGTH_NEED ? AXDR_NEED_MORE : AXDR_INVALID; break; }
        at += axdrLengthSize(b[o]) + len;
      }
      top--;
      continue;
    }
    if (o >= end) { result = AXDR_NEED_MORE; break; }
    const tag = b[o];
    let push = -1, count = 0;
    if (kind[f] === ELEMENTS) {
      const content = TAG_CONTENT[tag];
      if (content >= 0) at += 1 + content;
      else if (content === CONTENT_LENGTH || content === CONTENT_BITS || content === CONTENT_CONTAINER) {
        const len = readAxdrLength(b, o + 1, end, AXDR_LENGTH_MAX);
        if (len < 0) { result = len === LENGTH_NEED ? AXDR_NEED_MORE : AXDR_INVALID; break; }
        at += 1 + axdrLengthSize(b[o + 1]);
        if (content === CONTENT_CONTAINER) { push = ELEMENTS; count = len; }
        else at += content === CONTENT_BITS ? Math.ceil(len / 8) : len;
      } else if (content === CONTENT_COMPACT) { at += 1; push = CONTENTS; count = 1; }
      else { result = AXDR_INVALID; break; }
    } else if (tag === 0x01) { // type description of an array: u16 count, element type
      if (o + 3 > end) { result = AXDR_NEED_MORE; break; }
      if (((b[o + 1] << 8) | b[o + 2]) === 0) { result = AXDR_INVALID; break; } // occupies no bytes
      at += 3; push = TYPES; count = 1;
    } else if (tag === 0x02) { // type description of a structure: count, that many types
      const len = readAxdrLength(b, o + 1, end, AXDR_LENGTH_MAX);
      if (len < 0) { result = len === LENGTH_NEED ? AXDR_NEED_MORE : AXDR_INVALID; break; }
      if (len === 0) { result = AXDR_INVALID; break; }
      at += 1 + axdrLengthSize(b[o + 1]); push = TYPES; count = len;
    } else if (TAG_IN_COMPACT_ARRAY[tag] === 1) at += 1;
    else { result = AXDR_INVALID; break; }
    left[f]--;
    if (count > 0) {
      if (top > AXDR_MAX_DEPTH) { result = AXDR_INVALID; break; } // its items would nest too deep
      kind[top] = push;
      left[top] = count;
      top++;
    }
  }
  w.at = at;
  w.top = top;
  w.steps += steps;
  return result;
}

/**
 * End offset (exclusive) of the A-XDR Data element starting at `offset`, AXDR_NEED_MORE when bytes up to `end`
 * do not complete it, or AXDR_INVALID when it cannot be one. Never throws; nesting is limited to AXDR_MAX_DEPTH.
 */
export function axdrExtent(bytes: Uint8Array, offset: number, end = bytes.length): number {
  return walkExtent(createExtentWalk(), bytes, offset, Math.min(end, bytes.length));
}
