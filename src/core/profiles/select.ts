/**
 * Picks the built-in (or user) profile that fits what a message shows about itself: the manufacturer from the
 * system title, the DSMR header line, the top-level element count, whether OBIS codes are present. Pure scoring
 * over profile data; no vendor branches (DESIGN §3).
 *
 * Rules: a profile is a candidate only if nothing contradicts it (wrong framing, manufacturer not in its list,
 * header regex not matching, element count not in its list, OBIS codes present for a positional list or absent
 * for an OBIS list). Among candidates with at least one positive identification (manufacturer, header or
 * element count), the highest score wins; ties go to the profile listed first, so the result is deterministic.
 * Anything else returns undefined: the generic OBIS decoder handles it.
 */
import type { FrameKind } from '../framing/types.js';
import type { Profile } from './types.js';
import { BUILTIN_PROFILES } from './builtin.js';

export interface ProfileHints {
  /** Outer framing of the unit, or 'dsmr' for a DSMR telegram (also one found inside a 0xDB envelope). */
  format?: FrameKind;
  /** Three-letter manufacturer id from the system title ("KFM", "SAG", "ISK", "SMS", "LGZ", "KAM", "ELS"). */
  manufacturer?: string;
  /** First line of a DSMR telegram, e.g. "/FLU5\\253769484_A". */
  dsmrHeader?: string;
  /** Number of elements of the notification body's top-level structure/array. */
  elements?: number;
  /** Whether the body carries OBIS codes (octet strings of 6 bytes in {OBIS, value} form). */
  hasObis?: boolean;
  /**
   * `DlmsValue['type']` of the first top-level elements ("integer", "octet-string", "date-time", …). For
   * positional lists the first one must fit the layout's first field (a number or not): this tells the Wiener
   * Netze E450 list (starts with the device name) from the Netz Burgenland one (starts with a voltage).
   */
  firstElementTypes?: string[];
  /** The body is a self-describing push (its push object list first). */
  selfDescribing?: boolean;
  /** The push setup's logical name a self-describing push names, e.g. "0-8:25.9.0". */
  pushSetup?: string;
  /** The body named its objects by raw attribute descriptors (XT211). */
  attributeList?: boolean;
}

/** DLMS value types (as `DlmsValue['type']`) that carry a number; a layout's numeric first field needs one. */
const NUMERIC_TYPES: ReadonlySet<string> = new Set(['integer', 'enum', 'float', 'bcd']);

const SCORE_HEADER = 8;
const SCORE_MANUFACTURER = 4;
const SCORE_ELEMENTS = 4;
const SCORE_FORMAT = 1;

function acceptsFormat(p: Profile, f: FrameKind): boolean {
  if (f === 'dsmr') return p.payload === 'dsmr';
  const kinds = p.match?.framing ?? [p.framing];
  return kinds.includes(f);
}

function headerMatches(source: string, header: string): boolean {
  try {
    return new RegExp(source).test(header);
  } catch {
    return false; // a broken regex in a user profile identifies nothing
  }
}

/** Score of one profile for the hints; -1 when something contradicts it. */
function scoreProfile(p: Profile, h: ProfileHints): number {
  const m = p.match ?? {};
  let score = 0;
  let identified = false;
  if (h.format !== undefined) {
    if (!acceptsFormat(p, h.format)) return -1;
    score += SCORE_FORMAT;
  }
  if ((h.selfDescribing === true) !== (p.payload === 'self-describing')) return -1;
  if (m.pushSetup && h.pushSetup !== undefined) {
    if (!m.pushSetup.includes(h.pushSetup)) return -1;
    score += SCORE_HEADER;
    identified = true;
  }
  if (m.attributeList !== undefined && h.attributeList !== undefined) {
    if (m.attributeList !== h.attributeList) return -1;
    score += SCORE_HEADER;
    identified = true;
  }
  // A DLMS list is not a DSMR telegram: hints about its body rule out DSMR profiles.
  if ((h.elements !== undefined || h.hasObis !== undefined) && p.payload === 'dsmr') return -1;
  if (h.hasObis === true && p.payload === 'positional') return -1;
  if (h.hasObis === false && (p.payload === 'obis-structures' || p.payload === 'obis-flat')) return -1;

  const manufacturer = h.manufacturer ? h.manufacturer.toUpperCase() : undefined;
  if (manufacturer !== undefined) {
    // A system title means a ciphered APDU: profiles of unencrypted interfaces do not apply.
    if (p.keys.length === 0) return -1;
    if (m.manufacturers && m.manufacturers.length) {
      if (!m.manufacturers.some((x) => x.toUpperCase() === manufacturer)) return -1;
      score += SCORE_MANUFACTURER;
      identified = true;
    }
  } else if (p.payload === 'positional' && m.manufacturers && m.manufacturers.length) {
    return -1; // an encrypted positional list always comes with its system title
  }

  if (m.dsmrHeader !== undefined && h.dsmrHeader !== undefined) {
    if (!headerMatches(m.dsmrHeader, h.dsmrHeader)) return -1;
    score += SCORE_HEADER;
    identified = true;
  }

  if (m.elements && m.elements.length) {
    if (h.elements !== undefined) {
      if (!m.elements.includes(h.elements)) return -1;
      score += SCORE_ELEMENTS;
      identified = true;
    } else if (p.payload === 'positional') {
      return -1; // a layout cannot be chosen without the element count
    }
  }
  if (p.payload === 'positional' && h.elements !== undefined) {
    const layout = p.layouts?.find((l) => l.elements === h.elements);
    if (!layout) return -1;
    const first = h.firstElementTypes?.[0];
    if (first !== undefined && layout.fields.length > 0) {
      const f = layout.fields[0];
      const wantsNumber = f.scaler !== undefined && f.role === undefined && !f.skip;
      if (wantsNumber !== NUMERIC_TYPES.has(first)) return -1;
    }
  }

  return identified ? score : -1;
}

/** The best-fitting profile for the hints, or undefined when none is identified. */
export function selectProfile(hints: ProfileHints, profiles: readonly Profile[] = BUILTIN_PROFILES): Profile | undefined {
  let best: Profile | undefined;
  let bestScore = -1;
  for (const p of profiles) {
    const s = scoreProfile(p, hints);
    if (s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}

/**
 * Every profile the hints identify, best first (ties in listing order), so a caller can memoise the ranking for
 * hints that repeat and still test each candidate's layout against the list at hand.
 */
export function rankProfiles(hints: ProfileHints, profiles: readonly Profile[] = BUILTIN_PROFILES): Profile[] {
  const scored: { p: Profile; s: number; i: number }[] = [];
  profiles.forEach((p, i) => {
    const s = scoreProfile(p, hints);
    if (s >= 0) scored.push({ p, s, i });
  });
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.map((x) => x.p);
}

/**
 * Manufacturer id of a DLMS system title: its first three bytes as ASCII (4B 46 4D … → "KFM"). Returns "" when
 * the title is shorter than three bytes or those bytes are not printable ASCII (then no manufacturer is known).
 */
export function manufacturerFromSystemTitle(st: Uint8Array): string {
  if (st.length < 3) return '';
  let s = '';
  for (let i = 0; i < 3; i++) {
    const b = st[i];
    if (b < 0x20 || b > 0x7e) return '';
    s += String.fromCharCode(b);
  }
  return s;
}
