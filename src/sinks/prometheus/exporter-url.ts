/** `prometheus://host:port[/path]`: loopback by default, path /metrics. */
import { parseListenUrl } from '../server-url.js';

export interface ExporterOptions {
  host: string;
  port: number;
  path: string;
}

export function parseExporterUrl(url: string): ExporterOptions {
  const { host, port, path } = parseListenUrl(url, 'prometheus', 9464);
  return { host, port, path: path === '/' ? '/metrics' : path };
}
