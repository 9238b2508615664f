/** URL helpers shared by the outputs that serve (DSMR proxy, Prometheus): listen address and redaction. */

/** Host and port to listen on from `scheme://host:port`, with the output's default port. */
export function listenAddress(u: URL, defaultPort: number): { host: string; port: number } {
  const port = u.port === '' ? defaultPort : Number(u.port);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
  return { host, port };
}

/** The URL for logs and labels without user or password (a serving URL has none, but a typo must not leak one). */
export function redactServerUrl(url: string, scheme: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) { u.username = ''; u.password = ''; }
    return u.toString();
  } catch {
    return `${scheme}://(invalid URL)`;
  }
}
