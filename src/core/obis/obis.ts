/**
 * OBIS codes (IEC 62056-61): six value groups A-B:C.D.E*F. We print `A-B:C.D.E` and omit F when it is 255,
 * the form DSMR telegrams use and people recognise.
 */
import { MeterError } from '../errors.js';

const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * The one OBIS formatter: six value groups (each 0..255) → `A-B:C.D.E`, `.F` appended when F ≠ 255. Decoders,
 * the registry and the reading factory all print codes through it, so one code has one spelling everywhere.
 */
export function formatObisGroups(a: number, b: number, c: number, d: number, e: number, f: number): string {
  const base = DEC[a] + '-' + DEC[b] + ':' + DEC[c] + '.' + DEC[d] + '.' + DEC[e];
  return f === 255 ? base : base + '.' + DEC[f];
}

/** Formats six OBIS bytes, e.g. 01 00 01 08 00 FF → "1-0:1.8.0". */
export function formatObis(b: Uint8Array, start = 0): string {
  return formatObisGroups(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4], b[start + 5]);
}

const OBIS_TEXT = /^(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:[.*](\d{1,3}))?$/;
const OBIS_DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses "1-0:1.8.0", "1-0:1.8.0.255", "1-0:1.8.0*255" or the dotted "1.0.1.8.0.255" into six numbers. */
export function parseObis(text: string): [number, number, number, number, number, number] {
  const m = OBIS_TEXT.exec(text) ?? OBIS_DOTTED.exec(text);
  if (!m) throw new MeterError('BAD_INPUT', 'input', `not an OBIS code: ${JSON.stringify(text)} (expected e.g. 1-0:1.8.0)`);
  const g = m.slice(1).map((x) => (x === undefined ? 255 : Number(x)));
  if (g.some((x) => x > 255)) throw new MeterError('BAD_INPUT', 'input', `OBIS group above 255 in ${JSON.stringify(text)}`);
  return g as [number, number, number, number, number, number];
}

/** Normalises any accepted OBIS spelling to the canonical `A-B:C.D.E[.F]` form. */
export function normaliseObis(text: string): string {
  return formatObisGroups(...parseObis(text));
}
