/** A-XDR data types (IEC 62056-6-2 §4.1.5, "Data" CHOICE) as decoded values. */

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

/** COSEM date-time (12 bytes). Unspecified fields are undefined; `deviation` is minutes (local = UTC - deviation per spec sign). */
export interface CosemDateTime {
  year?: number;
  month?: number;
  day?: number;
  dayOfWeek?: number;
  hour?: number;
  minute?: number;
  second?: number;
  hundredths?: number;
  /** Minutes; undefined when 0x8000 (not specified). */
  deviation?: number;
  clockStatus?: number;
}

export type DlmsValue =
  | { type: 'null' }
  | { type: 'array'; items: DlmsValue[] }
  | { type: 'structure'; items: DlmsValue[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'bit-string'; bits: number; bytes: Uint8Array }
  | { type: 'integer'; tag: number; value: number | bigint }
  | { type: 'enum'; value: number }
  | { type: 'float'; tag: number; value: number }
  | { type: 'octet-string'; bytes: Uint8Array }
  | { type: 'visible-string'; value: string }
  | { type: 'utf8-string'; value: string }
  | { type: 'bcd'; value: number }
  | { type: 'date-time'; value: CosemDateTime; bytes: Uint8Array }
  | { type: 'date'; bytes: Uint8Array }
  | { type: 'time'; bytes: Uint8Array };

export interface AxdrLimits {
  maxDepth: number;
  maxItems: number;
  maxLength: number;
}

export const DEFAULT_AXDR_LIMITS: AxdrLimits = { maxDepth: 16, maxItems: 4096, maxLength: 65536 };
