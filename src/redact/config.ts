/**
 * Secrets in configuration objects (what `--print-config` prints, what a log record carries): fields whose
 * name holds a secret (names.ts: `key`, `authKey`, `masterKey`, `password`, `token`…) are replaced whatever
 * their value, a value that is a DLMS key in hex (32 hex digits, spaces or colons allowed) is replaced under
 * any field name, and every other string has its URLs redacted (url.ts).
 */
import { isSecretName } from './names.js';
import { redactText, redactUrl } from './url.js';

export const REDACTED = '***redacted***';

/** 32 hex digits, grouped or not: the form a GUEK/GAK is printed on a key letter. */
const HEX_KEY = /^(?:0x)?(?:[0-9a-f]{2}[\s:-]?){15}[0-9a-f]{2}$/i;

export function looksLikeHexKey(value: string): boolean {
  return HEX_KEY.test(value.trim());
}

const MAX_DEPTH = 32;

function redactValue(value: unknown, secretField: boolean, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') {
    if (secretField && value !== '') return REDACTED;
    if (looksLikeHexKey(value)) return REDACTED;
    // A whole value that is a URL is redacted as one, even if a raw password holds white space.
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : redactText(value);
  }
  if (value instanceof Uint8Array) return secretField || value.length === 16 ? REDACTED : `<${value.length} bytes>`;
  if (typeof value !== 'object') return secretField && typeof value !== 'boolean' ? REDACTED : value;
  if (seen.has(value) || depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secretField, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = redactValue(v, secretField || isSecretName(k), depth + 1, seen);
  }
  return out;
}

/** A deep copy safe to print or log. Unset (null/undefined) fields stay unset, so the output says "not set". */
export function redactConfig<T>(config: T): T {
  return redactValue(config, false, 0, new WeakSet()) as T;
}
