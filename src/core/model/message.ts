/**
 * The normalised message every sink consumes (DESIGN §4): one per decoded frame/telegram, the same for DSMR and
 * DLMS meters. `Reading.id` is a public contract (MQTT topics, HA unique ids, DB columns): never rename silently.
 */

export type QualityFlag =
  | 'unverified' // the GCM tag was not checked (no GAK given)
  | 'scaler_assumed' // positional list without scaler: the profile's scaler was applied
  | 'crc_mismatch' // telegram CRC did not match, value kept on request
  | 'crc_absent' // no checksum vouched for the value (DSMR 2.2/3.0, or an unverified envelope without CRC)
  | 'implausible' // outside the plausible range of its quantity (OBIS registry), e.g. a voltage of 30739 V
  | 'invalid_timestamp' // the value's own timestamp could not be read
  | 'profile_unit'; // unit taken from the profile/registry, not from the meter

export type ReadingValue = number | string;

export interface Reading {
  /** `A-B:C.D.E` (F omitted when 255). Positional values without OBIS get the code the profile assigns. */
  obis: string;
  /** Stable snake_case id, e.g. energy_import, voltage_l1. Unknown codes get `obis_<a>_<b>_<c>_<d>_<e>`. */
  id: string;
  /** English name. */
  name: string;
  /** German name (most users of Austrian meters read these). */
  nameDe?: string;
  value: ReadingValue;
  unit?: string;
  /** The value's own capture time (M-Bus channel readings, max demand), ISO 8601 UTC. */
  timestamp?: string;
  /** The integer the meter sent, present when the scaler came from the profile (`scaler_assumed`). */
  raw?: number;
  quality: QualityFlag[];
}

export type MessageFormat = 'dsmr' | 'mbus' | 'hdlc' | 'apdu';

/**
 * Which guarantees held for a message (DESIGN §7). Every message has one; `securityControl` and `frameCounter`
 * only when it came in a DLMS security envelope.
 */
export interface SecurityInfo {
  securityControl?: number;
  frameCounter?: number;
  /** True only when a GCM tag was present and verified with the GAK. */
  authenticated: boolean;
  encrypted: boolean;
  /**
   * What vouched for the bytes on the line: a DSMR CRC16, an M-Bus checksum or an HDLC FCS (`verified`), none
   * (`absent`: bare APDUs, DSMR 2.2/3.0), or a CRC that did not match and was let through on request (`mismatch`).
   */
  checksum: 'verified' | 'absent' | 'mismatch';
  /**
   * The frame counter against the last one kept for this system title, set by the reader: `monotonic` (above
   * it), `first` (none kept yet), `reset` (a meter reset the user confirmed). Absent where nothing checked it.
   */
  counter?: 'monotonic' | 'first' | 'reset';
}

/**
 * Builds MeterInfo in the DESIGN §4 key order (id, systemTitle, manufacturer, profile), always the same object
 * shape whatever is known: the message JSON stays stable and the hot path avoids per-message shape changes.
 */
export function meterInfo(id: string | undefined, systemTitle: string | undefined, manufacturer: string | undefined,
  profile: string | undefined): MeterInfo {
  const m: MeterInfo = {};
  if (id !== undefined) m.id = id;
  if (systemTitle !== undefined) m.systemTitle = systemTitle;
  if (manufacturer !== undefined && manufacturer !== '') m.manufacturer = manufacturer;
  if (profile !== undefined) m.profile = profile;
  return m;
}

export interface MeterInfo {
  id?: string;
  systemTitle?: string;
  manufacturer?: string;
  profile?: string;
}

export interface MessageIssue {
  code: string;
  message: string;
}

export interface MeterMessage {
  meter: MeterInfo;
  /** The meter's own time stamp of the message (ISO 8601 UTC), when it sent one. */
  timestamp?: string;
  format: MessageFormat;
  security?: SecurityInfo;
  readings: Reading[];
  issues: MessageIssue[];
}

export interface ErrorMessage {
  error: { code: string; layer: string; message: string; offset?: number };
  format?: MessageFormat;
  meter?: MeterInfo;
}

export type DecodeResult = MeterMessage | ErrorMessage;

export function isErrorMessage(m: DecodeResult): m is ErrorMessage {
  return (m as ErrorMessage).error !== undefined;
}

/**
 * What format decoders (DSMR text, DLMS payload interpretation) produce before the registry names them.
 * `obis` is already canonical (`A-B:C.D.E[.F]`).
 */
export interface RawReading {
  obis: string;
  value: ReadingValue;
  unit?: string;
  timestamp?: string;
  quality?: QualityFlag[];
  /** Unscaled integer, kept when the scaler is assumed from the profile. */
  raw?: number;
  /** Overrides the registry id (e.g. DSMR M-Bus channel resolved by device type: gas_volume, water_volume). */
  id?: string;
}
