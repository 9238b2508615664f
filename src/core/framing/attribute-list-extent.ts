/**
 * Where a bare data-notification whose body is a raw attribute-descriptor list (dlms/attribute-list-shape.ts,
 * the Czech Sagemcom XT211) ends: each object's tagged value is walked with the A-XDR extent scanner. Bounded by
 * `limit` bytes like every bare notification.
 */
import { attributeListStart, objectValueAt, SHAPE_NEED } from '../dlms/attribute-list-shape.js';
import { AXDR_INVALID, AXDR_NEED_MORE, AXDR_TOO_LONG, axdrExtent } from './axdr-extent.js';

/** End offset of the list at `p`, AXDR_NEED_MORE, AXDR_TOO_LONG, or AXDR_INVALID when `p` holds another shape. */
export function attributeListExtent(b: Uint8Array, p: number, end: number, limit: number): number {
  const count: number[] = [0];
  let o = attributeListStart(b, p, end, count);
  if (o === SHAPE_NEED) return AXDR_NEED_MORE;
  if (o < 0) return AXDR_INVALID;
  for (let i = 0; i < count[0]; i++) {
    if (o - p > limit) return AXDR_TOO_LONG;
    const v = objectValueAt(b, o, end);
    if (v === SHAPE_NEED) return AXDR_NEED_MORE;
    if (v < 0) return AXDR_INVALID;
    o = axdrExtent(b, v, end);
    if (o < 0) return o === AXDR_NEED_MORE ? AXDR_NEED_MORE : AXDR_INVALID;
  }
  return o - p > limit ? AXDR_TOO_LONG : o;
}
