/**
 * Key flags and their fallbacks. Order: the flag, then METERWIRE_KEY / METERWIRE_AUTH_KEY, then the names the
 * Luxembourg reader uses (KEY, and AAD = 30 ‖ GAK) — but those two are generic names that other software sets
 * too, so they count only when they hold a well-formed key; otherwise they are ignored. A malformed key is
 * reported under the name it came from (never as --key for a value the user did not pass).
 */
import { isMeterError } from '../core/errors.js';
import { parseKey } from '../core/security/keys.js';

export interface KeyFlags {
  key?: string;
  authKey?: string;
}

/** Where a key came from, as the user would name it. */
export type KeyOrigin = '--key' | '--auth-key' | 'METERWIRE_KEY' | 'METERWIRE_AUTH_KEY' | 'KEY' | 'AAD' | string;

export interface ResolvedKeys {
  key?: string;
  authKey?: string;
  keyFrom?: KeyOrigin;
  authKeyFrom?: KeyOrigin;
}

/** The Luxembourg reader's AAD variable holds "30" ‖ GAK; we accept it and take the GAK part. */
function gakFromAad(aad: string | undefined): string | undefined {
  if (!aad) return undefined;
  const hex = aad.replace(/[\s:]/g, '');
  return hex.length === 34 && hex.slice(0, 2) === '30' ? hex.slice(2) : aad;
}

function wellFormed(value: string, role: 'GUEK' | 'GAK'): boolean {
  try {
    parseKey(value, role);
    return true;
  } catch {
    return false;
  }
}

/** Throws BAD_KEY naming `origin` when the key is malformed. */
export function checkKey(value: string | undefined, role: 'GUEK' | 'GAK', origin: KeyOrigin | undefined): void {
  if (value === undefined) return;
  try {
    parseKey(value, role);
  } catch (e) {
    if (!isMeterError(e) || origin === undefined || origin === '--key' || origin === '--auth-key') throw e;
    e.message = e.message.replace(role === 'GUEK' ? '(--key)' : '(--auth-key)', `(from ${origin})`);
    throw e;
  }
}

/** `file` is a config file's keys, named by `fileOrigin`: below the environment's METERWIRE_*, above KEY/AAD. */
export function keyOptions(flags: KeyFlags, file: KeyFlags = {}, fileOrigin = 'the config file',
  { compat = true }: { compat?: boolean } = {}): ResolvedKeys {
  const env = compat ? process.env : { ...process.env, KEY: undefined, AAD: undefined };
  const pick = (candidates: [string | undefined, KeyOrigin, boolean][]): [string, KeyOrigin] | undefined => {
    for (const [value, origin, strict] of candidates) {
      if (value === undefined || value === '') continue;
      if (strict || wellFormed(value, origin === 'AAD' ? 'GAK' : 'GUEK')) return [value, origin];
    }
    return undefined;
  };
  const key = pick([[flags.key, '--key', true], [env.METERWIRE_KEY, 'METERWIRE_KEY', true],
    [file.key, `key in ${fileOrigin}`, true], [env.KEY, 'KEY', false]]);
  const authKey = pick([[flags.authKey, '--auth-key', true], [env.METERWIRE_AUTH_KEY, 'METERWIRE_AUTH_KEY', true],
    [file.authKey, `authKey in ${fileOrigin}`, true], [gakFromAad(env.AAD), 'AAD', false]]);
  checkKey(key?.[0], 'GUEK', key?.[1]);
  checkKey(authKey?.[0], 'GAK', authKey?.[1]);
  return { ...(key ? { key: key[0], keyFrom: key[1] } : {}), ...(authKey ? { authKey: authKey[0], authKeyFrom: authKey[1] } : {}) };
}

/**
 * Decoder messages name the flags ("the GUEK (--key) is likely wrong"); when a key came from elsewhere, they
 * name its real origin instead, so nobody hunts for a --key they never passed.
 */
export function attributeKeys(message: string, keys: Pick<ResolvedKeys, 'keyFrom' | 'authKeyFrom'>): string {
  let m = message;
  if (keys.keyFrom && keys.keyFrom !== '--key') m = m.replaceAll('(--key)', `(from ${keys.keyFrom})`);
  if (keys.authKeyFrom && keys.authKeyFrom !== '--auth-key') m = m.replaceAll('(--auth-key)', `(from ${keys.authKeyFrom})`);
  return m;
}
