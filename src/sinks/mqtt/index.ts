/**
 * MQTT output with Home Assistant discovery (URL options in options.ts, topic layout in payloads.ts, discovery
 * configs in discovery.ts). Durable: everything is published with QoS 1 and write() resolves only when the
 * broker acknowledged it, so the fan-out can spool and retry while the broker is away.
 *
 * Availability: <prefix>/<meter>/availability is "online" while the reader is healthy, "offline" when it is
 * stale or disconnected or closed. MQTT allows one last will per connection, so the will is the connection's
 * own topic <prefix>/_reader-<id>/availability ("online" once connected, "offline" from the broker when this
 * process dies), and every discovery config lists both topics with availability_mode "all": a killed reader
 * makes every meter it published unavailable. <id> is random, kept in the state directory, so restarts reuse
 * the topic and two readers on one broker do not share it. The level starts with "_" and a lower-case letter,
 * which no escaped meter key does (payloads.ts), so it cannot be a meter's topic.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { MeterMessage } from '../../core/model/message.js';
import type { Sink, SinkContext } from '../types.js';
import { createBrokerConnection } from './connection.js';
import { discoveryConfig } from './discovery.js';
import { parseMqttSinkUrl } from './options.js';
import { compactValues, meterKey, meterTopics, readingPayload, type MeterTopics } from './payloads.js';
import { createPublishGate } from './publish-gate.js';

export { parseMqttSinkUrl } from './options.js';

interface MeterState {
  topics: MeterTopics;
  /** Reading ids whose discovery config went out on this connection. */
  announced: Set<string>;
  availability?: 'online' | 'offline';
}

const HEALTH_POLL_MS = 1000;

export function createMqttSink(url: string, ctx: SinkContext): Sink {
  const o = parseMqttSinkUrl(url);
  const gate = createPublishGate(o.mode, o.intervalMs);
  const meters = new Map<string, MeterState>();
  const connectionTopic = `${o.prefix}/_reader-${readerId(ctx, o.name)}/availability`;
  const discoveryContext = o.discovery ? { discovery: o.discovery, prefix: o.prefix, connectionAvailability: connectionTopic } : undefined;
  let connectionOnline = false;
  let healthTimer: NodeJS.Timeout | undefined;
  const will = { topic: connectionTopic, payload: Buffer.from('offline'), qos: 1 as const, retain: true };
  const conn = createBrokerConnection(o.name, { ...o.client, will }, ctx.log, {
    connected() {
      gate.reset();
      connectionOnline = false;
      for (const m of meters.values()) {
        m.announced.clear();
        m.availability = undefined;
      }
      syncAvailability();
    },
  });

  const desiredAvailability = (): 'online' | 'offline' =>
    ['ok', 'starting'].includes(ctx.health().state) ? 'online' : 'offline';

  /** Publishes availability where it differs from the reader's health; fire and forget, retried next poll. */
  function syncAvailability(): void {
    const c = conn.client();
    if (!c) return;
    if (!connectionOnline) {
      connectionOnline = true;
      c.publishAsync(connectionTopic, 'online', { qos: 1, retain: true }).catch(() => { connectionOnline = false; });
    }
    const want = desiredAvailability();
    for (const m of meters.values()) {
      if (m.availability === want) continue;
      m.availability = want;
      c.publishAsync(m.topics.availability, want, { qos: 1, retain: true }).catch(() => { m.availability = undefined; });
    }
  }

  function meterFor(msg: MeterMessage): [string, MeterState] {
    const key = meterKey(msg);
    let m = meters.get(key);
    if (!m) {
      m = { topics: meterTopics(o.prefix, key), announced: new Set() };
      meters.set(key, m);
    }
    return [key, m];
  }

  function publishMessage(c: MqttClient, key: string, m: MeterState, msg: MeterMessage): Promise<unknown>[] {
    const out: Promise<unknown>[] = [];
    const pub = (topic: string, payload: string, retain: boolean): void => {
      out.push(c.publishAsync(topic, payload, { qos: 1, retain }));
    };
    if (m.availability !== desiredAvailability()) {
      m.availability = desiredAvailability();
      pub(m.topics.availability, m.availability, true);
    }
    for (const r of msg.readings) {
      if (!discoveryContext || m.announced.has(r.id)) continue;
      m.announced.add(r.id);
      const d = discoveryConfig(discoveryContext, key, msg, r);
      pub(d.topic, JSON.stringify(d.payload), true);
    }
    const decision = gate.select(key, msg, Date.now());
    for (const r of decision.readings) pub(m.topics.reading(r.id), readingPayload(r), true);
    if (decision.publish) {
      pub(m.topics.state, JSON.stringify(msg), o.retain);
      if (o.values) pub(o.values === 'default' ? `${m.topics.base}/values` : o.values, JSON.stringify(compactValues(msg, Date.now())), o.retain);
    }
    return out;
  }

  return {
    name: o.name,
    durable: true,
    async open() {
      await conn.open();
      healthTimer ??= setInterval(syncAvailability, HEALTH_POLL_MS);
      healthTimer.unref();
    },
    async write(messages) {
      const pending: Promise<unknown>[] = [];
      try {
        for (const msg of messages) {
          const [key, m] = meterFor(msg);
          const c = conn.client();
          if (!c) throw new Error('not connected to the broker');
          pending.push(...publishMessage(c, key, m, msg));
        }
        await Promise.all(pending);
      } catch (e) {
        // The batch will be retried as a whole: forget what the gate and discovery think went out.
        gate.reset();
        for (const m of meters.values()) m.announced.clear();
        await Promise.allSettled(pending);
        throw e;
      }
    },
    async close() {
      if (healthTimer) clearInterval(healthTimer);
      healthTimer = undefined;
      await conn.close(async (c) => {
        const offline = [...[...meters.values()].map((m) => m.topics.availability), connectionTopic];
        await Promise.all(offline.map((t) => c.publishAsync(t, 'offline', { qos: 1, retain: true })));
      });
    },
  };
}

/** The reader's id for its connection topic: random once, then kept in the state directory per output. */
function readerId(ctx: SinkContext, name: string): string {
  const path = join(ctx.stateDir, `mqtt-reader-${createHash('sha256').update(name).digest('hex').slice(0, 12)}.txt`);
  try {
    const kept = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{16}$/.test(kept)) return kept;
  } catch {
    // first start: make one
  }
  const id = randomBytes(8).toString('hex');
  try {
    mkdirSync(ctx.stateDir, { recursive: true });
    writeFileSync(path, `${id}\n`);
  } catch (e) {
    ctx.log.warn(`cannot keep the MQTT reader id in ${ctx.stateDir} (${e instanceof Error ? e.message : String(e)}): ` +
      'this run uses a new availability topic, Home Assistant picks it up from the discovery configs');
  }
  return id;
}
