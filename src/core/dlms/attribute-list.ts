/**
 * Decodes a notification body of raw attribute descriptors (attribute-list-shape.ts: the Czech Sagemcom XT211)
 * into what the OBIS list reader knows: a structure of {logical name, value} structures. The leading enum (its
 * meaning is not documented) and the class and attribute ids are not needed to name the values: the OBIS code
 * does that.
 */
import { MeterError } from '../errors.js';
import { decodeAxdr } from './axdr.js';
import { attributeListStart, objectValueAt, SHAPE_NEED, DESCRIPTOR_BYTES } from './attribute-list-shape.js';
import type { AxdrLimits, DlmsValue } from './types.js';

const CLASS_PUSH_SETUP = 40;

/** The body as {OBIS, value} structures and the offset after it, or undefined when `p` holds another shape. */
export function decodeAttributeList(b: Uint8Array, p: number, limits: AxdrLimits): { value: DlmsValue; end: number } | undefined {
  const count: number[] = [0];
  let o = attributeListStart(b, p, b.length, count);
  if (o < 0) return undefined;
  const items: DlmsValue[] = [];
  for (let i = 0; i < count[0]; i++) {
    const v = objectValueAt(b, o, b.length);
    if (v < 0) {
      const why = v === SHAPE_NEED ? 'ends inside' : 'has no attribute descriptor at';
      throw new MeterError('TRUNCATED', 'dlms', `attribute list of ${count[0]} objects ${why} object ${i + 1} (offset ${o})`, o);
    }
    const classId = (b[o + 2] << 8) | b[o + 3];
    const name: DlmsValue = { type: 'octet-string', bytes: b.subarray(o + 4, o + 4 + 6) };
    const decoded = decodeAxdr(b, v, limits);
    // A push setup object (class 40) only repeats the push setup's own name: not a reading.
    if (classId !== CLASS_PUSH_SETUP) items.push({ type: 'structure', items: [name, decoded.value] });
    o = decoded.end;
  }
  return { value: { type: 'structure', items }, end: o };
}

export { DESCRIPTOR_BYTES };
