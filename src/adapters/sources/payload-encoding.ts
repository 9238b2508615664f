/**
 * Gateways publish meter bytes to MQTT in one of three shapes: raw binary, hex text or base64 text. The reader
 * wants raw bytes, so each payload is classified by this rule, checked in order:
 *
 *  1. hex    — after removing ASCII whitespace, a non-empty, even number of characters, all 0-9 a-f A-F.
 *  2. base64 — after removing ASCII whitespace, a non-empty multiple of 4 characters from A-Z a-z 0-9 + /,
 *              with at most two "=" only at the end, that re-encodes to exactly itself (canonical), and is not
 *              pure hex (rule 1 wins, so "00112233" is hex, never base64).
 *  3. binary — everything else, delivered unchanged.
 *
 * The rule cannot tell a binary payload that happens to consist only of such characters from text (the 4 bytes
 * "Test" are valid base64). Real meter data does not: DLMS frames start with bytes like 0x7E, 0x68 or 0xDB, and
 * DSMR telegrams contain "/", "!", "(" and CR LF, which neither text alphabet allows, so they stay binary.
 * Capture files use the same rule without base64 (rule 1, else binary).
 */

export type PayloadEncoding = 'hex' | 'base64' | 'binary';

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isBase64Char(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
}

/** The payload without whitespace, or undefined when it contains a byte no text encoding allows. */
function compactText(buf: Uint8Array): string | undefined {
  for (const c of buf) {
    if (!isWhitespace(c) && !isBase64Char(c) && c !== 0x3d) return undefined;
  }
  return Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('latin1').replace(/[ \t\r\n]+/g, '');
}

function isHexText(text: string): boolean {
  if (text.length === 0 || text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) if (!isHexDigit(text.charCodeAt(i))) return false;
  return true;
}

function isBase64Text(text: string): boolean {
  if (text.length === 0 || text.length % 4 !== 0) return false;
  const body = text.replace(/={1,2}$/, '');
  for (let i = 0; i < body.length; i++) if (!isBase64Char(body.charCodeAt(i))) return false;
  // Canonical check: rejects non-zero padding bits, so fewer random ASCII strings pass as base64.
  return Buffer.from(text, 'base64').toString('base64') === text;
}

export function detectPayloadEncoding(buf: Uint8Array, allowBase64 = true): PayloadEncoding {
  const text = compactText(buf);
  if (text === undefined) return 'binary';
  if (isHexText(text)) return 'hex';
  if (allowBase64 && isBase64Text(text)) return 'base64';
  return 'binary';
}

function toUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function decodeAs(buf: Uint8Array, encoding: PayloadEncoding): Uint8Array {
  if (encoding === 'binary') return buf;
  const text = compactText(buf) ?? '';
  return toUint8(Buffer.from(text, encoding));
}

/** Raw meter bytes from an MQTT payload in binary, hex text or base64 text (see the rule above). */
export function decodeMqttPayload(buf: Uint8Array): Uint8Array {
  return decodeAs(buf, detectPayloadEncoding(buf, true));
}

/** Raw bytes from a capture file: hex text (e.g. a hex dump saved from a log) or binary. */
export function decodeCaptureFile(buf: Uint8Array): Uint8Array {
  return decodeAs(buf, detectPayloadEncoding(buf, false));
}
