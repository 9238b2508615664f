/**
 * Exact money arithmetic: amounts are fractions of two bigints, built from the decimal text of each input number
 * (String(0.1) is "0.1", so 0.1 means one tenth, not the nearest double). Nothing is rounded until a figure is
 * shown (toFixedNumber), so splitting a range or re-chunking intervals cannot change a total.
 */
export interface Rational {
  readonly n: bigint;
  /** Always > 0. */
  readonly d: bigint;
}

export const ZERO: Rational = { n: 0n, d: 1n };
export const ONE: Rational = { n: 1n, d: 1n };

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function make(n: bigint, d: bigint): Rational {
  if (d < 0n) { n = -n; d = -d; }
  if (d === 1n) return { n, d };
  const g = gcd(n, d);
  return g === 1n ? { n, d } : { n: n / g, d: d / g };
}

export function ratio(n: bigint | number, d: bigint | number = 1n): Rational {
  const bn = typeof n === 'bigint' ? n : BigInt(n);
  const bd = typeof d === 'bigint' ? d : BigInt(d);
  if (bd === 0n) throw new RangeError('division by zero');
  return make(bn, bd);
}

/** The decimal a finite number prints as, exactly: 0.28345 → 28345/100000, 1e-7 → 1/10000000. */
export function fromNumber(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  // Fast path for up to 6 decimals: below 2^43 / scale, doubles are far denser than steps of 1/scale, so the one
  // decimal n/scale that reads back as x is the decimal x prints as.
  for (const scale of SCALES) {
    const n = Math.round(x * scale);
    if (Math.abs(n) < 2 ** 43 && n / scale === x) return make(BigInt(n), BigInt(scale));
  }
  return fromDecimalString(String(x));
}

const SCALES = [1, 1000, 1_000_000];

/** "12.50", "-0.5", "1e-7", "3E2" → exact fraction; throws RangeError on anything else. */
export function fromDecimalString(text: string): Rational {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal number: "${text}"`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  let n = BigInt(`${m[2] || '0'}${frac}`);
  if (m[1] === '-') n = -n;
  if (Math.abs(exp) > 400) throw new RangeError(`decimal exponent out of range: "${text}"`);
  return exp >= 0 ? make(n * 10n ** BigInt(exp), 1n) : make(n, 10n ** BigInt(-exp));
}

export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return make(a.n + b.n, a.d);
  return make(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, { n: -b.n, d: b.d });
}

export function mul(a: Rational, b: Rational): Rational {
  return make(a.n * b.n, a.d * b.d);
}

export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return make(a.n * b.d, a.d * b.n);
}

export function neg(a: Rational): Rational {
  return { n: -a.n, d: a.d };
}

export function cmp(a: Rational, b: Rational): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function max(a: Rational, b: Rational): Rational {
  return cmp(a, b) >= 0 ? a : b;
}

export function isZero(a: Rational): boolean {
  return a.n === 0n;
}

export function sum(values: Iterable<Rational>): Rational {
  let acc = ZERO;
  for (const v of values) acc = add(acc, v);
  return acc;
}

/** Rounded half away from zero to `decimals` places, as a number (its shortest decimal text is that value). */
export function toFixedNumber(a: Rational, decimals = 6): number {
  return Number(toFixedString(a, decimals));
}

export function toFixedString(a: Rational, decimals = 6): string {
  const scale = 10n ** BigInt(decimals);
  const negative = a.n < 0n;
  const absN = negative ? -a.n : a.n;
  let q = (absN * scale) / a.d;
  const rest = (absN * scale) % a.d;
  if (rest * 2n >= a.d) q += 1n;
  const digits = q.toString().padStart(decimals + 1, '0');
  const int = digits.slice(0, digits.length - decimals);
  const fracPart = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : '';
  return `${negative && q !== 0n ? '-' : ''}${int}${fracPart}`;
}

/** For headroom and kW figures shown to people: a plain double. */
export function toNumber(a: Rational): number {
  return Number(toFixedString(a, 12));
}
