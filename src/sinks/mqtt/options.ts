/**
 * The MQTT output's URL: mqtt://[user:pass@]host:port[/prefix] or mqtts://… with
 *   ?ca=&cert=&keyFile=   PEM files for TLS        ?clientId=            fixed client id
 *   ?discovery=homeassistant (default) | <prefix> | 0      Home Assistant discovery prefix, 0 disables
 *   ?values=<topic> | 0   compact values topic (default <prefix>/<meter>/values), 0 disables
 *   ?mode=interval (default) | every | change, ?interval=<seconds> (default 10)      how often to publish
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

export const DEFAULT_INTERVAL_S = 10;

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
  // Default: each reading at most every 10 s. Meters push every 1–10 s and every value is a state change in HA's
  // recorder: per message that was 13–30 database rows a second for one meter.
  const mode = choiceParam(p, 'mode', ['every', 'interval', 'change'] as const) ?? 'interval';
  if (interval !== undefined && mode !== 'interval') throw configError(`${name}: interval= only applies to mode=interval (mode=${mode} given)`);
  return { name, client, prefix, discovery, values, mode, intervalMs: (interval ?? DEFAULT_INTERVAL_S) * 1000, retain: flagParam(p, 'retain') };
}
