/**
 * Prometheus exporter sink (`prometheus://127.0.0.1:9464`, optional path, default /metrics; loopback unless the
 * URL names an address): an HTTP server that serves the latest readings, the reader's health and per-output
 * delivery counters in the text exposition format. Not durable: Prometheus scrapes what is current, so nothing is kept for when it is not listening.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sink, SinkContext } from '../types.js';
import { createMeterMetrics, type MeterMetrics } from './metrics.js';
import { redactUrl } from '../../redact/index.js';
import { parseExporterUrl } from './exporter-url.js';

export interface PrometheusSink extends Sink {
  /** Where the server listens once open (the real port when the URL said 0). */
  address(): { host: string; port: number } | undefined;
  /** The exposition text, as a scrape would get it (for embedding and tests). */
  metrics(): Promise<string>;
}


function handler(metrics: MeterMetrics, path: string, onError: (e: Error) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`meterwire metrics are at ${path}\n`);
      return;
    }
    metrics.registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : text);
    }, (err: Error) => {
      // A failing collect() (e.g. a health callback that threw) must not take the server down.
      onError(err);
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
    });
  };
}

export function createPrometheusSink(url: string, ctx: SinkContext): PrometheusSink {
  const opts = parseExporterUrl(url);
  const name = redactUrl(url);
  const metrics = createMeterMetrics(ctx);
  let server: Server | undefined;

  return {
    name,
    durable: false,
    async open() {
      if (server) return;
      const s = createServer(handler(metrics, opts.path, (e) => ctx.log.error(`${name}: ${e.message}`)));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port, opts.host, () => { s.off('error', reject); resolve(); });
      });
      s.on('error', (err) => ctx.log.error(`${name}: ${err.message}`));
      server = s;
      const a = s.address() as AddressInfo;
      ctx.log.info(`${name}: serving metrics on http://${a.address}:${a.port}${opts.path}`);
    },
    async write(messages) {
      metrics.record(messages);
    },
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections(); // scrapers keep connections alive; close() alone would wait for them
      await closed;
    },
    address() {
      const a = server?.address();
      return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
    },
    metrics: () => metrics.registry.metrics(),
  };
}
