/**
 * compact-array (IEC 62056-6-2 §4.1.5, tag 0x13): a type description, then the array contents as one
 * length-prefixed run of untagged values. A description is a few bytes that can declare any number of values
 * (nested arrays multiply), so before anything is built: its minimum encoded size is computed (counts multiplied
 * through arrays, sizes added through structures), every part of it must occupy at least one byte (null-data,
 * empty arrays and empty structures are refused), and each element must fit the contents left. A value then
 * occupies at least one byte per leaf, so the values built stay within (nesting + 1) per byte of contents.
 */
import { MeterError } from '../errors.js';
import { describeDataTag, TAG_CONTENT, TAG_IN_COMPACT_ARRAY } from './data-tags.js';
import { DataTag, type DlmsValue, type TypeDescription } from './types.js';
import { built, enter, need, readCount, readStringLength, truncated, type Cursor } from './axdr-cursor.js';

/** Decodes the body of a Data element whose tag is consumed (dlms/axdr.ts), for the untagged leaves. */
export type ReadBody = (c: Cursor, tag: number, depth: number, tagAt: number) => DlmsValue;

/** Saturation of computed sizes: far above any input, and exact in a double. */
const SIZE_CAP = 2 ** 40;

function occupiesNothing(at: number, what: string): never {
  throw new MeterError('BAD_VALUE', 'dlms',
    `compact-array type description at offset ${at}: ${what} occupies no bytes, so it cannot bound its values`, at);
}

function readTypeDescription(c: Cursor, depth: number): TypeDescription {
  enter(c, depth, 'compact-array type description');
  need(c, 1, 'type description');
  const at = c.p;
  const tag = c.b[c.p++];
  built(c);
  if (tag === DataTag.Array) {
    need(c, 2, 'type description element count');
    const count = (c.b[c.p] << 8) | c.b[c.p + 1];
    c.p += 2;
    if (count > c.maxItems) {
      throw new MeterError('LIMIT_EXCEEDED', 'dlms', `compact-array inner array of ${count} elements exceeds the limit of ${c.maxItems}`, at);
    }
    if (count === 0) occupiesNothing(at, 'an array of 0 elements');
    return { tag, count, element: readTypeDescription(c, depth + 1) };
  }
  if (tag === DataTag.Structure) {
    const n = readCount(c, 'type description structure', 1);
    if (n === 0) occupiesNothing(at, 'a structure without fields');
    const fields: TypeDescription[] = [];
    for (let i = 0; i < n; i++) fields.push(readTypeDescription(c, depth + 1));
    return { tag, fields };
  }
  if (TAG_IN_COMPACT_ARRAY[tag] === 0) {
    if (tag === DataTag.Null) occupiesNothing(at, 'null-data');
    throw new MeterError('UNKNOWN_TAG', 'dlms', `type ${describeDataTag(tag)} not allowed in a compact-array type description (offset ${at})`, at);
  }
  return { tag };
}

/** Fewest bytes one value of `d` occupies as untagged contents (≥ 1 for descriptions read above). */
export function minEncodedSize(d: TypeDescription): number {
  if ('element' in d) return Math.min(SIZE_CAP, d.count * minEncodedSize(d.element));
  if ('fields' in d) {
    let n = 0;
    for (const f of d.fields) n = Math.min(SIZE_CAP, n + minEncodedSize(f));
    return n;
  }
  const content = TAG_CONTENT[d.tag];
  return content >= 0 ? content : 1; // length-prefixed types: at least their length byte
}

function readUntagged(c: Cursor, d: TypeDescription, depth: number, readBody: ReadBody): DlmsValue {
  if ('element' in d) {
    enter(c, depth, 'array');
    built(c);
    const items: DlmsValue[] = [];
    for (let i = 0; i < d.count; i++) items.push(readUntagged(c, d.element, depth + 1, readBody));
    return { type: 'array', items };
  }
  if ('fields' in d) {
    enter(c, depth, 'structure');
    built(c);
    const items: DlmsValue[] = [];
    for (const f of d.fields) items.push(readUntagged(c, f, depth + 1, readBody));
    return { type: 'structure', items };
  }
  return readBody(c, d.tag, depth, c.p);
}

/** Reads a compact-array whose tag (at `tagAt`) is consumed. */
export function readCompactArray(c: Cursor, depth: number, tagAt: number, readBody: ReadBody): DlmsValue {
  enter(c, depth, 'compact-array');
  const description = readTypeDescription(c, depth + 1);
  const size = minEncodedSize(description);
  const len = readStringLength(c, 'compact-array contents');
  const stop = c.p + len;
  const outerEnd = c.end;
  const outerClipped = c.clipped;
  c.end = stop; // within the budget: readStringLength checked the contents are present
  c.clipped = false;
  const items: DlmsValue[] = [];
  try {
    while (c.p < stop) {
      if (stop - c.p < size) truncated(c, size, `compact-array element (at least ${size} bytes each)`);
      if (items.length === c.maxItems) {
        throw new MeterError('LIMIT_EXCEEDED', 'dlms', `compact-array at offset ${tagAt} has more than ${c.maxItems} elements`, tagAt);
      }
      items.push(readUntagged(c, description, depth + 1, readBody));
    }
  } finally {
    c.end = outerEnd;
    c.clipped = outerClipped;
  }
  return { type: 'compact-array', description, items };
}
