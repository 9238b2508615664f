/**
 * The MQTT output's URL: mqtt://[user:pass@]host:port[/prefix] or mqtts://… with
 *   ?ca=&cert=&keyFile=   PEM files for TLS        ?clientId=            fixed client id
 *   ?discovery=homeassistant (default) | <prefix> | 0      Home Assistant discovery prefix, 0 disables
 *   ?values=<topic> | 0   compact values topic (default <prefix>/<meter>/values), 0 disables
 *   ?mode=every (default) | interval | change, ?interval=<seconds>      how often to publish
 *   ?retain=1             retain the state and values topics too (per-reading topics are always retained)
 */
import type { IClientOptions } from 'mqtt';
import { mqttConnectionOptions } from '../../net/mqtt-connection.js';
import { choiceParam, configError, flagParam, intParam } from '../../net/url.js';
import { redactUrl } from '../../redact/index.js';

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
  // The sink reconnects itself with backoff, and in-flight messages are retried by the fan-out, not MQTT.js.
  const client: IClientOptions = { ...mqttConnectionOptions(parsed, 'meterwire-out'), clean: true, queueQoSZero: false };

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
