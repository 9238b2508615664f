/**
 * The fleet's MQTT consumer (DESIGN §9): `connections` persistent MQTT 5 sessions per worker, each subscribed to
 * `$share/<group>/<topic>` at QoS 1, reconnecting with backoff. A message is acknowledged to the broker only when
 * the worker calls ack() (after its batch committed); PUBACKs leave in arrival order per connection. What was
 * not acknowledged when a connection dropped is redelivered by the broker, to this worker's session.
 *
 * Client ids are `<clientId>-<k>` (k = 1…connections): stable per worker, so a restarted worker resumes its
 * sessions and the messages the broker queued for them (docs/fleet-mqtt.md).
 */
import type { ConnectionOptions } from 'node:tls';
import type { ConsumedMessage, FleetConsumer } from '../contracts.js';
import { createBackoff, type Backoff, type BackoffSettings } from '../../net/backoff.js';
import { redactUrl } from '../../redact/index.js';
import { FleetMqttError, openSessionConnection, type ConnectionCounters, type SessionConnection } from './session-connection.js';
import { describeSocketError } from './tls-errors.js';

export interface MqttFleetConsumerOptions {
  /** mqtt://host[:1883] or mqtts://host[:8883]; user and password may stand in it (never logged). */
  url: string;
  /** The topic filter the gateways publish to, e.g. `meters/+/raw`. */
  topic: string;
  /** Shared-subscription group: every worker of one fleet uses the same. */
  group: string;
  /** Stable per worker, e.g. `<group>-<worker id>`; connection k uses `<clientId>-<k>`. */
  clientId: string;
  /** Receive Maximum per connection (default 1000): the most unacknowledged messages the broker sends it. */
  receiveMaximum?: number;
  /** Reading pauses while this many messages of a connection wait for ack() (default = receiveMaximum). */
  maxPending?: number;
  /** How long the broker keeps a session (and queues its messages) while the worker is away; default 1 day. */
  sessionExpirySeconds?: number;
  /** Connections (sessions) per worker; default 1. */
  connections?: number;
  username?: string;
  password?: string;
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  keepaliveSeconds?: number;
  connectTimeoutMs?: number;
  backoff?: BackoffSettings;
  log?: { info(msg: string): void; warn(msg: string): void };
}

export interface MqttFleetConsumerStats {
  received: number;
  /** PUBACKs sent. */
  acked: number;
  /** Messages with DUP set. */
  redelivered: number;
  reconnects: number;
  qos0: number;
  lateAcks: number;
  /** Received and not yet acknowledged, over the live connections. */
  pending: number;
  /** Live, subscribed connections. */
  connected: number;
  /** Connections not reading right now: as many messages as allowed wait for ack(). */
  paused: number;
}

export interface MqttFleetConsumer extends FleetConsumer {
  stats(): MqttFleetConsumerStats;
  /** Test hook: drops every socket at once, as a crash would (nothing more is acknowledged). */
  destroySockets(): void;
  /**
   * Leaves the group for good: UNSUBSCRIBE, hand over what the broker still queued for these sessions (keep
   * acknowledging), and once a PINGREQ round trip with nothing pending brings nothing new, end the sessions
   * (Session Expiry 0). Without it, Mosquitto holds a departed worker's share until its session expires.
   */
  retire(): Promise<void>;
  /** Resolves once the broker has processed every PUBACK sent so far on the live connections (a PINGREQ round trip). */
  flushAcks(): Promise<void>;
}

interface Slot {
  index: number;
  clientId: string;
  current?: SessionConnection;
  subscribed: boolean;
  timer?: NodeJS.Timeout;
  backoff: Backoff;
}

const quiet = { info: () => undefined, warn: () => undefined };

function parseBroker(url: string): { host: string; port: number; secure: boolean; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FleetMqttError(`cannot parse the broker URL ${redactUrl(url)}: expected e.g. mqtt://broker:1883`, true);
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') {
    throw new FleetMqttError(`the broker URL ${redactUrl(url)} must start with mqtt:// or mqtts://`, true);
  }
  const secure = parsed.protocol === 'mqtts:';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 8883 : 1883,
    secure,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

function positive(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new FleetMqttError(`${name} must be an integer from 1 to ${max}, not ${v}`, true);
  return v;
}

