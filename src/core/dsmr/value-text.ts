/**
 * Value text of DSMR P1 data objects (DSMR 5.0.2 §6.4): fixed-point decimals such as `000004.426`, and
 * octet strings (equipment identifiers, text messages) sent as hexadecimal ASCII codes.
 */

/** Chars per String.fromCharCode.apply call: far below any engine's argument limit, whatever the input length. */
const CHUNK = 4096;

/** Text of the byte (or char code) values a[start, end), one char per value; no call depth grows with the length. */
export function charsOf(a: Uint8Array | readonly number[], start = 0, end = a.length): string {
  let out = '';
  for (let i = start; i < end; i += CHUNK) {
    const to = Math.min(end, i + CHUNK);
    out += String.fromCharCode.apply(null, (a instanceof Uint8Array ? a.subarray(i, to) : a.slice(i, to)) as number[]);
  }
  return out;
}

const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Mantissas up to 15 digits are exact doubles, so one division by an exact power of ten rounds correctly. */
const MAX_FAST_DIGITS = 15;

/**
 * Parses a plain decimal (`-?digits[.digits]`) from the ASCII bytes b[start, end) without allocating; NaN when
 * they hold anything else (empty, letters, exponent). Same result as Number() for the accepted forms.
 */
export function parseDsmrNumber(b: Uint8Array, start: number, end: number): number {
  let i = start;
  const first = b[i];
  const negative = first === 45; /* - */
  if (negative || first === 43 /* + */) i++;
  let mantissa = 0, digits = 0, fraction = -1, anyDigit = false;
  for (; i < end; i++) {
    const c = b[i] - 48;
    if (c >= 0 && c <= 9) {
      mantissa = mantissa * 10 + c;
      anyDigit = true;
      if (mantissa > 0) digits++;
      if (fraction >= 0) fraction++;
    } else if (c === -2 /* . */ && fraction < 0) {
      fraction = 0;
    } else {
      return NaN;
    }
  }
  if (!anyDigit) return NaN;
  if (digits > MAX_FAST_DIGITS || fraction > 22) return Number(charsOf(b, start, end));
  const value = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
  return negative ? -value : value;
}

/** Hex digit values by char code, -1 for anything else. */
const NIBBLE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[65 + i] = t[97 + i] = 10 + i;
  return t;
})();

/**
 * Decodes hex-coded ASCII (`4B3845…` → `K8E…`). Returns undefined unless the text is a non-empty, even-length
 * run of hex digits whose bytes are all printable ASCII, because many meters send plain digits (`0000…`,
 * `3960221976…`) in the same fields and those must stay as they are.
 */
export function decodeHexText(text: string): string | undefined {
  const n = text.length;
  if (n === 0 || (n & 1) !== 0) return undefined;
  const codes = new Array<number>(n >> 1);
  for (let i = 0; i < n; i += 2) {
    const c1 = text.charCodeAt(i), c2 = text.charCodeAt(i + 1);
    const hi = c1 < 128 ? NIBBLE[c1] : -1, lo = c2 < 128 ? NIBBLE[c2] : -1;
    if (hi < 0 || lo < 0) return undefined;
    const b = (hi << 4) | lo;
    if (b < 0x20 || b > 0x7e) return undefined;
    codes[i >> 1] = b;
  }
  return charsOf(codes);
}

/** ASCII text → upper-case hex codes, as DSMR writes equipment identifiers and messages. */
export function encodeHexText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) & 0xff;
    out += (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
  }
  return out;
}
