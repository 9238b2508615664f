/**
 * The one error type the decoding core throws (DESIGN §3, "decoders are total"), and the table of its codes.
 * Any other exception escaping a decoder is a bug; property tests check this.
 *
 * Each code names the layers it may come from; the first is its home layer. A few codes are generic across
 * the byte-level layers (a cut input, a limit, a malformed field), the rest belong to exactly one layer. The
 * table is data, so tools (docs, metrics, the CLI) can list every code with what it means.
 */

export type ErrorLayer = 'input' | 'framing' | 'security' | 'dlms' | 'dsmr' | 'profile' | 'config';

interface CodeInfo {
  readonly layers: readonly ErrorLayer[];
  /** What the code means, for documentation and `meterwire` help texts. */
  readonly meaning: string;
}

export const ERROR_CODES = {
  // input and configuration
  BAD_HEX: { layers: ['input'], meaning: 'the input is not valid hex' },
  BAD_INPUT: { layers: ['input'], meaning: 'the input is not a capture, telegram or OBIS code meterwire can read' },
  BAD_CONFIG: { layers: ['config'], meaning: 'a configuration file, option or profile file is invalid' },
  BAD_URL: { layers: ['config'], meaning: 'a source, output or store URL cannot be used' },
  BAD_KEY: { layers: ['config'], meaning: 'a GUEK or GAK is not 32 hex digits or 16 characters' },
  UNKNOWN_OUTPUT: { layers: ['config'], meaning: 'an output URL scheme meterwire does not know' },
  UNKNOWN_PROFILE: { layers: ['config'], meaning: 'no profile with that id' },
  UNKNOWN_FORMAT: { layers: ['config'], meaning: 'a framing format other than auto, dsmr, mbus, hdlc or apdu' },
  // framing and other byte-level layers
  TRUNCATED: { layers: ['framing', 'security', 'dlms', 'dsmr'], meaning: 'the unit ended before its content' },
  BAD_CHECKSUM: { layers: ['framing', 'dsmr'], meaning: 'a checksum (M-Bus, HDLC HCS/FCS, DSMR CRC16) did not match' },
  BAD_FRAME: { layers: ['framing', 'security'], meaning: 'a frame or envelope field is malformed' },
  LIMIT_EXCEEDED: { layers: ['framing', 'security', 'dlms', 'dsmr'], meaning: 'the input exceeds a decoding bound (size, elements, nesting)' },
  NO_FRAME: { layers: ['framing'], meaning: 'no frame was found in the input' },
  // security
  MISSING_KEY: { layers: ['security'], meaning: 'the frame is encrypted and no GUEK was given' },
  AUTH_FAILED: { layers: ['security'], meaning: 'the GCM tag did not verify' },
  AUTH_REQUIRED: { layers: ['security'], meaning: 'a GAK is configured but the frame carries no tag (downgrade refused)' },
  WRONG_KEY: { layers: ['security'], meaning: 'an encryption-only frame decrypts to garbage: the GUEK is likely wrong' },
  UNSUPPORTED_SECURITY: { layers: ['security'], meaning: 'a security control byte meterwire cannot handle' },
  FRAME_COUNTER_REPLAY: { layers: ['security'], meaning: 'the frame counter is at or below the last one seen: replayed frame' },
  // DLMS / A-XDR
  UNKNOWN_TAG: { layers: ['dlms'], meaning: 'an A-XDR data tag that does not exist' },
  BAD_VALUE: { layers: ['dlms', 'dsmr', 'framing', 'security'], meaning: 'a value is malformed (length prefix, BCD digit, date-time size)' },
  UNSUPPORTED_APDU: { layers: ['dlms'], meaning: 'an APDU other than a push (data-notification)' },
  // DSMR
  BAD_TELEGRAM: { layers: ['dsmr'], meaning: 'the text is not a DSMR telegram' },
  MISSING_CRC: { layers: ['dsmr'], meaning: 'a DSMR 4/5 telegram without its CRC' },
  // payload → readings
  UNKNOWN_LAYOUT: { layers: ['profile', 'dlms'], meaning: 'a list without OBIS codes and no profile layout for it' },
  LAYOUT_MISMATCH: { layers: ['profile'], meaning: 'a positional list does not fit the layout: an element has the wrong type or an implausible value' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The layers a code may be raised in. */
export type LayerOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['layers'][number];

export class MeterError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly layer: ErrorLayer;
  /** Byte (or character) offset in the unit being decoded, when known. */
  readonly offset: number | undefined;

  constructor(code: C, layer: LayerOf<C>, message: string, offset?: number) {
    super(message);
    this.name = 'MeterError';
    this.code = code;
    this.layer = layer;
    this.offset = offset;
  }
}

/** A MeterError raised in the code's home layer: `meterError('BAD_CONFIG', …)`. */
export function meterError<C extends ErrorCode>(code: C, message: string, offset?: number): MeterError<C> {
  return new MeterError(code, ERROR_CODES[code].layers[0] as LayerOf<C>, message, offset);
}

export function isMeterError(e: unknown): e is MeterError {
  return e instanceof MeterError;
}
