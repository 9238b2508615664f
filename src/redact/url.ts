/**
 * Secrets in URLs (RFC 3986 §3.2.1 user information, §3.4 query) and in free text that quotes URLs, for every
 * place a person or another program sees: logs, errors, `--print-config`, metrics, the outbox.
 *
 * Fail-safe rather than exact, because users paste passwords unencoded: a password may hold "@", ":", "/", "?"
 * or "#". So the user information ends at the LAST "@" of the URL that is not inside a secret query value, and
 * everything from the first ":" of it to that "@" is masked. An "@" in a path or a non-secret query value then
 * hides more than needed (`mqtt://h:1883/t?clientId=me@home` → `mqtt://h:***@home`), never less. A value with no
 * ":" before its "@" is a user name (`mysql://root@db`) and stays. Secret query values (names.ts) run to the next
 * "&", ";" or "#", as every URL parser reads them.
 */
import { isSecretName } from './names.js';

export const MASK = '***';

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const PARAM = /[?&;]([^=&#?;/]+)=([^&#;]*)/g;

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** [start, end) of every secret query value, by position in `url`. */
function secretValueSpans(url: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const m of url.matchAll(PARAM)) {
    if (!isSecretName(decodedName(m[1])) || m[2] === '') continue;
    const end = m.index + m[0].length;
    spans.push([end - m[2].length, end]);
  }
  return spans;
}

interface UrlSecrets {
  /** Where the user information starts, and the "@" that ends it (when a password is there to mask). */
  userinfo?: { start: number; colon: number; at: number };
  params: Array<[number, number]>;
}

function locate(url: string): UrlSecrets {
  const params = secretValueSpans(url);
  const scheme = SCHEME.exec(url);
  const start = scheme ? scheme[0].length + (url.startsWith('//', scheme[0].length) ? 2 : 0) : 0;
  // Without "//" there is no authority (sqlite:./x.db, file:x.bin), unless the text has no scheme at all.
  if (scheme && start === scheme[0].length) return { params };
  const inSpan = (i: number): boolean => params.some(([s, e]) => i >= s && i < e);
  for (let i = url.length - 1; i >= start; i--) {
    if (url[i] !== '@' || inSpan(i)) continue;
    const colon = url.indexOf(':', start);
    return colon >= 0 && colon < i ? { userinfo: { start, colon, at: i }, params } : { params };
  }
  return { params };
}

/**
 * A query value that is itself a URL, percent-encoded (the dashboard's `web://…?store=postgres%3A%2F%2Fu%3Apw%40db`):
 * its own secrets, as spans of the outer URL with their masked replacement.
 */
function nestedUrlSpans(url: string, skip: Array<[number, number]>): Array<[number, number, string]> {
  const spans: Array<[number, number, string]> = [];
  for (const m of url.matchAll(PARAM)) {
    const end = m.index + m[0].length;
    const start = end - m[2].length;
    if (m[2] === '' || skip.some(([s]) => s === start)) continue;
    const inner = decodedName(m[2]);
    if (inner === m[2] || !SCHEME.test(inner)) continue;
    const masked = redactUrl(inner);
    if (masked !== inner) spans.push([start, end, encodeURIComponent(masked).replace(/%2A/g, '*')]);
  }
  return spans;
}

/** The URL with passwords and secret query values replaced by `***`. Never throws; idempotent. */
export function redactUrl(url: string): string {
  const { userinfo, params: secretParams } = locate(url);
  const params: Array<[number, number, string]> = [...secretParams.map(([s, e]): [number, number, string] => [s, e, MASK]),
    ...nestedUrlSpans(url, secretParams)].sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  if (userinfo) {
    const user = url.slice(userinfo.start, userinfo.colon);
    // A "/", "?" or "#" before the first ":" means the split is a guess: hide the user part too.
    out = url.slice(0, userinfo.start) + (/[/?#]/.test(user) ? MASK : `${user}:${MASK}`);
    from = userinfo.at;
  }
  for (const [s, e, replacement] of params) {
    if (s < from) continue;
    out += url.slice(from, s) + replacement;
    from = e;
  }
  return out + url.slice(from);
}

/** The substrings redactUrl hides (password, secret values), raw as written: to mask them anywhere else too. */
export function urlSecrets(url: string): string[] {
  const { userinfo, params } = locate(url);
  const found: string[] = [];
  if (userinfo) {
    const user = url.slice(userinfo.start, userinfo.colon);
    found.push(url.slice(/[/?#]/.test(user) ? userinfo.start : userinfo.colon + 1, userinfo.at));
  }
  for (const [s, e] of params) if (!userinfo || s >= userinfo.at) found.push(url.slice(s, e));
  // A nested URL's secrets, as written inside it and percent-encoded as they stand in the outer URL.
  for (const m of url.matchAll(PARAM)) {
    const inner = decodedName(m[2]);
    if (inner === m[2] || !SCHEME.test(inner)) continue;
    for (const secret of urlSecrets(inner)) found.push(secret, encodeURIComponent(secret));
  }
  return [...new Set(found.filter((s) => s !== ''))];
}

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/\S+/gi;
const ASSIGNMENT_IN_TEXT = /(^|[\s,;&?(])([A-Za-z_][\w.-]*)=("[^"]*"|'[^']*'|[^\s&;,)'"]+)/g;

/**
 * Free text (an error message, a log line) with the secrets of every URL in it masked, and `password=…`-style
 * assignments too. A URL in text ends at white space, so a password holding a space is only caught by a
 * redactor that knows it (secrets.ts).
 */
export function redactText(text: string): string {
  // Punctuation that ends a sentence or a parenthesis after a URL is not part of it.
  const urls = text.replace(URL_IN_TEXT, (token) => {
    const tail = /[)\].,:;!'"]*$/.exec(token)?.[0] ?? '';
    return redactUrl(token.slice(0, token.length - tail.length)) + tail;
  });
  return urls.replace(ASSIGNMENT_IN_TEXT, (all, lead: string, name: string, value: string) =>
    (isSecretName(name) && !value.startsWith(MASK) ? `${lead}${name}=${MASK}` : all));
}
