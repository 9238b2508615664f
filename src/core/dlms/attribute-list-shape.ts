/**
 * The shape of a notification body whose objects are named by raw COSEM attribute descriptors, as the Czech
 * Sagemcom XT211 (ČEZ Distribuce, EG.D; RS485 HAN port) pushes it:
 *   02 02  16 <enum>  01 <n>  n × ( 02 02  <class-id u16> <instance-id 6> <attribute-id i8>  <tagged value> )
 * The 9-byte descriptors carry no A-XDR tags (IEC 62056-5-3 Cosem-Attribute-Descriptor in its APDU encoding),
 * so a generic Data walker misreads them; this module recognises the exact shape, byte by byte.
 */

export const DESCRIPTOR_BYTES = 9;
/** More bytes are needed to decide. */
export const SHAPE_NEED = -1;
/** Not this shape. */
export const SHAPE_NO = -2;

/** Whether a raw descriptor plausibly starts at `o`: a known class range, an OBIS code (A ≤ 15), attribute 1..127. */
function isDescriptor(b: Uint8Array, o: number): boolean {
  return b[o] === 0x00 && b[o + 1] !== 0x00 && b[o + 2] <= 15 && b[o + 8] >= 1 && b[o + 8] <= 0x7f;
}

/**
 * Offset of the first object (its `02 02`) when an attribute-descriptor list starts at `p`, SHAPE_NEED, or
 * SHAPE_NO. Writes the object count to `count[0]`.
 */
export function attributeListStart(b: Uint8Array, p: number, end: number, count: number[]): number {
  if (end - p < 6) return SHAPE_NEED;
  if (b[p] !== 0x02 || b[p + 1] !== 0x02 || b[p + 2] !== 0x16 || b[p + 4] !== 0x01) return SHAPE_NO;
  const n = b[p + 5];
  if (n === 0 || n >= 0x80) return SHAPE_NO;
  const first = p + 6;
  if (end - first < 2 + DESCRIPTOR_BYTES) return SHAPE_NEED;
  if (b[first] !== 0x02 || b[first + 1] !== 0x02 || !isDescriptor(b, first + 2)) return SHAPE_NO;
  count[0] = n;
  return first;
}

/** Offset of the value of the object at `o` (its `02 02`), or SHAPE_NEED / SHAPE_NO. */
export function objectValueAt(b: Uint8Array, o: number, end: number): number {
  if (end - o < 2 + DESCRIPTOR_BYTES) return SHAPE_NEED;
  if (b[o] !== 0x02 || b[o + 1] !== 0x02 || !isDescriptor(b, o + 2)) return SHAPE_NO;
  return o + 2 + DESCRIPTOR_BYTES;
}
