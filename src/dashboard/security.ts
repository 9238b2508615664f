/**
 * Who may read the dashboard. On loopback anyone on this machine may (like the other local servers); on any other
 * address a token is required: as `Authorization: Bearer <token>`, or once as `?token=` on a page, which sets a
 * cookie and redirects to the URL without it (so the token stays out of the history and of Referer headers). The
 * cookie holds an HMAC of the token, never the token, so no response ever carries it. Comparisons take constant
 * time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export const COOKIE_NAME = 'meterwire_session';
export const MIN_TOKEN_LENGTH = 16;

/** Whether an address serves this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return /^::ffff:127\./.test(h);
}

/** The cookie value that stands for a token (HMAC-SHA256, base64url). */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('meterwire dashboard session v1').digest('base64url');
}

function equalConstantTime(a: string, b: string): boolean {
  // HMAC both sides to a fixed length: timingSafeEqual needs equal lengths and the length must not leak either.
  const ka = createHmac('sha256', 'meterwire compare').update(a).digest();
  const kb = createHmac('sha256', 'meterwire compare').update(b).digest();
  return timingSafeEqual(ka, kb);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface Credentials {
  authorization?: string;
  cookie?: string;
}

export type AuthResult = 'ok' | 'missing' | 'wrong';

/** Checks a request's bearer token or session cookie against the configured token (none: everyone is let in). */
export function checkCredentials(token: string | undefined, c: Credentials): AuthResult {
  if (token === undefined) return 'ok';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.authorization ?? '')?.[1];
  if (bearer !== undefined) return equalConstantTime(bearer, token) ? 'ok' : 'wrong';
  const session = cookieValue(c.cookie, COOKIE_NAME);
  if (session !== undefined) return equalConstantTime(session, sessionValue(token)) ? 'ok' : 'wrong';
  return 'missing';
}

export function checkToken(token: string | undefined, given: string): boolean {
  return token !== undefined && equalConstantTime(given, token);
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${COOKIE_NAME}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** A strict policy: only this origin's scripts, styles, images and connections; no inline code, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(tls: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()',
  };
  if (tls) h['strict-transport-security'] = 'max-age=31536000';
  return h;
}

/**
 * Without a token the server listens on loopback only, and only loopback names may address it: a web page that
 * points its own domain at 127.0.0.1 (DNS rebinding) must not be able to read the dashboard through the browser.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const name = /^\[([^\]]*)\](?::\d+)?$/.exec(host)?.[1] ?? host.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}
