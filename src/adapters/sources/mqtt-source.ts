/**
 * mqtt://[user:pass@]broker:port/topic and mqtts://… (?ca=path&cert=path&keyFile=path&clientId=…&qos=0|1):
 * subscribes to a topic (wildcards allowed, "#" may be written literally or as %23) where a gateway publishes
 * meter bytes, and delivers each payload as raw bytes (binary, hex or base64 text, see payload-encoding.ts).
 * MQTT.js does the reconnecting (client.reconnect()), but on our backoff schedule rather than its fixed period,
 * so a broker outage is retried like every other source. The subscription is renewed on every connect.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { createBackoff } from '../../net/backoff.js';
import { mqttConnectionOptions } from '../../net/mqtt-connection.js';
import { decodeMqttPayload } from './payload-encoding.js';
import { errorText } from './reconnecting-source.js';
import { configError, intParam } from '../../net/url.js';
import { createStateReporter, type StateReporter } from './state-reporter.js';
import type { Source, SourceHandlers, SourceOptions } from './types.js';

interface MqttTarget {
  topic: string;
  qos: 0 | 1;
  options: IClientOptions;
}

export function parseMqttUrl(url: string): MqttTarget {
  let parsed: URL;
  try {
    // "#" is the multi-level wildcard here, not a URL fragment: keep it in the path.
    parsed = new URL(url.replace(/#/g, '%23'));
  } catch {
    throw configError('cannot parse the MQTT URL: expected e.g. mqtt://user:pass@broker:1883/meters/p1');
  }
  const topic = decodeURIComponent(parsed.pathname.slice(1));
  if (!topic || !parsed.hostname) throw configError('an MQTT source needs a broker and a topic, e.g. mqtt://broker:1883/meters/p1');
  const p = parsed.searchParams;
  // We reconnect ourselves (with backoff) and subscribe on every connect.
  const options: IClientOptions = { ...mqttConnectionOptions(parsed, 'meterwire'), resubscribe: false };
  return { topic, qos: (intParam(p, 'qos', [1]) ?? 0) as 0 | 1, options };
}

export function createMqttSource(url: string, description: string, options: SourceOptions = {}): Source {
  const target = parseMqttUrl(url);
  const backoff = createBackoff(options.backoff);
  let client: MqttClient | undefined;
  let reporter: StateReporter | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | undefined;
  let healthy = false;
  let stopped = false;

  function onConnect(c: MqttClient): void {
    lastError = undefined;
    c.subscribe(target.topic, { qos: target.qos }, (err, granted) => {
      if (stopped || client !== c) return;
      const refused = err ?? (granted ?? []).find((g) => g.qos >= 0x80);
      // A refused subscription (ACL) gets no data; report it and let the watchdog's recycle() retry.
      if (refused) reporter?.set('disconnected', `broker refused the subscription to ${target.topic}`);
      else reporter?.set('connected', `subscribed to ${target.topic}`);
    });
  }

  function onClose(): void {
    healthy = false;
    reporter?.set('disconnected', lastError ?? 'connection to the broker closed');
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) client?.reconnect();
    }, backoff.next());
  }

  function onMessage(payload: Buffer): void {
    if (!healthy) {
      healthy = true;
      backoff.reset();
    }
    reporter?.data(decodeMqttPayload(new Uint8Array(payload.buffer, payload.byteOffset, payload.length)));
  }

  return {
    description,
    start(handlers: SourceHandlers) {
      if (reporter || stopped) return;
      reporter = createStateReporter(handlers);
      reporter.set('connecting', description);
      // MQTT.js (~15 MB) loads when an MQTT source starts, not with every reader.
      void import('mqtt').then(({ default: mqtt }) => {
        if (stopped) return;
        const c = mqtt.connect(target.options);
        client = c;
        c.on('connect', () => onConnect(c));
        c.on('message', (_topic, payload) => onMessage(payload));
        // MQTT.js emits 'error' for refused connections and socket errors; 'close' follows and does the work.
        c.on('error', (err) => {
          lastError = errorText(err);
        });
        c.on('close', onClose);
      }, (e: unknown) => reporter?.set('disconnected', `cannot load MQTT.js: ${errorText(e)}`));
    },
    async stop() {
      stopped = true;
      reporter?.silence();
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      if (c) await c.endAsync(true).catch(() => undefined);
    },
    recycle(reason: string) {
      if (stopped || !client?.connected) return;
      lastError = `recycled: ${reason}`;
      reporter?.set('disconnected', lastError);
      client.stream.destroy();
    },
  };
}
