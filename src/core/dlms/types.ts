/**
 * A-XDR data types (IEC 62056-6-2 §4.1.5, the "Data" CHOICE of IEC 62056-5-3) as decoded values.
 * Every variant keeps what is needed to encode it back byte for byte (see encoder/axdr.ts).
 */

export enum DataTag {
  Null = 0x00,
  Array = 0x01,
  Structure = 0x02,
  Boolean = 0x03,
  BitString = 0x04,
  Int32 = 0x05,
  Uint32 = 0x06,
  OctetString = 0x09,
  VisibleString = 0x0a,
  Utf8String = 0x0c,
  Bcd = 0x0d,
  Int8 = 0x0f,
  Int16 = 0x10,
  Uint8 = 0x11,
  Uint16 = 0x12,
  CompactArray = 0x13,
  Int64 = 0x14,
  Uint64 = 0x15,
  Enum = 0x16,
  Float32 = 0x17,
  Float64 = 0x18,
  DateTime = 0x19,
  Date = 0x1a,
  Time = 0x1b,
}

/** Integer tags and their byte widths / signedness. */
export type IntegerTag =
  | DataTag.Int8 | DataTag.Int16 | DataTag.Int32 | DataTag.Int64
  | DataTag.Uint8 | DataTag.Uint16 | DataTag.Uint32 | DataTag.Uint64;

/**
 * COSEM date-time (IEC 62056-6-2 §4.1.6.1, 12 bytes). Unspecified fields (0xFF, 0xFFFF, 0x8000) are undefined.
 * `deviation` is UTC − local in minutes (so UTC = local + deviation: CET is −60, CEST −120).
 */
export interface CosemDateTime {
  year?: number;
  month?: number;
  day?: number;
  dayOfWeek?: number;
  hour?: number;
  minute?: number;
  second?: number;
  hundredths?: number;
  /** Minutes, UTC − local; undefined when 0x8000 (not specified). */
  deviation?: number;
  /** Clock status byte (bit 7: daylight saving active); undefined when 0xFF. */
  clockStatus?: number;
}

/** Type description of a compact-array (IEC 62056-6-2 §4.1.5 "TypeDescription"). */
export type TypeDescription =
  | { tag: DataTag.Array; count: number; element: TypeDescription }
  | { tag: DataTag.Structure; fields: TypeDescription[] }
  | { tag: number };

export type DlmsValue =
  | { type: 'null' }
  | { type: 'array'; items: DlmsValue[] }
  | { type: 'structure'; items: DlmsValue[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'bit-string'; bits: number; bytes: Uint8Array }
  /** 64-bit integers are bigint only beyond Number.MAX_SAFE_INTEGER. */
  | { type: 'integer'; tag: IntegerTag; value: number | bigint }
  | { type: 'enum'; value: number }
  | { type: 'float'; tag: DataTag.Float32 | DataTag.Float64; value: number }
  | { type: 'octet-string'; bytes: Uint8Array }
  | { type: 'visible-string'; value: string }
  | { type: 'utf8-string'; value: string }
  /** One BCD byte, two decimal digits. */
  | { type: 'bcd'; value: number }
  /** `bytes` are the 12 date-time bytes; `value` their decoded fields. */
  | { type: 'date-time'; value: CosemDateTime; bytes: Uint8Array }
  | { type: 'date'; bytes: Uint8Array }
  | { type: 'time'; bytes: Uint8Array }
  | { type: 'compact-array'; description: TypeDescription; items: DlmsValue[] };

/**
 * Bounds of one A-XDR decode (docs/decoding-bounds.md). Counts and lengths are also checked against the bytes
 * left before anything is built, so these are a second line: they keep a large but well-formed value in check.
 */
export interface AxdrLimits {
  /** Maximum nesting of arrays/structures (and compact-array type descriptions); capped at AXDR_DEPTH_CAP. */
  maxDepth: number;
  /** Maximum element count of one array/structure/compact-array. */
  maxItems: number;
  /** Maximum length of one string or bit-string (bytes). */
  maxLength: number;
  /** Maximum number of values one decode builds (containers and leaves). Default 65536. */
  maxElements?: number;
  /** Maximum encoded size of one value (bytes); a value running past it is LIMIT_EXCEEDED. Default 65536. */
  maxBytes?: number;
}

export const DEFAULT_AXDR_LIMITS: Required<AxdrLimits> = {
  maxDepth: 16, maxItems: 4096, maxLength: 65536, maxElements: 65536, maxBytes: 65536,
};
