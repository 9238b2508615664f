/** Output URL → sink. One place lists every output, so `--output` errors can name them all. */
import { MeterError } from '../core/errors.js';
import { createMqttSink } from './mqtt/index.js';
import { createSqlSink } from './sql/index.js';
import { createMongoSink } from './mongodb/index.js';
import { createDsmrProxySink } from './dsmr-proxy/index.js';
import { createPrometheusSink } from './prometheus/index.js';
import type { Sink, SinkContext } from './types.js';

export const DEFAULT_STORE = 'sqlite:./data/meterwire.db';

export const SUPPORTED_OUTPUTS: readonly string[] = [
  'mqtt://user:pass@broker:1883/meterwire?discovery=homeassistant (also mqtts://; Home Assistant discovery, per-value topics)',
  `${DEFAULT_STORE} (history and 5-minute/hourly/daily rollups; postgres://… and mysql://… hold the same schema)`,
  'mongodb://host:27017/meterwire?collection=telegrams (one document per message)',
  'dsmr-tcp://0.0.0.0:2001 (DSMR P1 telegrams for dsmr_parser, Home Assistant DSMR, dsmr-reader)',
  'prometheus://0.0.0.0:9464 (metrics at /metrics)',
];

export function openSink(url: string, ctx: SinkContext): Sink {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase();
  switch (scheme) {
    case 'mqtt': case 'mqtts': return createMqttSink(url, ctx);
    case 'sqlite': case 'postgres': case 'postgresql': case 'mysql': case 'mariadb': return createSqlSink(url, ctx);
    case 'mongodb': case 'mongodb+srv': return createMongoSink(url, ctx);
    case 'dsmr-tcp': return createDsmrProxySink(url, ctx);
    case 'prometheus': return createPrometheusSink(url, ctx);
    default:
      throw new MeterError('UNKNOWN_FORMAT', 'config',
        `unsupported output "${url.replace(/\/\/[^@/]*@/, '//***@')}"; use one of:\n  ${SUPPORTED_OUTPUTS.join('\n  ')}`);
  }
}

/** Whether any output needs the original DSMR telegram kept with each message (the proxy forwards it unchanged). */
export function needsTelegram(urls: readonly string[]): boolean {
  return urls.some((u) => u.trim().toLowerCase().startsWith('dsmr-tcp:'));
}
