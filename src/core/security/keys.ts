/**
 * Key parsing. Operators hand out the GUEK/GAK as 32 hex digits (often grouped with spaces or colons) and a
 * few (e.g. some Vorarlberg letters) as 16 printable ASCII characters. Errors never echo the key.
 */
import { MeterError } from '../errors.js';

export type KeyRole = 'GUEK' | 'GAK';

const KEY_FLAG: Record<KeyRole, string> = { GUEK: '--key', GAK: '--auth-key' };

function hexDigits(text: string): string | undefined {
  const cleaned = text.trim().replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  return /^[0-9a-fA-F]*$/.test(cleaned) ? cleaned : undefined;
}

/** What a wrong-typed key is, without its value (it may be a key). */
function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Parses a key given as hex (spaces, colons, 0x tolerated) or as 16 ASCII characters. */
export function parseKey(input: string | Uint8Array, role: KeyRole): Uint8Array {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new MeterError('BAD_KEY', 'config',
      `${role} (${KEY_FLAG[role]}) must be a text of 32 hex digits (or 16 characters) or 16 bytes, got ${describeKind(input)}`);
  }
  if (input instanceof Uint8Array) {
    if (input.length === 16) return input;
    throw new MeterError('BAD_KEY', 'config', `${role} must be 16 bytes, got ${input.length}`);
  }
  const digits = hexDigits(input);
  if (digits !== undefined && digits.length === 32) {
    const key = new Uint8Array(16);
    for (let i = 0; i < 16; i++) key[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
    return key;
  }
  if (input.length === 16 && /^[\x20-\x7e]{16}$/.test(input)) {
    const key = new Uint8Array(16);
    for (let i = 0; i < 16; i++) key[i] = input.charCodeAt(i);
    return key;
  }
  const what = digits !== undefined
    ? `${digits.length} hex digits`
    : `${input.length} characters that are neither hex nor a 16-character text key`;
  throw new MeterError('BAD_KEY', 'config',
    `${role} (${KEY_FLAG[role]}) is malformed: got ${what}; expected 32 hex digits (spaces/colons allowed) ` +
    `or 16 ASCII characters, as printed on the operator's key letter`);
}
