/**
 * PostgreSQL COPY text format: one line per row, tab between fields, `\N` for NULL, backslash escapes for the
 * four characters that would break the framing.
 */

const SPECIAL = /[\\\n\r\t]/;

export function copyText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

export const NULL = '\\N';

/** A double as PostgreSQL's float8 input reads it back exactly (JavaScript prints the shortest round trip). */
export function copyNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return NULL;
  return String(v);
}


/** text[] literal: every element quoted, `"` and `\` escaped inside. */
export function copyTextArray(items: readonly string[]): string {
  if (items.length === 0) return '{}';
  return copyText(`{${items.map((i) => `"${i.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`);
}

export function copyBytea(b: Uint8Array): string {
  // Hex input format; the backslash itself is escaped for the COPY layer.
  return `\\\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}
