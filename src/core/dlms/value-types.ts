/**
 * The A-XDR types a positional list element may have (IEC 62056-6-2 §4.1.5 Data CHOICE), named as profiles
 * write them, and the test whether a decoded value has one of them. Profiles state per field what they accept
 * (`uint32`, `octet-string[12]`, `text`, `datetime`…), so a list that does not fit its layout is refused
 * instead of being mapped onto the wrong codes.
 */
import { isPlausibleCosemDateTime } from './datetime.js';
import { DataTag, type DlmsValue } from './types.js';
import type { ExactType, FieldType, TypeClass } from '../profiles/field-types.js';

export type { FieldType } from '../profiles/field-types.js';

const INT_NAMES: Readonly<Record<number, ExactType>> = {
  [DataTag.Int8]: 'int8', [DataTag.Int16]: 'int16', [DataTag.Int32]: 'int32', [DataTag.Int64]: 'int64',
  [DataTag.Uint8]: 'uint8', [DataTag.Uint16]: 'uint16', [DataTag.Uint32]: 'uint32', [DataTag.Uint64]: 'uint64',
};

/** The exact type of a value. */
export function exactTypeOf(v: DlmsValue): ExactType {
  switch (v.type) {
    case 'integer': return INT_NAMES[v.tag];
    case 'float': return v.tag === DataTag.Float32 ? 'float32' : 'float64';
    default: return v.type;
  }
}

/** Length in octets (octet-string) or characters (strings); -1 for other types. */
function lengthOf(v: DlmsValue): number {
  if (v.type === 'octet-string') return v.bytes.length;
  if (v.type === 'visible-string' || v.type === 'utf8-string') return v.value.length;
  return -1;
}

function isPrintable(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] < 0x20 || b[i] > 0x7e) return false;
  return true;
}

function matchesClass(v: DlmsValue, c: TypeClass): boolean {
  switch (c) {
    case 'any': return true;
    case 'integer': return v.type === 'integer';
    case 'unsigned': return v.type === 'integer' && (v.tag === DataTag.Uint8 || v.tag === DataTag.Uint16 ||
      v.tag === DataTag.Uint32 || v.tag === DataTag.Uint64);
    case 'number': return v.type === 'integer' || v.type === 'enum' || v.type === 'float' || v.type === 'bcd';
    case 'text': return v.type === 'visible-string' || v.type === 'utf8-string' ||
      (v.type === 'octet-string' && isPrintable(v.bytes));
    case 'datetime': return v.type === 'date-time' ||
      (v.type === 'octet-string' && v.bytes.length === 12 && isPlausibleCosemDateTime(v.bytes, 0));
  }
}

/** The count of a sized type (`octet-string[12]` → 12), or -1; no regex or substring on this hot path. */
function sizeOf(t: string): number {
  const open = t.indexOf('[');
  if (open < 0) return -1;
  let n = 0;
  for (let i = open + 1; i < t.length - 1; i++) n = n * 10 + (t.charCodeAt(i) - 48);
  return n;
}

function sizedBase(t: string, v: DlmsValue): boolean {
  return t.startsWith(v.type) && t.charCodeAt(v.type.length) === 91 /* [ */;
}

/** Whether `v` has type `t`. `date`/`time` also accept the 5/4-byte octet-strings meters send instead. */
export function hasType(v: DlmsValue, t: FieldType): boolean {
  switch (t) {
    case 'any': case 'integer': case 'unsigned': case 'number': case 'text': case 'datetime':
      return matchesClass(v, t);
    case 'date': return v.type === 'date' || (v.type === 'octet-string' && v.bytes.length === 5);
    case 'time': return v.type === 'time' || (v.type === 'octet-string' && v.bytes.length === 4);
  }
  const size = sizeOf(t);
  if (size >= 0) return sizedBase(t, v) && lengthOf(v) === size;
  return exactTypeOf(v) === t;
}

export function hasAnyType(v: DlmsValue, types: readonly FieldType[]): boolean {
  for (const t of types) if (hasType(v, t)) return true;
  return false;
}

/** "uint32", "octet-string[13]", "structure(3)" for messages and signatures. */
export function describeType(v: DlmsValue): string {
  const n = lengthOf(v);
  if (n >= 0) return `${v.type}[${n}]`;
  if (v.type === 'array' || v.type === 'structure' || v.type === 'compact-array') return `${v.type}(${v.items.length})`;
  return exactTypeOf(v);
}

const INT_TAG_OF: Readonly<Record<string, number>> = {
  int8: DataTag.Int8, int16: DataTag.Int16, int32: DataTag.Int32, int64: DataTag.Int64,
  uint8: DataTag.Uint8, uint16: DataTag.Uint16, uint32: DataTag.Uint32, uint64: DataTag.Uint64,
};

/** A predicate for a list of accepted types, made once (a compiled layout checks many lists with it). */
export function typeTest(types: readonly FieldType[]): (v: DlmsValue) => boolean {
  if (types.length === 1) {
    const t = types[0];
    const tag = INT_TAG_OF[t];
    if (tag !== undefined) return (v) => v.type === 'integer' && v.tag === tag;
    if (t === 'any') return () => true;
    return (v) => hasType(v, t);
  }
  return (v) => hasAnyType(v, types);
}
