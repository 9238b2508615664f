/**
 * MQTT output with Home Assistant discovery (URL options in options.ts, topic layout in payloads.ts, discovery
 * configs in discovery.ts). Durable: everything is published with QoS 1 and write() resolves only when the
 * broker acknowledged it, so the fan-out can spool and retry while the broker is away.
 *
 * Availability: <prefix>/<meter>/availability is "online" while the reader is healthy, "offline" when it is
 * stale or disconnected, and the connection's last will says "offline" when this process dies. MQTT allows one
 * will per connection, so it covers the first meter seen; its topic is remembered in the state directory so the
 * next start connects with it straight away.
 */
import { createHash } from 'node:crypto';
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
  const willFile = join(ctx.stateDir, `mqtt-will-${createHash('sha256').update(o.name).digest('hex').slice(0, 12)}.txt`);
  let willTopic = readWill(willFile);
  let healthTimer: NodeJS.Timeout | undefined;
  const conn = createBrokerConnection(o.name, willTopic ? withWill(willTopic) : o.client, ctx.log, {
    connected() {
      gate.reset();
      for (const m of meters.values()) {
        m.announced.clear();
        m.availability = undefined;
      }
      syncAvailability();
    },
  });

  function withWill(topic: string): typeof o.client {
    return { ...o.client, will: { topic, payload: Buffer.from('offline'), qos: 1, retain: true } };
  }

  const desiredAvailability = (): 'online' | 'offline' =>
    ['ok', 'starting'].includes(ctx.health().state) ? 'online' : 'offline';

  /** Publishes availability where it differs from the reader's health; fire and forget, retried next poll. */
  function syncAvailability(): void {
    const c = conn.client();
    if (!c) return;
    const want = desiredAvailability();
    for (const m of meters.values()) {
      if (m.availability === want) continue;
      m.availability = want;
      c.publishAsync(m.topics.availability, want, { qos: 1, retain: true }).catch(() => { m.availability = undefined; });
    }
  }

  async function meterFor(msg: MeterMessage): Promise<[string, MeterState]> {
    const key = meterKey(msg);
    let m = meters.get(key);
    if (!m) {
      m = { topics: meterTopics(o.prefix, key), announced: new Set() };
      meters.set(key, m);
      if (willTopic === undefined) {
        willTopic = m.topics.availability;
        saveWill(willFile, willTopic, ctx);
        await conn.setWill(willTopic, 'offline');
      }
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
      if (!o.discovery || m.announced.has(r.id)) continue;
      m.announced.add(r.id);
      const d = discoveryConfig(o.discovery, o.prefix, key, msg, r);
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
          const [key, m] = await meterFor(msg);
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
        await Promise.all([...meters.values()].map((m) => c.publishAsync(m.topics.availability, 'offline', { qos: 1, retain: true })));
      });
    },
  };
}

function readWill(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function saveWill(path: string, topic: string, ctx: SinkContext): void {
  try {
    mkdirSync(ctx.stateDir, { recursive: true });
    writeFileSync(path, `${topic}\n`);
  } catch (e) {
    ctx.log.warn(`cannot remember the MQTT last-will topic in ${ctx.stateDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
