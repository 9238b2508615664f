/**
 * The vocabulary profiles use to say which A-XDR type (IEC 62056-6-2 §4.1.5 Data CHOICE) a positional list
 * element has. The matching itself is in dlms/value-types.ts.
 */

/** Exact type names, with an optional octet/char count: `octet-string[6]`, `visible-string[16]`. */
export type ExactType =
  | 'null' | 'boolean' | 'bit-string' | 'bcd' | 'enum'
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float32' | 'float64'
  | 'octet-string' | 'visible-string' | 'utf8-string' | 'date-time' | 'date' | 'time'
  | 'array' | 'structure' | 'compact-array';

/**
 * Classes: `integer` any integer width, `unsigned` any unsigned width, `number` integer/enum/float/bcd,
 * `text` visible/utf8 strings and printable octet-strings, `datetime` a date-time (tagged, or a plausible 12-byte
 * octet-string), `date`/`time` also as 5/4-byte octet-strings, `any` everything.
 */
export type TypeClass = 'integer' | 'unsigned' | 'number' | 'text' | 'datetime' | 'any';

export type FieldType = ExactType | TypeClass | `${'octet-string' | 'visible-string' | 'utf8-string'}[${number}]`;
