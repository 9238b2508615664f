/**
 * The MQTT output's URL: mqtt://[user:pass@]host:port[/prefix] or mqtts://… with
 *   ?ca=&cert=&keyFile=   PEM files for TLS        ?clientId=            fixed client id
 *   ?discovery=homeassistant (default) | <prefix> | 0      Home Assistant discovery prefix, 0 disables
 *   ?values=<topic> | 0   compact values topic (default <prefix>/<meter>/values), 0 disables
 *   ?mode=every (default) | interval | change, ?interval=<seconds>      how often to publish
 *   ?retain=1             retain the state and values topics too (per-reading topics are always retained)
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import { choiceParam, configError, flagParam, intParam, redactUrl } from '../../adapters/sources/source-url.js';

export type PublishMode = 'every' | 'interval' | 'change';

export interface MqttSinkOptions {
  /** Redacted URL, for logs. */
  name: string;
  client: IClientOptions;
  prefix: string;
  /** Discovery prefix, or undefined when discovery is off. */
  discovery?: string;
  /** Compact values topic: 'default' → <prefix>/<meter>/values, undefined → off. */
  values?: string;
  mode: PublishMode;
  intervalMs: number;
  retain: boolean;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw configError(`cannot read the MQTT ${what} file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const isOff = (v: string | null): boolean => v !== null && ['0', 'false', 'no', 'off'].includes(v.toLowerCase());

/** Topic levels: no wildcards, no empty levels at the ends (a leading "/" makes an empty first level). */
function cleanTopic(raw: string, what: string): string {
  const t = raw.replace(/^\/+|\/+$/g, '');
  if (!t || /[#+\0]/.test(t)) throw configError(`the MQTT ${what} "${raw}" is not a valid topic (no #, + or empty)`);
  return t;
}

export function parseMqttSinkUrl(url: string): MqttSinkOptions {
  const name = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(`cannot parse the MQTT output ${name}: expected e.g. mqtt://user:pass@broker:1883/meterwire`);
  }
  const secure = parsed.protocol === 'mqtts:';
  if (!secure && parsed.protocol !== 'mqtt:') throw configError(`${name}: an MQTT output URL starts with mqtt:// or mqtts://`);
  if (!parsed.hostname) throw configError(`${name}: the MQTT output needs a broker host, e.g. mqtt://192.168.1.10:1883`);
  const p = parsed.searchParams;
  const client: IClientOptions = {
    protocol: secure ? 'mqtts' : 'mqtt',
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 8883 : 1883,
    clientId: p.get('clientId') ?? `meterwire-out-${randomBytes(4).toString('hex')}`,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    // The sink reconnects itself with backoff, and in-flight messages are retried by the fan-out, not MQTT.js.
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    clean: true,
    queueQoSZero: false,
  };
  const ca = p.get('ca');
  const cert = p.get('cert');
  const keyFile = p.get('keyFile');
  if (ca) client.ca = readPem(ca, 'CA certificate');
  if (cert) client.cert = readPem(cert, 'client certificate');
  if (keyFile) client.key = readPem(keyFile, 'client key');

  const path = decodeURIComponent(parsed.pathname);
  const prefix = path.replace(/\//g, '') === '' ? 'meterwire' : cleanTopic(path, 'prefix');
  const discoveryRaw = p.get('discovery');
  const discovery = isOff(discoveryRaw) ? undefined : cleanTopic(discoveryRaw || 'homeassistant', 'discovery prefix');
  const valuesRaw = p.get('values');
  const values = isOff(valuesRaw) ? undefined : valuesRaw ? cleanTopic(valuesRaw, 'values topic') : 'default';
  const interval = intParam(p, 'interval');
  const mode = choiceParam(p, 'mode', ['every', 'interval', 'change'] as const) ?? (interval ? 'interval' : 'every');
  if (mode === 'interval' && !interval) throw configError(`${name}: mode=interval needs interval=<seconds>, e.g. &interval=60`);
  return { name, client, prefix, discovery, values, mode, intervalMs: (interval ?? 0) * 1000, retain: flagParam(p, 'retain') };
}
