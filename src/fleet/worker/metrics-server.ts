/**
 * `--metrics 127.0.0.1:9464`: serves the worker's metrics at /metrics. Loopback by default. Another address serves
 * the network, so it needs a token (from METERWIRE_METRICS_TOKEN or --metrics-token-file), which scrapers send as
 * `Authorization: Bearer …` (Prometheus: `authorization: { credentials_file: … }`). Compared in constant time;
 * the token never appears in a response or a log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import { meterError } from '../../core/errors.js';

export interface MetricsListen {
  host: string;
  port: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\./.test(host);
}

/** `host:port`, `:port`, `port` or `[v6]:port`; the host defaults to 127.0.0.1. */
export function parseMetricsListen(text: string): MetricsListen {
  const t = text.trim();
  const m = /^\d{1,5}$/.test(t) ? [t, undefined, undefined, t] : /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(t);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw meterError('BAD_CONFIG', `--metrics "${text}": expected host:port, e.g. 127.0.0.1:9464 (0.0.0.0:9464 with a token to serve the network)`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function sameSecret(given: string, token: string): boolean {
  // Hashes first, so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function handler(registry: Registry, token: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('meterwire fleet metrics are at /metrics\n');
      return;
    }
    if (token !== undefined) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      if (!sameSecret(given, token)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' }).end('a bearer token is required\n');
        return;
      }
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : text);
    }, () => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
    });
  };
}

export interface MetricsServer {
  readonly address: MetricsListen;
  close(): Promise<void>;
}

export async function startMetricsServer(listen: MetricsListen, registry: Registry, token: string | undefined): Promise<MetricsServer> {
  if (!isLoopback(listen.host) && (token === undefined || token === '')) {
    throw meterError('BAD_CONFIG', `--metrics ${listen.host}:${listen.port} serves the network: set METERWIRE_METRICS_TOKEN or --metrics-token-file (or listen on 127.0.0.1)`);
  }
  const server: Server = createServer(handler(registry, token || undefined));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => { server.off('error', reject); resolve(); });
  });
  const a = server.address() as AddressInfo;
  return {
    address: { host: a.address, port: a.port },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
