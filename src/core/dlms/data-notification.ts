/**
 * DataNotification APDU (IEC 62056-5-3 §9.3 xDLMS, tag 0x0F): long-invoke-id-and-priority (u32),
 * date-time (OCTET STRING OPTIONAL: 00 absent, or 0C + 12 bytes), notification-body (one Data element).
 * Quirk: Kaifa meters in Norway send the date-time as `09 0C` + 12 bytes (an extra octet-string tag); the Czech
 * Sagemcom XT211 names its objects by untagged attribute descriptors (attribute-list.ts).
 */
import { MeterError } from '../errors.js';
import { decodeAxdr, decodeAxdrPartial } from './axdr.js';
import { decodeAttributeList } from './attribute-list.js';
import { decodeCosemDateTime } from './datetime.js';
import { DEFAULT_AXDR_LIMITS, type AxdrLimits, type CosemDateTime, type DlmsValue } from './types.js';

export const DATA_NOTIFICATION_TAG = 0x0f;

export interface DataNotification {
  /** long-invoke-id-and-priority: invoke id in the low 24 bits, flags in the top byte. */
  invokeId: number;
  dateTime?: CosemDateTime;
  /** The 12 raw date-time bytes, when present (a view into the input). */
  dateTimeBytes?: Uint8Array;
  /** True when the date-time came with the extra 0x09 tag (Kaifa Norway). */
  dateTimeTagQuirk?: boolean;
  body: DlmsValue;
  /** Offset just past the body; bytes after it are not part of the notification. */
  end: number;
  /** Partial mode only: the input ended inside the body. */
  incomplete?: boolean;
  /** The body named its objects by raw attribute descriptors (XT211); `body` holds them as {OBIS, value} structures. */
  attributeList?: boolean;
}

/** Names of xDLMS APDU tags that are not pushes, for a helpful error. */
const APDU_NAMES: Record<number, string> = {
  0x01: 'initiate-request', 0x08: 'initiate-response', 0x0e: 'confirmed-service-error',
  0x60: 'AARQ', 0x61: 'AARE', 0x62: 'RLRQ', 0x63: 'RLRE',
  0xc0: 'get-request', 0xc1: 'set-request', 0xc2: 'event-notification-request', 0xc3: 'action-request',
  0xc4: 'get-response', 0xc5: 'set-response', 0xc7: 'action-response', 0xd8: 'exception-response',
  0xdb: 'general-glo-ciphering (still encrypted)', 0xdf: 'general-ded-ciphering (still encrypted)',
  0xe0: 'general-block-transfer (not reassembled)', 0x2f: 'DSMR text telegram ("/")',
};

function describeTag(tag: number): string {
  const name = APDU_NAMES[tag];
  return `0x${tag.toString(16).padStart(2, '0')}${name ? ` (${name})` : ''}`;
}

function truncated(offset: number, what: string): never {
  throw new MeterError('TRUNCATED', 'dlms', `data-notification ends inside the ${what} (offset ${offset})`, offset);
}

/**
 * Decodes a data-notification. Throws MeterError UNSUPPORTED_APDU for other APDUs (naming them), TRUNCATED,
 * BAD_VALUE (date-time length other than 0 or 12) and whatever the A-XDR body decoder throws.
 */
export function decodeDataNotification(apdu: Uint8Array, limits: AxdrLimits = DEFAULT_AXDR_LIMITS,
  options: { partial?: boolean } = {}): DataNotification {
  if (apdu.length === 0) truncated(0, 'APDU tag');
  if (apdu[0] !== DATA_NOTIFICATION_TAG) {
    throw new MeterError('UNSUPPORTED_APDU', 'dlms',
      `APDU tag ${describeTag(apdu[0])} is not a data-notification (0x0f): only push messages are decoded`, 0);
  }
  if (apdu.length < 6) truncated(apdu.length, 'long-invoke-id-and-priority');
  const invokeId = ((apdu[1] << 24) >>> 0) + ((apdu[2] << 16) | (apdu[3] << 8) | apdu[4]);
  let p = 5;
  let quirk = false;
  let len = apdu[p];
  if (len === 0x09 && apdu[p + 1] === 0x0c) { quirk = true; p++; len = 0x0c; }
  let dateTime: CosemDateTime | undefined;
  let dateTimeBytes: Uint8Array | undefined;
  if (len === 0x0c) {
    if (p + 13 > apdu.length) truncated(apdu.length, 'date-time');
    dateTimeBytes = apdu.subarray(p + 1, p + 13);
    dateTime = decodeCosemDateTime(dateTimeBytes, 0);
    p += 13;
  } else if (len === 0x00) {
    p += 1;
  } else {
    throw new MeterError('BAD_VALUE', 'dlms',
      `data-notification date-time length 0x${len.toString(16)} at offset ${p}: expected 0x00 (absent) or 0x0c (12 bytes)`, p);
  }
  if (p >= apdu.length) truncated(p, 'notification-body');
  const listed = options.partial ? undefined : decodeAttributeList(apdu, p, limits);
  const decoded = listed ?? (options.partial ? decodeAxdrPartial(apdu, p, limits) : decodeAxdr(apdu, p, limits));
  const n: DataNotification = { invokeId, body: decoded.value, end: decoded.end };
  if (listed) n.attributeList = true;
  if ('complete' in decoded && !decoded.complete) n.incomplete = true;
  if (dateTime) { n.dateTime = dateTime; n.dateTimeBytes = dateTimeBytes; }
  if (quirk) n.dateTimeTagQuirk = true;
  return n;
}
