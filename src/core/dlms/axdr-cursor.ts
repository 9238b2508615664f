/**
 * The cursor and budget of one A-XDR decode (IEC 62056-6-2 §4.1.5 Data, A-XDR rules of IEC 61334-6): bounds
 * checks, the length field, element counts and the per-message budget (bytes, elements built, nesting). Every
 * count is checked against the bytes left before anything is built, so memory stays proportional to the input
 * (docs/decoding-bounds.md). One plain object per decode call, all fields set up front (one hidden class).
 */
import { MeterError } from '../errors.js';
import { AXDR_LENGTH_MAX, axdrLengthSize, LENGTH_INVALID, LENGTH_NEED, readAxdrLength } from '../bytes/axdr-length.js';
import { DEFAULT_AXDR_LIMITS, type AxdrLimits } from './types.js';

/**
 * Nesting is also capped here whatever the limits say: the decoder recurses once per level (arrays,
 * structures, compact-array type descriptions), checked before it descends, so no input can deepen the stack
 * beyond this many levels.
 */
export const AXDR_DEPTH_CAP = 32;

export interface Cursor {
  b: Uint8Array;
  p: number;
  end: number;
  /** True while `end` is the maxBytes budget rather than the end of the input. */
  clipped: boolean;
  maxDepth: number;
  maxItems: number;
  maxLength: number;
  maxElements: number;
  maxBytes: number;
  /** Values built so far (every node of the result counts: containers and leaves). */
  elements: number;
  /** Partial mode (a capture cut short): containers keep the elements that arrived instead of failing. */
  partial: boolean;
  /** Set in partial mode when the input ended inside a container. */
  cut: boolean;
}

export function createCursor(bytes: Uint8Array, offset: number, limits: AxdrLimits, partial: boolean): Cursor {
  const maxBytes = limits.maxBytes ?? DEFAULT_AXDR_LIMITS.maxBytes;
  const clipped = bytes.length - offset > maxBytes;
  return {
    b: bytes, p: offset, end: clipped ? offset + maxBytes : bytes.length, clipped,
    maxDepth: Math.min(limits.maxDepth, AXDR_DEPTH_CAP), maxItems: limits.maxItems, maxLength: limits.maxLength,
    maxElements: limits.maxElements ?? DEFAULT_AXDR_LIMITS.maxElements, maxBytes,
    elements: 0, partial, cut: false,
  };
}

export function truncated(c: Cursor, n: number, what: string): never {
  if (c.clipped) {
    throw new MeterError('LIMIT_EXCEEDED', 'dlms',
      `${what} at offset ${c.p} runs past the budget of ${c.maxBytes} bytes for one A-XDR value`, c.p);
  }
  throw new MeterError('TRUNCATED', 'dlms',
    `${what}: needs ${n} byte(s) at offset ${c.p}, only ${Math.max(0, c.end - c.p)} left`, c.p);
}

export function need(c: Cursor, n: number, what: string): void {
  if (c.p + n > c.end) truncated(c, n, what);
}

/** Counts one value about to be built against the message's element budget. */
export function built(c: Cursor): void {
  if (++c.elements > c.maxElements) {
    throw new MeterError('LIMIT_EXCEEDED', 'dlms',
      `A-XDR value at offset ${c.p} holds more than ${c.maxElements} elements`, c.p);
  }
}

/** Checks the nesting before the decoder descends into a level at `depth`. */
export function enter(c: Cursor, depth: number, what: string): void {
  if (depth >= c.maxDepth) {
    throw new MeterError('LIMIT_EXCEEDED', 'dlms', `${what} at offset ${c.p} nested deeper than ${c.maxDepth} levels`, c.p);
  }
}

/** An A-XDR length (bytes/axdr-length.ts) up to `max`; `limitWhat` names the limit in the error. */
export function readLength(c: Cursor, what: string, max: number = AXDR_LENGTH_MAX, limitWhat = 'limit'): number {
  const at = c.p;
  const v = readAxdrLength(c.b, at, c.end, max);
  if (v >= 0) {
    c.p = at + axdrLengthSize(c.b[at]);
    return v;
  }
  if (v === LENGTH_NEED) truncated(c, at < c.end ? axdrLengthSize(c.b[at]) : 1, what);
  if (v === LENGTH_INVALID) {
    throw new MeterError('BAD_VALUE', 'dlms', `${what}: invalid length prefix 0x${c.b[at].toString(16)} at offset ${at}`, at);
  }
  const value = readAxdrLength(c.b, at, c.end, AXDR_LENGTH_MAX);
  throw new MeterError('LIMIT_EXCEEDED', 'dlms', `${what} of ${value} at offset ${at} exceeds the ${limitWhat} of ${max}`, at);
}

/** An element count; each element occupies at least `minBytesEach` bytes, checked before any is built. */
export function readCount(c: Cursor, what: string, minBytesEach: number): number {
  const count = readLength(c, `${what} element count`, c.maxItems, 'element limit');
  if (count * minBytesEach > c.end - c.p) truncated(c, count * minBytesEach, `${what} of ${count} elements`);
  return count;
}

/** A string length in bytes (≤ maxLength), with that many bytes present. */
export function readStringLength(c: Cursor, what: string): number {
  const len = readLength(c, `${what} length`, c.maxLength, 'length limit');
  need(c, len, what);
  return len;
}
