/**
 * How to read the value of DSMR P1 data objects whose value is not a plain number (DSMR 5.0.2 §6.12 table,
 * DSMR 2.2/3.0 §5, Fluvius e-MUCS-H 1.7.1 §7, Luxembourg Smarty P1 spec 1.1). Everything not listed is read
 * generically: `(number*unit)` or `(timestamp)(number*unit)`.
 */
import { MeterError } from '../errors.js';

export type DsmrValueKind =
  | 'text' // kept verbatim (tariff "0002", version "50")
  | 'hex-text' // octet string sent as hex; decoded when it is printable ASCII
  | 'timestamp' // the telegram's own time
  | 'event-log' // (n)(0-0:96.7.19)(ts)(duration)… power failure log
  | 'monthly-history' // (n)(obis)(obis)(ts)(ts)(value)… Belgian 13-month maximum demand buffer
  | 'legacy-mbus'; // DSMR 2.2/3.0 (ts)(status)(period)(n)(obis)(unit) + continuation line (value)

/** Which field of the parsed telegram the value also fills. */
export type DsmrTelegramField = 'timestamp' | 'version' | 'equipmentId';

interface CodeRule {
  /** `A-B:C.D.E`; B may be `*` for any M-Bus channel. */
  obis: string;
  kind: DsmrValueKind;
  field?: DsmrTelegramField;
}

const RULES: readonly CodeRule[] = [
  { obis: '0-0:1.0.0', kind: 'timestamp', field: 'timestamp' },
  { obis: '1-3:0.2.8', kind: 'text', field: 'version' },
  { obis: '0-0:96.1.4', kind: 'text', field: 'version' },
  { obis: '0-0:96.1.1', kind: 'hex-text', field: 'equipmentId' },
  { obis: '0-0:42.0.0', kind: 'hex-text', field: 'equipmentId' },
  { obis: '0-*:96.1.0', kind: 'hex-text' },
  { obis: '0-*:96.1.1', kind: 'hex-text' },
  { obis: '0-0:96.13.0', kind: 'hex-text' },
  { obis: '0-0:96.13.1', kind: 'hex-text' },
  { obis: '0-0:96.14.0', kind: 'text' },
  { obis: '1-0:99.97.0', kind: 'event-log' },
  { obis: '0-0:98.1.0', kind: 'monthly-history' },
  { obis: '0-*:24.3.0', kind: 'legacy-mbus' },
];

export interface DsmrCodeInfo {
  kind: DsmrValueKind;
  field?: DsmrTelegramField;
  /** -1 when the rule holds for any channel B. */
  b: number;
}

/** Key of the groups A, C, D, E (each < 256); B is matched per rule so channel wildcards need no expansion. */
function codeKey(a: number, c: number, d: number, e: number): number {
  return ((a * 256 + c) * 256 + d) * 256 + e;
}

function compile(rules: readonly CodeRule[]): ReadonlyMap<number, readonly DsmrCodeInfo[]> {
  const map = new Map<number, DsmrCodeInfo[]>();
  for (const r of rules) {
    const m = /^(\d+)-(\d+|\*):(\d+)\.(\d+)\.(\d+)$/.exec(r.obis);
    if (!m) throw new MeterError('BAD_CONFIG', 'config', `bad DSMR code rule ${r.obis}`); // a typo in the table above
    const key = codeKey(+m[1], +m[3], +m[4], +m[5]);
    const info: DsmrCodeInfo = { kind: r.kind, b: m[2] === '*' ? -1 : +m[2] };
    if (r.field) info.field = r.field;
    const list = map.get(key) ?? [];
    // Channel-specific rules win over wildcards.
    if (info.b >= 0) list.unshift(info);
    else list.push(info);
    map.set(key, list);
  }
  return map;
}

const CODES = compile(RULES);

/** Bit set of the C.D pairs that have a rule: most lines are plain numbers and skip the map lookup. */
const HAS_RULE = ((): Uint8Array => {
  const bits = new Uint8Array(8192);
  for (const key of CODES.keys()) {
    const cd = (key >>> 8) & 0xffff;
    bits[cd >>> 3] |= 1 << (cd & 7);
  }
  return bits;
})();

/** The rule for a code, or undefined for plain numeric objects. */
export function dsmrCodeInfo(a: number, b: number, c: number, d: number, e: number): DsmrCodeInfo | undefined {
  const cd = c * 256 + d;
  if ((HAS_RULE[cd >>> 3] & (1 << (cd & 7))) === 0) return undefined;
  const list = CODES.get(codeKey(a, c, d, e));
  if (list === undefined) return undefined;
  for (const info of list) if (info.b < 0 || info.b === b) return info;
  return undefined;
}
