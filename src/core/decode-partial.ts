/**
 * Decoding what arrived of a message cut short at the end of a capture (typically only the first
 * general-block-transfer block). The values that arrived complete are real; the message says it is
 * incomplete, and without its tag nothing in it is authenticated.
 */
import { MeterError } from './errors.js';
import { bytesToHex } from './bytes/hex.js';
import { buildIv, decodeTruncatedGloCipher, isPlausiblePlaintext } from './security/glo-cipher.js';
import { decodeDataNotification } from './dlms/data-notification.js';
import { interpretNotification } from './dlms/payload.js';
import { DEFAULT_AXDR_LIMITS } from './dlms/types.js';
import { manufacturerFromSystemTitle, selectProfile } from './profiles/select.js';
import { nameReadings } from './model/build-message.js';
import { meterInfo, type MessageFormat, type MeterMessage, type QualityFlag } from './model/message.js';
import type { PayloadContext } from './decode-payload.js';

const UNVERIFIED: QualityFlag[] = ['unverified'];

export function decodePartialApdu(partial: Uint8Array, format: MessageFormat, ctx: PayloadContext, reason: string): MeterMessage {
  let plaintext = partial;
  const meter: MeterMessage['meter'] = {};
  let security: MeterMessage['security'];
  let note = `incomplete message (${reason}): ${partial.length} bytes arrived`;
  if (partial[0] === 0xdb) {
    const c = decodeTruncatedGloCipher(partial);
    if (!ctx.key) throw new MeterError('MISSING_KEY', 'security', 'the incomplete frame is encrypted and no key (--key) was given');
    meter.systemTitle = bytesToHex(c.systemTitle);
    meter.manufacturer = manufacturerFromSystemTitle(c.systemTitle);
    security = { securityControl: c.securityControl, frameCounter: c.invocationCounter, authenticated: false, encrypted: true,
      checksum: format === 'mbus' || format === 'hdlc' ? 'verified' : 'absent' };
    plaintext = ctx.aes.decrypt(ctx.key, buildIv(c.systemTitle, c.invocationCounter), c.data) as Uint8Array;
    if (!isPlausiblePlaintext(plaintext)) {
      throw new MeterError('WRONG_KEY', 'security', 'the incomplete frame does not decrypt to a valid message: the GUEK (--key) is likely wrong');
    }
    note = `incomplete message (${reason}): ${c.present} of ${c.announced} bytes arrived; values decoded from what arrived, ` +
      'the authentication tag could not be checked';
  }
  const n = decodeDataNotification(plaintext, DEFAULT_AXDR_LIMITS, { partial: true });
  const items = n.body.type === 'structure' || n.body.type === 'array' ? n.body.items.length : undefined;
  const profile = ctx.profile ?? selectProfile({ format: format === 'dsmr' ? undefined : format, manufacturer: meter.manufacturer, hasObis: true }, ctx.profiles);
  const result = interpretNotification(n.body, { profile, headerDateTime: n.dateTime });
  const msg: MeterMessage = {
    meter: meterInfo(result.meterId ?? meter.systemTitle, meter.systemTitle, meter.manufacturer, profile?.id),
  } as MeterMessage;
  if (result.timestamp) msg.timestamp = result.timestamp;
  msg.format = format;
  if (security) msg.security = security;
  msg.readings = nameReadings(result.readings, UNVERIFIED);
  msg.issues = [{ code: 'INCOMPLETE_MESSAGE', message: `${note}${items !== undefined ? ` (${items} elements read)` : ''}` }, ...result.issues];
  return msg;
}

