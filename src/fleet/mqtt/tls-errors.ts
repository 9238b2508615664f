/**
 * A socket error as one line an operator can act on: which side of a TLS handshake refused, or the network
 * error code. Never includes credentials (a socket error knows none).
 */
export function describeSocketError(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).trim().replace(/\s*\n\s*/g, ' ');
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return message;
  if (/^ERR_SSL_.*ALERT/.test(code)) {
    const alert = /alert ([a-z ]+?)(?::|$)/i.exec(message)?.[1] ?? code;
    return `TLS: the broker refused the connection (TLS alert "${alert}"); if it asks for a client certificate, give tls.cert and tls.key`;
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) {
    return `TLS: the broker's certificate is not trusted (${message}); check that tls.ca names the CA that signed it and that it covers the host name`;
  }
  return `${code} (${message})`;
}
