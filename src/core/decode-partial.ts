/**
 * Decoding what arrived of a message cut short at the end of a capture (typically only the first
 * general-block-transfer block). The values that arrived complete are real; the message says it is
 * incomplete, and without its tag nothing in it is authenticated. A wrong key stays WRONG_KEY (the pipeline
 * keeps security errors as they are): the cut does not excuse garbage.
 */
import { MeterError } from './errors.js';
import { bytesToHex } from './bytes/hex.js';
import { buildIv, decodeTruncatedGloCipher, isPlausiblePlaintext } from './security/glo-cipher.js';
import { decodeDataNotification } from './dlms/data-notification.js';
import { interpretNotification } from './dlms/payload.js';
import { DEFAULT_AXDR_LIMITS } from './dlms/types.js';
import { manufacturerFromSystemTitle } from './profiles/select.js';
import { buildMessage, finishReadings } from './model/build-message.js';
import { meterInfo, type MessageFormat, type MeterMessage, type Reading, type SecurityInfo } from './model/message.js';
import type { FrameKind } from './framing/types.js';
import type { DecodeConfig, DecodeState } from './decode-config.js';
import { linkChecksum, UNVERIFIED } from './decode-envelope-info.js';

export function decodePartialApdu(partial: Uint8Array, kind: FrameKind, config: DecodeConfig, state: DecodeState,
  reason: string): MeterMessage {
  const format: MessageFormat = kind;
  let plaintext = partial;
  let systemTitle: string | undefined, manufacturer: string | undefined;
  let security: SecurityInfo = { authenticated: false, encrypted: false, checksum: linkChecksum(kind) };
  let note = `incomplete message (${reason}): ${partial.length} bytes arrived`;
  const ciphered = partial[0] === 0xdb || partial[0] === 0xdc;
  if (ciphered) {
    const c = decodeTruncatedGloCipher(partial);
    if (!config.key) throw new MeterError('MISSING_KEY', 'security', 'the incomplete frame is encrypted and no key (--key) was given');
    systemTitle = bytesToHex(c.systemTitle);
    manufacturer = manufacturerFromSystemTitle(c.systemTitle);
    security = { securityControl: c.securityControl, frameCounter: c.invocationCounter, authenticated: false, encrypted: true,
      checksum: linkChecksum(kind) };
    plaintext = config.aes.decrypt(config.key, buildIv(c.systemTitle, c.invocationCounter), c.data) as Uint8Array;
    if (!isPlausiblePlaintext(plaintext)) {
      throw new MeterError('WRONG_KEY', 'security',
        'the incomplete frame does not decrypt to a valid message: the GUEK (--key) is likely wrong');
    }
    note = `incomplete message (${reason}): ${c.present} of ${c.announced} bytes arrived; values decoded from what arrived, ` +
      'the authentication tag could not be checked';
  }
  const profile = config.profile ?? state.chooser.auto({ format: kind, manufacturer, hasObis: true });
  const n = decodeDataNotification(plaintext, DEFAULT_AXDR_LIMITS, { partial: true });
  const result = interpretNotification(n.body, { profile, headerDateTime: n.dateTime, factory: state.factory });
  const items = n.body.type === 'structure' || n.body.type === 'array' ? n.body.items.length : undefined;
  const issues = [{ code: 'INCOMPLETE_MESSAGE', message: `${note}${items !== undefined ? ` (${items} elements read)` : ''}` },
    ...result.issues];
  const meter = meterInfo(result.meterId ?? systemTitle, systemTitle, manufacturer, profile?.id);
  const readings = finishReadings(result.readings as Reading[], UNVERIFIED, state.factory, issues);
  return buildMessage({ meter, timestamp: result.timestamp, format, security, readings, issues });
}