export function createMqttFleetConsumer(options: MqttFleetConsumerOptions): MqttFleetConsumer {
  const broker = parseBroker(options.url);
  const where = redactUrl(options.url);
  const log = options.log ?? quiet;
  if (!options.group || /[/+#]/.test(options.group)) throw new FleetMqttError(`the group name must be non-empty without "/", "+" or "#"`, true);
  if (!options.clientId) throw new FleetMqttError('a stable clientId per worker is required (e.g. <group>-<worker id>)', true);
  const receiveMaximum = positive('receiveMaximum', options.receiveMaximum, 1000, 65_535);
  const maxPending = positive('maxPending', options.maxPending, receiveMaximum);
  const connections = positive('connections', options.connections, 1, 1000);
  const sessionExpirySeconds = positive('sessionExpirySeconds', options.sessionExpirySeconds, 86_400, 0xffffffff);
  const base = {
    host: broker.host,
    port: broker.port,
    tls: broker.secure ? { servername: broker.host, ...options.tls } : undefined,
    username: options.username ?? broker.username,
    password: options.password ?? broker.password,
    filter: `$share/${options.group}/${options.topic}`,
    keepaliveSeconds: options.keepaliveSeconds ?? 30,
    sessionExpirySeconds,
    receiveMaximum,
    maxPending,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  };
  const counters: ConnectionCounters = { received: 0, acked: 0, redelivered: 0, qos0: 0, lateAcks: 0 };
  const slots: Slot[] = Array.from({ length: connections }, (_, i) => ({ index: i + 1, clientId: `${options.clientId}-${i + 1}`, subscribed: false, backoff: createBackoff(options.backoff) }));
  let reconnects = 0;
  let closing = false;
  let handler: ((m: ConsumedMessage) => void) | undefined;

  const explain = (e: unknown): string => (e instanceof FleetMqttError ? e.message : describeSocketError(e));

  function open(slot: Slot): SessionConnection {
    const conn = openSessionConnection({ ...base, clientId: slot.clientId }, counters, (m) => handler?.(m));
    slot.current = conn;
    const { backoff } = slot;
    conn.ready.then(({ sessionPresent }) => {
      slot.subscribed = true;
      backoff.reset();
      log.info(`fleet consumer ${slot.clientId}: subscribed at ${where} (${sessionPresent ? 'session resumed' : 'new session'})`);
    }, () => undefined);
    void conn.closed.then((reason) => {
      slot.subscribed = false;
      if (slot.current === conn) slot.current = undefined;
      if (closing || !reason) return;
      const delay = backoff.next();
      log.warn(`fleet consumer ${slot.clientId}: ${explain(reason)}; reconnecting to ${where} in ${delay} ms`);
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        if (closing) return;
        reconnects++;
        open(slot);
      }, delay);
    });
    return conn;
  }

  async function closeAll(): Promise<void> {
    closing = true;
    for (const s of slots) clearTimeout(s.timer);
    await Promise.all(slots.map((s) => s.current?.close()));
  }

  return {
    async start(onMessage) {
      if (handler) throw new FleetMqttError('start() was already called', true);
      handler = onMessage;
      const first = slots.map((s) => open(s).ready);
      try {
        await Promise.all(first);
      } catch (err) {
        // A refusal at start is a configuration problem to show, not to retry behind the user's back.
        await closeAll();
        throw new FleetMqttError(`fleet consumer could not subscribe at ${where}: ${explain(err)}`, true);
      }
    },
    close: closeAll,
    async retire() {
      await Promise.all(slots.map(async (s) => {
        const conn = s.current;
        if (!conn || !s.subscribed) throw new FleetMqttError(`${s.clientId} is not connected: retire it when it is`, false);
        await conn.unsubscribe();
        for (;;) {
          while (conn.pending > 0) {
            if (s.current !== conn) throw new FleetMqttError(`${s.clientId} lost its connection while retiring: retire it again`, false);
            await new Promise((r) => setTimeout(r, 20));
          }
          const before = counters.received;
          await conn.sync(); // the broker writes what it still holds for us before the PINGRESP
          if (conn.pending === 0 && counters.received === before) break;
        }
        clearTimeout(s.timer);
      }));
      closing = true;
      await Promise.all(slots.map((s) => s.current?.endSession()));
      log.info(`fleet consumer ${options.clientId}: retired, its sessions ended`);
    },
    stats() {
      const live = slots.filter((s) => s.current && s.subscribed);
      return {
        ...counters,
        reconnects,
        pending: slots.reduce((n, s) => n + (s.current?.pending ?? 0), 0),
        connected: live.length,
        paused: slots.filter((s) => s.current?.paused).length,
      };
    },
    async flushAcks() {
      await Promise.all(slots.map((s) => (s.current && s.subscribed ? s.current.sync() : undefined)));
    },
    destroySockets() {
      for (const s of slots) s.current?.destroy(new FleetMqttError('socket destroyed', false));
    },
  };
}
