/**
 * The listen URL of the outputs that serve (DSMR proxy, Prometheus): `scheme://[host][:port][/path][?query]`.
 * Parsed by hand because the WHATWG parser rejects `scheme://:9464` and says only "Invalid URL". Without a host
 * the server listens on loopback (127.0.0.1): these outputs have no authentication, so serving the network is a
 * choice the user writes down (`dsmr-tcp://0.0.0.0:2001`, or one interface's address).
 */
import { meterError } from '../core/errors.js';
import { redactUrl } from '../redact/index.js';

export const LOOPBACK = '127.0.0.1';

export interface ListenUrl {
  host: string;
  port: number;
  /** The path, "/" when none. */
  path: string;
  params: URLSearchParams;
}

const LISTEN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]*\]|[^/:?#@[\]]*)(?::([^/?#]*))?(\/[^?#]*)?(?:\?([^#]*))?$/i;

/** Host, port, path and options from a listen URL; a BAD_URL error naming the fix otherwise. */
export function parseListenUrl(url: string, scheme: string, defaultPort: number): ListenUrl {
  const example = `${scheme}://${LOOPBACK}:${defaultPort}`;
  const m = LISTEN.exec(url.trim());
  if (!m || m[1].toLowerCase() !== scheme) {
    throw meterError('BAD_URL', `cannot use ${redactUrl(url)} as a ${scheme}:// output: expected e.g. ${example} (0.0.0.0 to serve every interface)`);
  }
  // These servers have no accounts: credentials in the URL are a mistake (and must not end up in a path).
  if (url.includes('@')) throw meterError('BAD_URL', `${redactUrl(url)}: a ${scheme}:// output takes no user or password, e.g. ${example}`);
  const [, , rawHost, rawPort, path = ''] = m;
  const port = rawPort === undefined || rawPort === '' ? defaultPort : /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw meterError('BAD_URL', `${redactUrl(url)}: the port must be a number from 0 to 65535, e.g. ${example}`);
  }
  const host = rawHost.replace(/^\[(.*)\]$/, '$1') || LOOPBACK;
  return { host, port, path: path === '' ? '/' : path, params: new URLSearchParams(m[5] ?? '') };
}
