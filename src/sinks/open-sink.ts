/**
 * Output URL → sink. One place lists every output, so `--output` errors can name them all. A URL a sink cannot
 * use is one BAD_URL error (an unknown scheme UNKNOWN_OUTPUT), its secrets redacted, never an INTERNAL one. Sinks
 * import their drivers only when they open, so a missing optional driver (drivers.ts) is a BAD_CONFIG error here,
 * before anything starts, and never breaks the outputs that do not need it.
 */
import { isMeterError, meterError } from '../core/errors.js';
import { redactText, redactUrl } from '../redact/index.js';
import { parseMqttSinkUrl } from './mqtt/options.js';
import { createSqlSink } from './sql/index.js';
import { createMongoSink } from './mongodb/index.js';
import { createDsmrProxySink } from './dsmr-proxy/index.js';
import { parseExporterUrl } from './prometheus/exporter-url.js';
import { createInfluxSink } from './influx/index.js';
import { createLazyWebSink } from './web/lazy-web-sink.js';
import { lazySink } from './lazy-sink.js';
import { assertDriverInstalled, packageInstalled, schemeOf, type PackageProbe } from './drivers.js';
import type { Sink, SinkContext, SinkFactory } from './types.js';

export const DEFAULT_STORE = 'sqlite:./data/meterwire.db';
/** The dashboard of the built-in simulated meter (the README's main job), over that meter's store. */
export const DEFAULT_DASHBOARD = `web://127.0.0.1:8080?store=${encodeURIComponent(DEFAULT_STORE)}`;

export const SUPPORTED_OUTPUTS: readonly string[] = [
  'mqtt://user:pass@broker:1883/meterwire?discovery=homeassistant (also mqtts://; Home Assistant discovery, per-value topics)',
  `${DEFAULT_STORE} (history, 5/15-minute and local hourly/daily/monthly rollups; postgres://… and mysql://… hold the same schema)`,
  'mongodb://host:27017/meterwire?collection=telegrams (one document per message)',
  'dsmr-tcp://127.0.0.1:2001 (DSMR P1 telegrams for dsmr_parser, Home Assistant DSMR, dsmr-reader; 0.0.0.0 serves the network)',
  'prometheus://127.0.0.1:9464 (metrics at /metrics; 0.0.0.0 serves the network)',
  'influx://user:pass@host:8086/meterwire (InfluxDB 1.x; influx2://host:8086?org=…&bucket=…&token=… for the v2 API; influxs:// and influx2s:// for HTTPS)',
  'web://127.0.0.1:8080 (the dashboard: live values, health, charts; another address needs ?token=…, HTTPS with ?cert=…&key=…)',
];

// MQTT.js and prom-client load when their output opens (lazy-sink.ts); their URLs are checked here, at start.
const createMqttSink: SinkFactory = (url, ctx) =>
  lazySink(parseMqttSinkUrl(url).name, true, async () => (await import('./mqtt/index.js')).createMqttSink(url, ctx));
const createPrometheusSink: SinkFactory = (url, ctx) => {
  parseExporterUrl(url);
  return lazySink(redactUrl(url), false, async () => (await import('./prometheus/index.js')).createPrometheusSink(url, ctx));
};

const FACTORIES: Record<string, SinkFactory> = {
  mqtt: createMqttSink, mqtts: createMqttSink,
  sqlite: createSqlSink, postgres: createSqlSink, postgresql: createSqlSink, mysql: createSqlSink, mariadb: createSqlSink,
  mongodb: createMongoSink, 'mongodb+srv': createMongoSink,
  'dsmr-tcp': createDsmrProxySink,
  prometheus: createPrometheusSink,
  influx: createInfluxSink, influxs: createInfluxSink, influx2: createInfluxSink, influx2s: createInfluxSink,
  web: createLazyWebSink,
};

/** `probe` tells whether a driver package is installed (tests simulate a missing one). */
export function openSink(url: string, ctx: SinkContext, probe: PackageProbe = packageInstalled): Sink {
  const scheme = schemeOf(url);
  const factory = scheme === undefined ? undefined : FACTORIES[scheme];
  if (!factory) throw meterError('UNKNOWN_OUTPUT', `unsupported output "${redactUrl(url)}"; use one of:\n  ${SUPPORTED_OUTPUTS.join('\n  ')}`);
  assertDriverInstalled(url, probe);
  try {
    return factory(url, ctx);
  } catch (e) {
    // Factories only parse (I/O starts in open()): whatever they throw is about the URL.
    if (isMeterError(e)) throw e;
    const why = redactText(e instanceof Error ? e.message : String(e));
    throw meterError('BAD_URL', `output ${redactUrl(url)}: ${why}`);
  }
}

/** Whether any output needs the original DSMR telegram kept with each message (the proxy forwards it unchanged). */
export function needsTelegram(urls: readonly string[]): boolean {
  return urls.some((u) => u.trim().toLowerCase().startsWith('dsmr-tcp:'));
}
