/**
 * DataNotification APDU encoder (IEC 62056-5-3 §9.3, tag 0x0F): the inverse of dlms/data-notification.ts.
 * `dateTimeTagQuirk` writes the date-time as `09 0C` + 12 bytes, as Kaifa meters in Norway do.
 */
import { MeterError } from '../errors.js';
import { DATA_NOTIFICATION_TAG } from './data-notification.js';
import { encodeCosemDateTime } from './datetime.js';
import type { CosemDateTime, DlmsValue } from './types.js';
import { encodeAxdr } from './encode-axdr.js';

export interface DataNotificationInput {
  /** long-invoke-id-and-priority (u32). */
  invokeId: number;
  dateTime?: CosemDateTime;
  body: DlmsValue;
  dateTimeTagQuirk?: boolean;
}

export function encodeDataNotification(n: DataNotificationInput): Uint8Array {
  if (!Number.isInteger(n.invokeId) || n.invokeId < 0 || n.invokeId > 0xffffffff) {
    throw new MeterError('BAD_VALUE', 'dlms', `invoke id ${n.invokeId} is not a 32-bit unsigned integer`);
  }
  const body = encodeAxdr(n.body);
  const dt = n.dateTime ? encodeCosemDateTime(n.dateTime) : undefined;
  const head = 5 + (dt ? (n.dateTimeTagQuirk ? 14 : 13) : 1);
  const out = new Uint8Array(head + body.length);
  out[0] = DATA_NOTIFICATION_TAG;
  out[1] = n.invokeId >>> 24; out[2] = (n.invokeId >>> 16) & 0xff; out[3] = (n.invokeId >>> 8) & 0xff; out[4] = n.invokeId & 0xff;
  let p = 5;
  if (dt) {
    if (n.dateTimeTagQuirk) out[p++] = 0x09;
    out[p++] = 0x0c;
    out.set(dt, p);
    p += 12;
  } else {
    out[p++] = 0x00;
  }
  out.set(body, p);
  return out;
}
