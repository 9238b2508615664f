/**
 * Random secrets for the redaction properties, and the check that none of them shows in an output in any
 * encoding. The encodings are listed here independently of src/redact, so a form the module forgets fails.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const ODD = ['@', ':', '/', '?', '#', '%', '&', '=', '+', '"', '\\', "'", ' ', 'ä', '€'];

/** A password of printable characters, biased towards the ones URLs and JSON treat specially. */
export const password = (o: { minLength?: number; noSpace?: boolean } = {}): fc.Arbitrary<string> =>
  fc.string({ unit: fc.oneof(fc.constantFrom(...PRINTABLE), fc.constantFrom(...ODD)), minLength: o.minLength ?? 8, maxLength: 24 })
    .filter((s) => !o.noSpace || !/\s/.test(s))
    // A secret that is mostly one character would also be found in innocent text ("%%%%…", "        ").
    .filter((s) => new Set(s).size >= 4);


/** A GUEK/GAK as users write it: 32 hex digits (either case, maybe grouped) or 16 printable characters. */
export const key: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constantFrom('', ' ', ':'), fc.boolean()).map(([b, sep, upper]) => {
    const hex = Buffer.from(b).toString('hex');
    const cased = upper ? hex.toUpperCase() : hex;
    return (cased.match(/../g) ?? []).join(sep);
  }),
  fc.string({ unit: fc.constantFrom(...PRINTABLE.filter((c) => c !== ' ')), minLength: 16, maxLength: 16 }).filter((s) => new Set(s).size >= 6),
);

/** The stable part of base64(prefix ‖ secret) for each alignment: the secret inside a longer base64 text. */
function base64Inside(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift, 0x41), bytes]).toString('base64').replace(/=+$/, '');
    const start = shift === 0 ? 0 : 4;
    const end = Math.floor((shift + bytes.length) / 3) * 4;
    if (end - start >= 8) out.push(b64.slice(start, end));
  }
  return out;
}

/** Every spelling of a secret an output must not contain. */
export function spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const enc = encodeURIComponent(secret);
  const forms = [secret, enc, enc.replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase()), new URLSearchParams({ p: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(), ...base64Inside(bytes)];
  const hexDigits = secret.replace(/[\s:]/g, '');
  if (/^[0-9a-f]{32}$/i.test(hexDigits)) {
    const k = Buffer.from(hexDigits, 'hex');
    forms.push(hexDigits.toLowerCase(), hexDigits.toUpperCase(), k.toString('base64').replace(/=+$/, ''), k.toString('base64url'));
  }
  return [...new Set(forms)].filter((f) => f.length >= 6);
}

/** Fails naming the output and the form when `text` holds the secret in any spelling. */
export function assertNoSecret(text: string, secret: string, where: string): void {
  for (const form of spellings(secret)) {
    assert.ok(!text.includes(form), `${where} shows the secret ${JSON.stringify(secret)} as ${JSON.stringify(form)}:\n${text.slice(0, 2000)}`);
  }
}
