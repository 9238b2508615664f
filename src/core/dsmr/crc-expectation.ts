/**
 * Whether a DSMR telegram claims a version that carries a CRC, for the trust policy (DESIGN §7: a DSMR 4/5
 * telegram without its CRC is refused, a DSMR 2.2/3.0 one, which never had one, is flagged).
 *
 * DSMR 4.0 introduced both the CRC (P1 companion standard 4.0 §6.2) and the version object 1-3:0.2.8, and
 * with it the P1 time stamp 0-0:1.0.0; Fluvius e-MUCS-H (Belgium) telegrams carry a CRC and announce
 * themselves with 0-0:96.1.4. DSMR 2.2/3.0 telegrams have neither a version line nor a time stamp line.
 */
import type { RawReading } from '../model/message.js';

/**
 * true: 1-3:0.2.8 says DSMR 4.x/5.x (`40`…`59`, e.g. 40, 42, 50) or Fluvius 0-0:96.1.4 is present;
 * false: no version object and no P1 time stamp 0-0:1.0.0 (the DSMR 2.2/3.0 format);
 * undefined: anything else (a time stamp without a version line, an unknown version value).
 */
export function telegramHasCrcByVersion(t: { readings: readonly RawReading[] }): boolean | undefined {
  let version: string | undefined;
  let timeStamp = false;
  for (const r of t.readings) {
    const o = r.obis;
    if (o === '0-0:96.1.4') return true;
    if (o === '1-3:0.2.8') version = String(r.value);
    else if (o === '0-0:1.0.0') timeStamp = true;
  }
  if (version !== undefined) return /^[45]\d$/.test(version) ? true : undefined;
  return timeStamp ? undefined : false;
}
