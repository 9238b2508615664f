/**
 * The one error type the decoding core throws (DESIGN §3, "decoders are total").
 * Any other exception escaping a decoder is a bug; property tests check this.
 */

export type ErrorLayer = 'input' | 'framing' | 'security' | 'dlms' | 'dsmr' | 'profile' | 'config';

export type ErrorCode =
  // input / config
  | 'BAD_HEX'
  | 'BAD_KEY'
  | 'UNKNOWN_PROFILE'
  | 'UNKNOWN_FORMAT'
  // framing
  | 'TRUNCATED'
  | 'BAD_CHECKSUM'
  | 'BAD_FRAME'
  | 'LIMIT_EXCEEDED'
  // security
  | 'MISSING_KEY'
  | 'AUTH_FAILED'
  | 'WRONG_KEY'
  | 'UNSUPPORTED_SECURITY'
  // DLMS / A-XDR
  | 'UNKNOWN_TAG'
  | 'BAD_VALUE'
  | 'UNSUPPORTED_APDU'
  // DSMR
  | 'BAD_TELEGRAM'
  // payload → readings
  | 'UNKNOWN_LAYOUT';

export class MeterError extends Error {
  readonly code: ErrorCode;
  readonly layer: ErrorLayer;
  /** Byte (or character) offset in the unit being decoded, when known. */
  readonly offset: number | undefined;

  constructor(code: ErrorCode, layer: ErrorLayer, message: string, offset?: number) {
    super(message);
    this.name = 'MeterError';
    this.code = code;
    this.layer = layer;
    this.offset = offset;
  }
}

export function isMeterError(e: unknown): e is MeterError {
  return e instanceof MeterError;
}
