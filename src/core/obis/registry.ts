/**
 * OBIS registry: what a code means (stable id, English and German name, typical unit, quantity).
 * The knowledge lives in `data/obis-table.ts`; this module only indexes it (O(1) Map lookups).
 *
 * Input codes are canonical (`A-B:C.D.E`, F omitted when 255, else `A-B:C.D.E.F`); other spellings
 * ("1.0.1.8.0.255", "1-0:1.8.0*255") are normalised on a miss. Codes with B ≠ 0 (Kamstrup and Aidon send
 * `1-1:…`, Kamstrup's clock is `0-1:1.0.0`) resolve to the B = 0 entry when no entry of their own exists, so
 * `1-1:1.8.0` is `energy_import` like `1-0:1.8.0`.
 */
import type { ObisInfo } from './registry-types.js';
import { OBIS_TABLE } from './data/obis-table.js';
import { formatObisGroups } from './obis.js';

const BY_CODE: ReadonlyMap<string, ObisInfo> = (() => {
  const m = new Map<string, ObisInfo>();
  for (const row of OBIS_TABLE) {
    const info: ObisInfo = { id: row.id, name: row.name, nameDe: row.nameDe, quantity: row.quantity };
    if (row.unit !== undefined) info.unit = row.unit;
    m.set(row.obis, Object.freeze(info));
  }
  return m;
})();

const CANONICAL = /^(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/;
const OTHER = /^(\d{1,3})[.-](\d{1,3})[.:](\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:[.*](\d{1,3}))?$/;

type Groups = [number, number, number, number, number, number];

function groupsOf(obis: string): Groups | undefined {
  const m = CANONICAL.exec(obis) ?? OTHER.exec(obis);
  if (!m) return undefined;
  const g = m.slice(1).map((x) => (x === undefined ? 255 : Number(x))) as Groups;
  return g.every((x) => x <= 255) ? g : undefined;
}

function codeOf(g: Groups, b = g[1]): string {
  return formatObisGroups(g[0], b, g[2], g[3], g[4], g[5]);
}

/** What the registry knows about a code, or undefined. */
export function lookupObis(obis: string): ObisInfo | undefined {
  const hit = BY_CODE.get(obis);
  if (hit) return hit;
  const g = groupsOf(obis);
  if (!g) return undefined;
  const canonical = codeOf(g);
  if (canonical !== obis) {
    const again = BY_CODE.get(canonical);
    if (again) return again;
  }
  // B is the channel: 1-1:1.8.0 (Kamstrup, Aidon) means the same as 1-0:1.8.0 unless the table says otherwise.
  if (g[1] !== 0) return BY_CODE.get(codeOf(g, 0));
  return undefined;
}

/**
 * Like `lookupObis`, but never undefined: an unknown code gets the id `obis_a_b_c_d_e` (`_f` appended when
 * F ≠ 255) and its own code as name, so every reading has a stable id.
 */
export function describeObis(obis: string): ObisInfo {
  const known = lookupObis(obis);
  if (known) return known;
  const g = groupsOf(obis);
  const id = g
    ? `obis_${g.slice(0, 5).join('_')}${g[5] === 255 ? '' : `_${g[5]}`}`
    : `obis_${obis.replace(/[^0-9A-Za-z]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase()}`;
  const name = g ? codeOf(g) : obis;
  return { id, name, nameDe: name, quantity: 'count' };
}

/** Every code the registry knows, with its info (for docs and tests). */
export function listObis(): ReadonlyMap<string, ObisInfo> {
  return BY_CODE;
}
