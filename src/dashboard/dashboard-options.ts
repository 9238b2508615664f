/**
 * The check of where a dashboard may listen, apart from the server so the web output can validate its URL at start
 * without loading the web framework (the reader loads the server only when the output opens).
 */
import { readFileSync } from 'node:fs';
import { meterError } from '../core/errors.js';
import { isLoopbackHost, MIN_TOKEN_LENGTH } from './security.js';

/** Refuses what must not start: a network address without a token, a token too short to resist guessing. */
export function checkDashboardOptions(o: { host: string; token?: string }): void {
  if (o.token === undefined && !isLoopbackHost(o.host)) {
    // No "token=…" in the text: the log redactor would mask the example as if it were a secret.
    throw meterError('BAD_URL', `the dashboard on ${o.host} would be open to the network: add a "token" parameter of at least ` +
      `${MIN_TOKEN_LENGTH} random characters to the URL (e.g. from \`openssl rand -hex 16\`), or listen on 127.0.0.1`);
  }
  if (o.token !== undefined && (o.token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(o.token))) {
    throw meterError('BAD_URL', `the dashboard token must be at least ${MIN_TOKEN_LENGTH} printable characters without spaces ` +
      '(e.g. the output of `openssl rand -hex 16`)');
  }
}

/** The HTTPS certificate and key; a file that cannot be read stops the start (BAD_CONFIG, naming the file). */
export function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  return { cert: readPem(tls.certFile, 'certificate'), key: readPem(tls.keyFile, 'key') };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw meterError('BAD_CONFIG', `cannot read the dashboard's TLS ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
