/**
 * One MQTT 5 connection of a fleet consumer, on mqtt-packet over a net or tls socket: CONNECT with clean start
 * off and a session expiry (a persistent session the broker keeps while the worker restarts), SUBSCRIBE at QoS 1,
 * PINGREQ keepalive, and PUBACKs that the worker releases, strictly in arrival order.
 *
 * Why not MQTT.js: with `customHandleAcks` it hands over a connection's next message only after the previous
 * one is acknowledged — one message in flight, no batch (issue 10). Here the broker's Receive Maximum and our
 * `maxPending` bound the messages in flight instead, and reading stops (socket paused) while that many wait.
 *
 * A connection is used once: when it drops, its unacknowledged messages are forgotten (a PUBACK on a later
 * connection would name a packet id the broker has reassigned) and the broker redelivers them with DUP set.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';
import type { ConsumedMessage } from '../contracts.js';
import { createOrderedAcks } from './ordered-acks.js';
import { createPacketReader, type PublishFields } from './packet-reader.js';
import { reasonText } from './reason-codes.js';
import { describeSocketError } from './tls-errors.js';

export interface ConnectionSettings {
  host: string;
  port: number;
  /** TLS options (mqtts://); undefined = plain TCP. */
  tls?: ConnectionOptions;
  clientId: string;
  username?: string;
  password?: string;
  /** `$share/<group>/<topic>`. */
  filter: string;
  keepaliveSeconds: number;
  sessionExpirySeconds: number;
  /** Receive Maximum sent in CONNECT: the broker may hold at most this many unacknowledged QoS 1 messages here. */
  receiveMaximum: number;
  /** Reading pauses while this many messages wait for ack() (also guards against a broker ignoring Receive Maximum). */
  maxPending: number;
  connectTimeoutMs: number;
}

export interface ConnectionCounters {
  received: number;
  acked: number;
  redelivered: number;
  qos0: number;
  /** ack() calls for messages of a connection that had already dropped: not sent, the broker redelivers. */
  lateAcks: number;
}

export interface SessionConnection {
  /** Resolves once CONNACK and SUBACK (QoS 1 granted) arrived; rejects with a clear error otherwise. */
  readonly ready: Promise<{ sessionPresent: boolean }>;
  /** Resolves when the socket is gone, with the reason (undefined after close()). */
  readonly closed: Promise<Error | undefined>;
  readonly pending: number;
  readonly paused: boolean;
  /** Sends DISCONNECT (the session stays, with its unacknowledged messages) and ends the socket. */
  close(): Promise<void>;
  /** Drops the socket at once, as a crash would (tests, fatal errors). */
  destroy(reason?: Error): void;
  /**
   * Resolves once the broker answers a PINGREQ sent now: it has then processed every PUBACK sent before (a
   * connection's packets are handled in order). Rejects when the connection drops first. Not while paused.
   */
  sync(): Promise<void>;
  /** UNSUBSCRIBE from the shared subscription; resolves on UNSUBACK. Queued messages still arrive. */
  unsubscribe(): Promise<void>;
  /** Like close(), but with Session Expiry 0: the broker deletes the session (and anything left in it). */
  endSession(): Promise<void>;
}

const PROTOCOL = { protocolVersion: 5 } as const;

/** MQTT 5 PUBACK with reason 0 and no properties may omit both (§3.4.2.1): 4 bytes, built without mqtt-packet. */
function pubacks(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 4);
  for (let i = 0; i < ids.length; i++) {
    out[i * 4] = 0x40;
    out[i * 4 + 1] = 0x02;
    out[i * 4 + 2] = ids[i] >> 8;
    out[i * 4 + 3] = ids[i] & 0xff;
  }
  return out;
}

/** A delivered message: one class (one shape, no closure per message); ack() releases its slot. */
class Delivery implements ConsumedMessage {
  constructor(readonly topic: string, readonly payload: Buffer, readonly receivedAt: number, readonly redelivered: boolean,
    readonly retained: boolean, readonly qos: 0 | 1, private readonly slot: number, private readonly release: ((slot: number) => void) | undefined) {}

  ack(): void {
    this.release?.(this.slot);
  }
}

export class FleetMqttError extends Error {
  constructor(message: string, readonly fatal: boolean) {
    super(message);
    this.name = 'FleetMqttError';
  }
}

