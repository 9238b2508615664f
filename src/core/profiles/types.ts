/**
 * Meter/operator profiles are data (DESIGN §3 "knowledge is data"): framing, serial settings, security, and for
 * lists that carry no OBIS codes, the positional layout. Users can add a profile as a JSON file of this shape.
 */
import type { FrameKind } from '../framing/types.js';
import type { FieldType } from './field-types.js';

export type Parity = 'none' | 'even' | 'odd';

export interface SerialSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
}

export type KeyName = 'GUEK' | 'GAK';

/** How the decrypted payload carries its values. */
export type PayloadShape =
  | 'dsmr' // DSMR ASCII telegram (plain P1, or inside the 0xDB envelope: Smarty, T210-D-r)
  | 'obis-structures' // {OBIS, value, {scaler, unit}} structures (EVN, Tirol/Salzburg/Vorarlberg Kaifa, Aidon)
  | 'obis-flat' // OBIS, value, OBIS, value … without scaler (L+G E450, Kamstrup)
  | 'positional' // bare values in a fixed order, no OBIS (Wiener Netze, Kärnten, Kaifa Norway)
  | 'self-describing'; // the push object list, then the values (L+G E450/E570/E360 and Iskra AM550 in CH, CY)

/**
 * One position of a positional list: which OBIS code it is, the A-XDR type(s) it accepts, and the scaler/unit
 * the meter does not send. An element of another type, or whose scaled value is not plausible for the code's
 * quantity (OBIS registry), makes the list LAYOUT_MISMATCH instead of a wrong reading.
 */
export interface PositionalField {
  obis: string;
  /**
   * Accepted types (see dlms/value-types.ts): exact (`uint32`, `octet-string[12]`) or classes (`integer`, `text`,
   * `datetime`, `any`). Default by role: timestamp → datetime, date → date, time → time, meter-id → text, fields
   * with a scaler or unit → integer, skip and fields that state nothing else → any.
   */
  type?: FieldType | readonly FieldType[];
  /** Power of ten applied to integers. Default 0. */
  scaler?: number;
  unit?: string;
  /** Skip this element (padding, customer info). */
  skip?: boolean;
  /** Element is a COSEM date-time/date/time that becomes the message timestamp rather than a reading. */
  role?: 'timestamp' | 'time' | 'date' | 'meter-id';
}

export interface PositionalLayout {
  /** Number of elements of the top-level structure this layout applies to. */
  elements: number;
  fields: PositionalField[];
}

export interface ProfileMatch {
  /** Three-letter manufacturer ids from the system title (e.g. "KFM", "SAG", "ISK", "LGZ"). */
  manufacturers?: string[];
  /** DSMR telegram header regular expression source, e.g. "^/(FLU|fLU)". */
  dsmrHeader?: string;
  /** Top-level element count of the notification body. */
  elements?: number[];
  /** First byte values of the APDU/outer frame. */
  framing?: FrameKind[];
  /** Logical names (OBIS text) of the push setup a self-describing push names first, e.g. "0-8:25.9.0". */
  pushSetup?: string[];
  /** The body names its objects by raw attribute descriptors (Czech Sagemcom XT211). */
  attributeList?: boolean;
}

export interface Profile {
  id: string;
  meter: string;
  operator: string;
  country: string;
  framing: FrameKind;
  serial: SerialSettings;
  /** Which keys the operator hands out and the meter needs. */
  keys: KeyName[];
  payload: PayloadShape;
  /** Nominal push interval in milliseconds (the watchdog uses 3×). */
  intervalMs: number;
  /** IANA time zone of the meter's local clock. */
  timezone: string;
  /** For 'positional': layouts by element count. */
  layouts?: PositionalLayout[];
  /** Scaler per OBIS code, applied where the meter sends none (obis-flat lists); a scaler the meter sends wins. */
  scalers?: Record<string, { scaler: number; unit?: string }>;
  /**
   * Security control bytes the family sends (0x20, 0x21, 0x30 …). When every one carries a tag (0x10 bit), a
   * frame of this family without a tag is refused as a downgrade (AUTH_REQUIRED).
   */
  securityControls?: number[];
  /** A GAK the operator publishes for every meter (Luxembourg): tried when none is configured. Hex. */
  defaultAuthKey?: string;
  /** DSMR telegrams of this family carry a CRC16 (DSMR 4/5): one without it is refused (MISSING_CRC). */
  dsmrCrc?: boolean;
  match?: ProfileMatch;
  notes?: string;
}
