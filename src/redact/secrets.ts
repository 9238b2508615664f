/**
 * A redactor that knows the secrets of this run (keys, URL passwords, tokens) and masks them wherever they
 * turn up, in whatever form a library may have put them: as written, percent-encoded (either hex case,
 * form-encoded), JSON-escaped, hex, base64 and base64url (also inside a longer base64 text, at each of the three
 * byte alignments). It backs up the structural rules of url.ts and config.ts for text that no rule can parse
 * (a driver's error message, a URL too broken to split). Pure: no I/O, no global state.
 */
import { MASK, redactText, urlSecrets } from './url.js';

/** Shorter secrets would mask ordinary words; url.ts and config.ts still hide them where they are structured. */
export const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  /** Registers secrets (empty and too-short values are ignored). */
  add(...secrets: ReadonlyArray<string | Uint8Array | undefined | null>): void;
  /** Registers the password and secret query values of each URL. */
  addUrl(...urls: ReadonlyArray<string | undefined | null>): void;
  /** Text with every known secret and every URL secret masked. */
  text(text: string): string;
  /** A deep copy of a JSON-like value with text() applied to every string (keys of objects too). */
  value<T>(value: T): T;
  readonly size: number;
}

const utf8 = new TextEncoder();

const hexOf = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function base64Of(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * The part of base64(prefix ‖ bytes) that depends only on `bytes`, for each prefix length mod 3: what a secret
 * looks like inside the base64 of a longer text (an HTTP Basic header, a dumped buffer).
 */
function base64Cores(bytes: Uint8Array): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const full = base64Of(padded).replace(/=+$/, '');
    const first = shift === 0 ? 0 : 4;
    const whole = Math.floor(padded.length / 3) * 4;
    const core = full.slice(first, whole);
    if (core.length >= 6) cores.push(core);
  }
  return cores;
}

function percentAll(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

/** Every spelling of a secret worth masking, longest first. */
export function secretForms(secret: string | Uint8Array): string[] {
  const bytes = typeof secret === 'string' ? utf8.encode(secret) : secret;
  const forms = new Set<string>();
  if (typeof secret === 'string') {
    const component = encodeURIComponent(secret);
    for (const f of [secret, component, component.replace(/%20/g, '+'), new URLSearchParams({ x: secret }).toString().slice(2),
      encodeURI(secret), JSON.stringify(secret).slice(1, -1)]) {
      forms.add(f);
      forms.add(f.replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase()));
    }
  }
  const hex = hexOf(bytes);
  const b64 = base64Of(bytes);
  for (const f of [hex, hex.toUpperCase(), percentAll(bytes), percentAll(bytes).toLowerCase(), b64, b64.replace(/=+$/, ''),
    b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), ...base64Cores(bytes)]) forms.add(f);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function decoded(text: string): string | undefined {
  try {
    const d = decodeURIComponent(text.replace(/\+/g, ' '));
    return d === text ? undefined : d;
  } catch {
    return undefined;
  }
}

/** The key bytes of a hex key written with spaces, colons or 0x, so their other encodings are masked too. */
function hexKeyBytes(text: string): Uint8Array | undefined {
  const digits = text.trim().replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  if (!/^(?:[0-9a-f]{2})+$/i.test(digits) || digits.length < 2 * MIN_SECRET_LENGTH) return undefined;
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function createRedactor(initial: ReadonlyArray<string | Uint8Array | undefined | null> = []): Redactor {
  const secrets = new Map<string, string | Uint8Array>();
  let forms: string[] = [];

  function remember(s: string | Uint8Array): boolean {
    if (s.length < MIN_SECRET_LENGTH) return false;
    const id = typeof s === 'string' ? `s:${s}` : `b:${hexOf(s)}`;
    if (secrets.has(id)) return false;
    secrets.set(id, s);
    return true;
  }

  function rebuild(): void {
    const all = new Set<string>();
    for (const s of secrets.values()) for (const f of secretForms(s)) all.add(f);
    forms = [...all].sort((a, b) => b.length - a.length);
  }

  function text(input: string): string {
    let out = input;
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(MASK);
    return redactText(out);
  }

  function value<T>(v: T, depth: number): T {
    if (typeof v === 'string') return text(v) as T;
    if (v === null || typeof v !== 'object' || depth > 32) return v;
    if (Array.isArray(v)) return v.map((x) => value(x, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[text(k)] = value(x, depth + 1);
    return out as T;
  }

  const redactor: Redactor = {
    add(...values) {
      let changed = false;
      for (const v of values) {
        if (v === undefined || v === null) continue;
        changed = remember(v) || changed;
        if (typeof v !== 'string') continue;
        const alt = decoded(v);
        if (alt !== undefined) changed = remember(alt) || changed;
        const bytes = hexKeyBytes(v);
        if (bytes) changed = remember(bytes) || changed;
      }
      if (changed) rebuild();
    },
    addUrl(...urls) {
      for (const u of urls) if (u) redactor.add(...urlSecrets(u));
    },
    text,
    value: (v) => value(v, 0),
    get size() { return secrets.size; },
  };
  redactor.add(...initial);
  return redactor;
}