export function openSessionConnection(settings: ConnectionSettings, counters: ConnectionCounters,
  onMessage: (message: ConsumedMessage) => void): SessionConnection {
  const acks = createOrderedAcks();
  const backlog: PublishFields[] = [];
  const pongs: Array<() => void> = [];
  const unsubacks: Array<() => void> = [];
  const parser = createParser(PROTOCOL);
  const socket: Socket = settings.tls
    ? tlsConnect({ ...settings.tls, host: settings.host, port: settings.port })
    : netConnect({ host: settings.host, port: settings.port });
  socket.setNoDelay(true);

  let gone = false;
  let paused = false;
  let closing = false;
  let awaitingPong = false;
  let subscribed = false;
  let resolveReady!: (v: { sessionPresent: boolean }) => void;
  let rejectReady!: (e: Error) => void;
  let resolveClosed!: (e: Error | undefined) => void;
  let failure: Error | undefined;
  let sessionPresent = false;
  const ready = new Promise<{ sessionPresent: boolean }>((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => undefined); // the caller may only await `closed`
  const closed = new Promise<Error | undefined>((res) => { resolveClosed = res; });

  const connectTimer = setTimeout(() => {
    destroy(new FleetMqttError(`no answer from the broker within ${settings.connectTimeoutMs} ms`, false));
  }, settings.connectTimeoutMs);
  let pingTimer: NodeJS.Timeout | undefined;

  let unsent: number[] = [];
  function flushPubacks(): void {
    if (gone || unsent.length === 0) return;
    socket.write(pubacks(unsent));
    counters.acked += unsent.length;
    unsent = [];
  }

  const send = (packet: Packet): void => {
    flushPubacks(); // PUBACKs released before this packet go first (flushAcks relies on it)
    if (!gone) socket.write(generate(packet, PROTOCOL));
  };

  function destroy(reason?: Error): void {
    if (gone) return;
    gone = true;
    failure ??= reason;
    clearTimeout(connectTimer);
    clearInterval(pingTimer);
    socket.destroy();
  }

  function release(slot: number): void {
    if (gone) {
      counters.lateAcks++;
      return;
    }
    const before = unsent.length;
    if (acks.ackInto(slot, unsent) === 0) return;
    // A worker acks a committed batch in one loop: one write for all its PUBACKs, not a syscall each.
    if (before === 0) process.nextTick(flushPubacks);
    while (backlog.length > 0 && acks.pending < settings.maxPending && !gone) deliver(backlog.shift() as PublishFields);
    if (paused && backlog.length === 0 && acks.pending < settings.maxPending) {
      paused = false;
      socket.resume();
    }
  }

  // Read off the socket at: one clock read per chunk, not per message.
  let chunkAt = 0;

  function deliver(p: PublishFields): void {
    counters.received++;
    if (p.dup) counters.redelivered++;
    if (p.qos === 0) {
      counters.qos0++;
      onMessage(new Delivery(p.topic, p.payload, chunkAt, p.dup, p.retain, 0, 0, undefined));
      return;
    }
    onMessage(new Delivery(p.topic, p.payload, chunkAt, p.dup, p.retain, 1, acks.add(p.packetId), release));
  }

  function onPublish(p: PublishFields): void {
    if (p.qos === 2) {
      // We subscribed at QoS 1, so the broker must downgrade; QoS 2 would need PUBREC/PUBREL we do not speak.
      destroy(new FleetMqttError(`the broker sent a QoS ${p.qos} message on a QoS 1 subscription (protocol error)`, false));
      return;
    }
    // At the limit, stop reading; what the current chunk still holds waits here, in order, until acks drain it.
    // Not before the SUBACK: a resumed session's redeliveries come first, and pausing then would hide the SUBACK
    // from a worker that starts acknowledging only once start() resolved (the broker's Receive Maximum bounds them).
    const full = subscribed && acks.pending >= settings.maxPending;
    if (backlog.length > 0 || full) backlog.push(p);
    else deliver(p);
    if (!paused && !gone && (backlog.length > 0 || full)) {
      paused = true;
      socket.pause();
    }
  }

  parser.on('packet', (packet: Packet) => {
    if (gone) return;
    switch (packet.cmd) {
      case 'connack': {
        const code = packet.reasonCode ?? packet.returnCode ?? 0;
        if (code !== 0) {
          // Refused credentials or authorisation will not heal by retrying quickly, but a busy broker will.
          const fatal = code === 0x84 || code === 0x85 || code === 0x86 || code === 0x87 || code === 0x8a;
          destroy(new FleetMqttError(`the broker refused the connection: ${reasonText(code, packet.properties?.reasonString)}`, fatal));
          return;
        }
        if (packet.properties?.maximumQoS === 0) {
          destroy(new FleetMqttError('the broker supports QoS 0 only: a worker needs QoS 1 so that unacknowledged messages are redelivered', true));
          return;
        }
        if (packet.properties?.sharedSubscriptionAvailable === false) {
          destroy(new FleetMqttError('the broker does not support shared subscriptions ($share/…); fleet workers need them', true));
          return;
        }
        sessionPresent = packet.sessionPresent;
        send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: settings.filter, qos: 1, nl: false, rap: false, rh: 0 }] });
        return;
      }
      case 'suback': {
        const granted = (packet.granted as number[])[0];
        if (granted !== 1) {
          const why = granted === 0
            ? 'granted QoS 0 only: without QoS 1 nothing is redelivered after a crash (check the broker\'s ACL and max_qos)'
            : granted === 2 ? 'granted QoS 2, not the QoS 1 asked for' : `refused it: ${reasonText(granted, packet.properties?.reasonString)}`;
          destroy(new FleetMqttError(`the broker ${why} for the subscription ${settings.filter}`, true));
          return;
        }
        subscribed = true;
        clearTimeout(connectTimer);
        startKeepalive();
        resolveReady({ sessionPresent });
        return;
      }
      case 'unsuback':
        unsubacks.shift()?.();
        return;
      case 'pingresp':
        awaitingPong = false;
        pongs.shift()?.();
        return;
      case 'disconnect': {
        const code = packet.reasonCode ?? 0;
        destroy(new FleetMqttError(`the broker closed the connection: ${reasonText(code, packet.properties?.reasonString)}`, false));
        return;
      }
      default:
        return; // puback/pubrec/…: we publish nothing
    }
  });
  parser.on('error', (err: Error) => destroy(new FleetMqttError(`malformed packet from the broker: ${err.message}`, false)));

  function startKeepalive(): void {
    if (settings.keepaliveSeconds <= 0) return;
    pingTimer = setInterval(() => {
      // While paused we do not read, so a missing PINGRESP proves nothing; a dead peer shows as a write error.
      if (awaitingPong && !paused) {
        destroy(new FleetMqttError(`no PINGRESP within ${settings.keepaliveSeconds} s: the broker is unreachable`, false));
        return;
      }
      awaitingPong = true;
      pongs.push(() => undefined);
      send({ cmd: 'pingreq' });
    }, settings.keepaliveSeconds * 1000);
    pingTimer.unref();
  }

  socket.on(settings.tls ? 'secureConnect' : 'connect', () => {
    send({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: settings.clientId, clean: false,
      keepalive: settings.keepaliveSeconds,
      username: settings.username, password: settings.password === undefined ? undefined : Buffer.from(settings.password),
      properties: { sessionExpiryInterval: settings.sessionExpirySeconds, receiveMaximum: settings.receiveMaximum },
    });
  });
  const reader = createPacketReader({
    publish: onPublish,
    other: (packet) => { parser.parse(packet); },
    error: (message) => destroy(new FleetMqttError(`malformed packet from the broker: ${message}`, false)),
    live: () => !gone,
  });
  socket.on('data', (chunk: Buffer) => {
    chunkAt = Date.now();
    reader.push(chunk);
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    failure ??= new FleetMqttError(`connection to ${settings.host}:${settings.port} failed: ${describeSocketError(err)}`, false);
  });
  socket.on('close', () => {
    gone = true;
    clearTimeout(connectTimer);
    clearInterval(pingTimer);
    const reason = closing ? undefined : failure ?? new FleetMqttError('the broker closed the connection', false);
    if (!subscribed) rejectReady(reason ?? new FleetMqttError('closed before subscribing', false));
    resolveClosed(reason);
  });

  async function end(expire: boolean): Promise<void> {
    if (gone) {
      await closed;
      return;
    }
    closing = true;
    flushPubacks();
    // Reason 0: the session (and every unacknowledged message) stays for the next connection with this id;
    // Session Expiry 0 instead ends it (retiring a worker).
    socket.end(generate(expire ? { cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } }
      : { cmd: 'disconnect', reasonCode: 0 }, PROTOCOL));
    gone = true;
    clearTimeout(connectTimer);
    clearInterval(pingTimer);
    socket.resume(); // read the broker's FIN even when paused; what still arrives is ignored and redelivered
    const timer = setTimeout(() => socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  return {
    ready,
    closed,
    get pending() { return acks.pending; },
    get paused() { return paused; },
    close: () => end(false),
    endSession: () => end(true),
    unsubscribe() {
      if (gone) return Promise.reject(new FleetMqttError('the connection is closed', false));
      return new Promise<void>((resolve, reject) => {
        unsubacks.push(resolve);
        void closed.then(() => reject(new FleetMqttError('the connection dropped before the broker answered', false)));
        send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: [settings.filter] });
      });
    },
    destroy(reason) {
      if (!reason) closing = true;
      destroy(reason);
    },
    sync() {
      if (gone) return Promise.reject(new FleetMqttError('the connection is closed', false));
      return new Promise<void>((resolve, reject) => {
        pongs.push(resolve);
        void closed.then(() => reject(new FleetMqttError('the connection dropped before the broker answered', false)));
        send({ cmd: 'pingreq' });
      });
    },
  };
}
