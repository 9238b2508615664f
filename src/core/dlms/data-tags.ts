/**
 * The A-XDR data tags of the COSEM "Data" CHOICE (IEC 62056-6-2 §4.1.5, IEC 62056-5-3 Data) as one table: name,
 * how the content after the tag is delimited, and whether the type may appear as a simple type in a
 * compact-array type description. The decoder (dlms/axdr.ts), the extent scanner (framing/axdr-extent.ts) and
 * the encoder (encoder/axdr.ts) all read it, so they agree on which tags exist and what they occupy.
 */
import { DataTag } from './types.js';

/** A fixed number of content bytes (≥ 0), or how the content is delimited. */
export type TagContent =
  | number
  /** A-XDR length, then that many bytes (octet-string, visible-string, utf8-string). */
  | 'length-prefixed'
  /** A-XDR length counting bits, then ⌈bits / 8⌉ bytes (bit-string). */
  | 'bit-length'
  /** A-XDR element count, then that many tagged Data elements (array, structure). */
  | 'container'
  /** Type description, then an A-XDR length and that many bytes of untagged contents (compact-array). */
  | 'compact-array';

export interface DataTagInfo {
  readonly tag: DataTag;
  /** The CHOICE alternative's name in IEC 62056-6-2. */
  readonly name: string;
  readonly content: TagContent;
  /**
   * Allowed as a simple type in a compact-array type description. Array and structure have their own syntax
   * there; compact-array cannot nest; null-data is refused because it occupies no bytes, so a few bytes of
   * description could declare any number of values (see docs/decoding-bounds.md).
   */
  readonly inCompactArray: boolean;
  /** Integer types: signed or not (the width is `content`). */
  readonly signed?: boolean;
}

export const DATA_TAGS: readonly DataTagInfo[] = [
  { tag: DataTag.Null, name: 'null-data', content: 0, inCompactArray: false },
  { tag: DataTag.Array, name: 'array', content: 'container', inCompactArray: false },
  { tag: DataTag.Structure, name: 'structure', content: 'container', inCompactArray: false },
  { tag: DataTag.Boolean, name: 'boolean', content: 1, inCompactArray: true },
  { tag: DataTag.BitString, name: 'bit-string', content: 'bit-length', inCompactArray: true },
  { tag: DataTag.Int32, name: 'double-long', content: 4, inCompactArray: true, signed: true },
  { tag: DataTag.Uint32, name: 'double-long-unsigned', content: 4, inCompactArray: true, signed: false },
  { tag: DataTag.OctetString, name: 'octet-string', content: 'length-prefixed', inCompactArray: true },
  { tag: DataTag.VisibleString, name: 'visible-string', content: 'length-prefixed', inCompactArray: true },
  { tag: DataTag.Utf8String, name: 'utf8-string', content: 'length-prefixed', inCompactArray: true },
  { tag: DataTag.Bcd, name: 'bcd', content: 1, inCompactArray: true },
  { tag: DataTag.Int8, name: 'integer', content: 1, inCompactArray: true, signed: true },
  { tag: DataTag.Int16, name: 'long', content: 2, inCompactArray: true, signed: true },
  { tag: DataTag.Uint8, name: 'unsigned', content: 1, inCompactArray: true, signed: false },
  { tag: DataTag.Uint16, name: 'long-unsigned', content: 2, inCompactArray: true, signed: false },
  { tag: DataTag.CompactArray, name: 'compact-array', content: 'compact-array', inCompactArray: false },
  { tag: DataTag.Int64, name: 'long64', content: 8, inCompactArray: true, signed: true },
  { tag: DataTag.Uint64, name: 'long64-unsigned', content: 8, inCompactArray: true, signed: false },
  { tag: DataTag.Enum, name: 'enum', content: 1, inCompactArray: true },
  { tag: DataTag.Float32, name: 'float32', content: 4, inCompactArray: true },
  { tag: DataTag.Float64, name: 'float64', content: 8, inCompactArray: true },
  { tag: DataTag.DateTime, name: 'date-time', content: 12, inCompactArray: true },
  { tag: DataTag.Date, name: 'date', content: 5, inCompactArray: true },
  { tag: DataTag.Time, name: 'time', content: 4, inCompactArray: true },
];

const BY_TAG: readonly (DataTagInfo | undefined)[] = (() => {
  const t: (DataTagInfo | undefined)[] = new Array(256).fill(undefined);
  for (const info of DATA_TAGS) t[info.tag] = info;
  return t;
})();

/** The table row of a tag byte, or undefined for bytes that are no data tag. */
export function dataTagInfo(tag: number): DataTagInfo | undefined {
  return BY_TAG[tag];
}

/** "unsigned (0x11)", or "0x07" for an unknown tag: for messages. */
export function describeDataTag(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(2, '0')}`;
  const info = BY_TAG[tag];
  return info ? `${info.name} (${hex})` : hex;
}

/** Content classes of TAG_CONTENT besides fixed sizes (which are ≥ 0). */
export const CONTENT_LENGTH = -1;
export const CONTENT_BITS = -2;
export const CONTENT_CONTAINER = -3;
export const CONTENT_COMPACT = -4;
export const CONTENT_UNKNOWN = -5;

/** Per tag byte, for scanners: the fixed content size, or a CONTENT_* class. One table load per element. */
export const TAG_CONTENT: Int8Array = (() => {
  const t = new Int8Array(256).fill(CONTENT_UNKNOWN);
  const classes = { 'length-prefixed': CONTENT_LENGTH, 'bit-length': CONTENT_BITS, container: CONTENT_CONTAINER, 'compact-array': CONTENT_COMPACT };
  for (const info of DATA_TAGS) t[info.tag] = typeof info.content === 'number' ? info.content : classes[info.content];
  return t;
})();

/** Per tag byte: 1 when it may be a simple type of a compact-array type description (inCompactArray). */
export const TAG_IN_COMPACT_ARRAY: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const info of DATA_TAGS) if (info.inCompactArray) t[info.tag] = 1;
  return t;
})();
