/**
 * One framed unit → one message (DESIGN §1): the envelope/security stage (0xDB/0xDC → plaintext and the
 * guarantees that held), then the DSMR or the DLMS stage, both ending in the one message builder. Throws
 * MeterError; the pipeline turns it into an error message.
 */
import { MeterError } from './errors.js';
import { bytesToHex } from './bytes/hex.js';
import type { FrameKind } from './framing/types.js';
import { GENERAL_DED_CIPHERING, GENERAL_GLO_CIPHERING } from './security/glo-cipher.js';
import { openEnvelope, readEnvelope, type OpenedEnvelope } from './security/envelope.js';
import { manufacturerFromSystemTitle } from './profiles/select.js';
import type { MeterMessage } from './model/message.js';
import { rememberTitle, type DecodeConfig, type DecodeState } from './decode-config.js';
import { linkChecksum, NO_QUALITY, plainEnvelope, UNVERIFIED, type UnitEnvelope } from './decode-envelope-info.js';
import { decodeDsmrTelegram } from './decode-dsmr.js';
import { decodeDlmsNotification } from './decode-dlms.js';

const DSMR_START = 0x2f;

/** Opens a ciphered APDU under the configured keys and the trust policy of the meter family. */
export function openUnitEnvelope(apdu: Uint8Array, kind: FrameKind, config: DecodeConfig, state: DecodeState):
  { opened: OpenedEnvelope; env: UnitEnvelope } {
  const c = readEnvelope(apdu);
  const manufacturer = manufacturerFromSystemTitle(c.systemTitle);
  const systemTitle = bytesToHex(c.systemTitle);
  const defaultGak = state.defaultKeyFailed.has(systemTitle) ? undefined : state.chooser.defaultAuthKey(kind, manufacturer);
  const opened = openEnvelope(c, config, {
    tags: state.chooser.tagPolicy(kind, manufacturer),
    allowUntagged: config.allowUnauthenticated,
    defaultAuthKey: defaultGak,
  }, config.aes);
  if (opened.defaultAuthKeyFailed) rememberTitle(state.defaultKeyFailed, systemTitle);
  const env: UnitEnvelope = {
    meter: { systemTitle, manufacturer },
    security: {
      securityControl: c.securityControl, frameCounter: c.invocationCounter,
      authenticated: opened.authenticated, encrypted: opened.encrypted, checksum: linkChecksum(kind),
    },
    quality: opened.unverified ? UNVERIFIED : NO_QUALITY,
    enveloped: true,
  };
  return { opened, env };
}

function decodePlaintext(p: Uint8Array, kind: FrameKind, config: DecodeConfig, state: DecodeState, env: UnitEnvelope): MeterMessage {
  if (p[0] !== DSMR_START) return decodeDlmsNotification(p, kind, config, state, env);
  const msg = decodeDsmrTelegram(p, kind, config, state, env);
  if (config.includeApdu) (msg as MeterMessage & { apdu?: string }).apdu = bytesToHex(p);
  return msg;
}

export function decodeApdu(apdu: Uint8Array, kind: FrameKind, config: DecodeConfig, state: DecodeState): MeterMessage {
  if (apdu.length === 0) throw new MeterError('TRUNCATED', 'dlms', 'empty APDU');
  if (apdu[0] !== GENERAL_GLO_CIPHERING && apdu[0] !== GENERAL_DED_CIPHERING) {
    return decodeDlmsNotification(apdu, kind, config, state, plainEnvelope(kind));
  }
  const { opened, env } = openUnitEnvelope(apdu, kind, config, state);
  try {
    return decodePlaintext(opened.plaintext, kind, config, state, env);
  } catch (e) {
    // Without a tag, a wrong key shows up as undecodable plaintext: say so instead of a parser detail.
    if (e instanceof MeterError && !opened.authenticated && opened.encrypted && e.layer !== 'profile' && e.code !== 'UNKNOWN_LAYOUT') {
      throw new MeterError('WRONG_KEY', 'security',
        `the decrypted message does not decode (${e.message}): the GUEK (--key) is likely wrong`);
    }
    throw e;
  }
}

/** A unit of any framing: DSMR text, or a DLMS APDU. */
export function decodeUnit(kind: FrameKind, payload: Uint8Array, config: DecodeConfig, state: DecodeState): MeterMessage {
  return kind === 'dsmr'
    ? decodeDsmrTelegram(payload, 'dsmr', config, state, plainEnvelope('dsmr'))
    : decodeApdu(payload, kind, config, state);
}
