/**
 * The MQTT output's broker connection: connects (with the last will in its options), reconnects on our backoff
 * schedule after a loss, and fails in-flight QoS 1 publishes when the connection drops. MQTT.js would otherwise
 * keep them and resend on reconnect while the fan-out also retries the batch: two copies, out of order.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createBackoff } from '../../net/backoff.js';
import type { SinkLog } from '../types.js';

export interface BrokerConnection {
  /** First connection; rejects when the broker cannot be reached (the fan-out retries with backoff). */
  open(): Promise<void>;
  /** The live client, or undefined while disconnected. */
  client(): MqttClient | undefined;
  close(beforeEnd?: (c: MqttClient) => Promise<void>): Promise<void>;
}

export interface ConnectionEvents {
  /** Every successful (re)connect: announce availability and discovery again. */
  connected(): void;
}

/** The error, with what to check when TLS failed: the broker refused our certificate, or we refused its. */
function text(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).trim().replace(/\s*\n\s*/g, ' ');
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return message;
  if (/^ERR_SSL_.*ALERT/.test(code)) {
    // OpenSSL's text names its own source files; the alert is what the broker said.
    const alert = /alert ([a-z ]+?)(?::|$)/i.exec(message)?.[1] ?? code;
    return `TLS: the broker refused the connection (TLS alert "${alert}"); if it asks for a client certificate, give ?cert= and ?keyFile=`;
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) {
    return `TLS: the broker's certificate is not trusted (${message}); check that ?ca= names the CA that signed it and that it covers the host name`;
  }
  return message;
}

export function createBrokerConnection(name: string, base: IClientOptions, log: SinkLog, events: ConnectionEvents): BrokerConnection {
  const backoff = createBackoff({ initialMs: 500, maxMs: 30_000 });
  const options: IClientOptions = { ...base };
  let current: MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  let lost = false;

  function failInFlight(c: MqttClient): void {
    for (const id of Object.keys(c.outgoing)) c.removeOutgoingMessage(Number(id));
  }

  function attach(c: MqttClient): void {
    c.on('connect', () => {
      if (current !== c) return;
      backoff.reset();
      if (lost) log.info(`output ${name}: connected to the broker again`);
      lost = false;
      events.connected();
    });
    c.on('error', () => undefined); // 'close' follows and does the work; the fan-out logs write failures
    c.on('close', () => {
      failInFlight(c);
      if (current !== c || closing || timer) return;
      if (!lost) log.warn(`output ${name}: connection to the broker lost, reconnecting`);
      lost = true;
      timer = setTimeout(() => {
        timer = undefined;
        if (current === c && !closing) c.reconnect();
      }, backoff.next());
    });
  }

  /** Resolves with a connected client, or rejects (and discards it) when the first attempt fails. */
  function connect(): Promise<MqttClient> {
    const c = mqtt.connect(options);
    return new Promise((resolve, reject) => {
      let lastError: unknown;
      const onError = (e: unknown): void => { lastError = e; };
      const onConnect = (): void => { cleanup(); resolve(c); };
      const onClose = (): void => {
        cleanup();
        c.end(true);
        reject(new Error(`cannot connect to the broker${lastError ? `: ${text(lastError)}` : ''}`));
      };
      function cleanup(): void {
        c.off('error', onError);
        c.off('connect', onConnect);
        c.off('close', onClose);
      }
      c.on('error', onError);
      c.once('connect', onConnect);
      c.once('close', onClose);
    });
  }

  async function replace(): Promise<void> {
    const next = await connect();
    const old = current;
    current = next;
    attach(next);
    if (old) await old.endAsync().catch(() => undefined);
    events.connected();
  }

  return {
    async open() {
      if (current) return;
      closing = false;
      await replace();
    },
    client: () => (current?.connected ? current : undefined),
    async close(beforeEnd) {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = current;
      current = undefined;
      if (!c) return;
      if (c.connected && beforeEnd) await beforeEnd(c).catch(() => undefined);
      // A clean DISCONNECT: the broker discards the will, availability was already set by beforeEnd.
      await c.endAsync(!c.connected).catch(() => undefined);
    },
  };
}
