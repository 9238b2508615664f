/**
 * mqtt://broker:1883/topic?encoding=hex|binary|base64 — publishes each message like an ESP8266/ESP32 gateway does
 * (the EVN setup publishes the raw M-Bus stream as hex). Default encoding: hex.
 */
import mqtt from 'mqtt';
import { parseMqttUrl } from '../sources/mqtt-source.js';
import { choiceParam, splitQuery } from '../../net/url.js';
import type { Target, TargetLog } from './types.js';

export function createMqttTarget(url: string, description: string, log: TargetLog): Target {
  const { params } = splitQuery(url);
  const encoding = choiceParam(params, 'encoding', ['hex', 'binary', 'base64'] as const) ?? 'hex';
  const { topic, options } = parseMqttUrl(url);
  const client = mqtt.connect({ ...options, reconnectPeriod: 1000 });
  let up = false;
  client.on('connect', () => { if (!up) log(`connected to the MQTT broker, publishing to ${topic} (${encoding})`); up = true; });
  client.on('offline', () => { if (up) log('MQTT broker offline, retrying'); up = false; });
  client.on('error', () => undefined);
  return {
    description,
    async write(bytes) {
      if (!up) return;
      const b = Buffer.from(bytes);
      const payload = encoding === 'binary' ? b : b.toString(encoding);
      await client.publishAsync(topic, payload).catch(() => undefined);
    },
    async close() {
      await client.endAsync().catch(() => undefined);
    },
  };
}
