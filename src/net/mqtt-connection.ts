/**
 * Broker connection options shared by the MQTT source and the MQTT output: host, port (1883, or 8883 for
 * mqtts), credentials from the URL, `?clientId=`, and `?ca=&cert=&keyFile=` PEM files for TLS. Reconnecting is
 * left to the caller (both reconnect on their own backoff), so MQTT.js's fixed-period reconnect is off.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import { configError } from './url.js';

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw configError(`cannot read the MQTT ${what} file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Client options from a parsed mqtt:// or mqtts:// URL; `clientIdPrefix` tells source and output apart. */
export function mqttConnectionOptions(parsed: URL, clientIdPrefix: string): IClientOptions {
  const secure = parsed.protocol === 'mqtts:';
  const p = parsed.searchParams;
  const options: IClientOptions = {
    protocol: secure ? 'mqtts' : 'mqtt',
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 8883 : 1883,
    clientId: p.get('clientId') ?? `${clientIdPrefix}-${randomBytes(4).toString('hex')}`,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
  };
  const ca = p.get('ca');
  const cert = p.get('cert');
  const keyFile = p.get('keyFile');
  if (ca) options.ca = readPem(ca, 'CA certificate');
  if (cert) options.cert = readPem(cert, 'client certificate');
  if (keyFile) options.key = readPem(keyFile, 'client key');
  return options;
}
