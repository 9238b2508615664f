/**
 * Where one A-XDR encoded `Data` element ends (IEC 62056-6-2 §4.1.5 Data CHOICE, A-XDR rules of IEC 61334-6),
 * without decoding it. The bare data-notification (IEC 62056-5-3 §9.3.11, tag 0x0F) carries no length, so its
 * end is the end of its one body element. Lengths use the A-XDR form: < 0x80, or 0x81..0x84 + that many bytes.
 */

/** More bytes are needed to find the end. */
export const AXDR_NEED_MORE = -1;
/** Not a valid Data element (unknown tag, bad length form, nesting too deep). */
export const AXDR_INVALID = -2;

export const AXDR_MAX_DEPTH = 16;

/** Fixed content sizes by tag; -1 marks tags with a length or nested content. */
const FIXED_SIZE: Readonly<Record<number, number>> = {
  0x00: 0, 0x03: 1, 0x05: 4, 0x06: 4, 0x0d: 1, 0x0f: 1, 0x10: 2, 0x11: 1, 0x12: 2,
  0x14: 8, 0x15: 8, 0x16: 1, 0x17: 4, 0x18: 8, 0x19: 12, 0x1a: 5, 0x1b: 4,
};

interface Length {
  value: number;
  next: number;
}

/** Reads an A-XDR length at `o`; a negative number is AXDR_NEED_MORE / AXDR_INVALID. */
function readLength(b: Uint8Array, o: number, end: number): Length | number {
  if (o >= end) return AXDR_NEED_MORE;
  const first = b[o];
  if (first < 0x80) return { value: first, next: o + 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 4) return AXDR_INVALID;
  if (o + 1 + n > end) return AXDR_NEED_MORE;
  let value = 0;
  for (let i = 1; i <= n; i++) value = value * 256 + b[o + i];
  return { value, next: o + 1 + n };
}

/** End of the compact-array type description at `o` (IEC 62056-6-2 TypeDescription). */
function typeDescriptionEnd(b: Uint8Array, o: number, end: number, depth: number): number {
  if (depth > AXDR_MAX_DEPTH) return AXDR_INVALID;
  if (o >= end) return AXDR_NEED_MORE;
  const tag = b[o];
  if (tag === 0x01) { // array: u16 count + element type
    if (o + 3 > end) return AXDR_NEED_MORE;
    return typeDescriptionEnd(b, o + 3, end, depth + 1);
  }
  if (tag === 0x02) { // structure: count + that many types
    const len = readLength(b, o + 1, end);
    if (typeof len === 'number') return len;
    let p = len.next;
    for (let i = 0; i < len.value; i++) {
      p = typeDescriptionEnd(b, p, end, depth + 1);
      if (p < 0) return p;
    }
    return p;
  }
  return FIXED_SIZE[tag] !== undefined || (tag >= 0x09 && tag <= 0x0c && tag !== 0x0b) || tag === 0x04
    ? o + 1 : AXDR_INVALID;
}

function elementEnd(b: Uint8Array, o: number, end: number, depth: number): number {
  if (depth > AXDR_MAX_DEPTH) return AXDR_INVALID;
  if (o >= end) return AXDR_NEED_MORE;
  const tag = b[o];
  const fixed = FIXED_SIZE[tag];
  if (fixed !== undefined) return o + 1 + fixed <= end ? o + 1 + fixed : AXDR_NEED_MORE;
  switch (tag) {
    case 0x01: // array
    case 0x02: { // structure
      const len = readLength(b, o + 1, end);
      if (typeof len === 'number') return len;
      let p = len.next;
      for (let i = 0; i < len.value; i++) {
        p = elementEnd(b, p, end, depth + 1);
        if (p < 0) return p;
      }
      return p;
    }
    case 0x04: // bit-string: length in bits
    case 0x09: // octet-string
    case 0x0a: // visible-string
    case 0x0c: { // utf8-string
      const len = readLength(b, o + 1, end);
      if (typeof len === 'number') return len;
      const size = tag === 0x04 ? Math.ceil(len.value / 8) : len.value;
      return len.next + size <= end ? len.next + size : AXDR_NEED_MORE;
    }
    case 0x13: { // compact-array: type description, then contents as a length-prefixed octet string
      const p = typeDescriptionEnd(b, o + 1, end, depth + 1);
      if (p < 0) return p;
      const len = readLength(b, p, end);
      if (typeof len === 'number') return len;
      return len.next + len.value <= end ? len.next + len.value : AXDR_NEED_MORE;
    }
    default:
      return AXDR_INVALID;
  }
}

/**
 * End offset (exclusive) of the A-XDR Data element starting at `offset`, AXDR_NEED_MORE when bytes up to `end`
 * do not complete it, or AXDR_INVALID when it cannot be one. Never throws; nesting is limited to AXDR_MAX_DEPTH.
 */
export function axdrExtent(bytes: Uint8Array, offset: number, end = bytes.length): number {
  return elementEnd(bytes, offset, Math.min(end, bytes.length), 0);
}
