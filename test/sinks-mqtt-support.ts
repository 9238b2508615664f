// Helpers for the MQTT output tests: a sink context, a recording subscriber, messages, retained-topic cleanup.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { MeterMessage, Reading } from '../src/core/model/message.js';
import type { SinkContext, SinkHealth } from '../src/sinks/types.js';
import { memoryLog, waitFor, type MemoryLog } from './fanout-support.js';

export const unique = (): string => `mwtest${randomBytes(5).toString('hex')}`;

export function sinkContext(stateDir: string, health: Partial<SinkHealth> = {}): SinkContext & { log: MemoryLog; state: SinkHealth } {
  const state: SinkHealth = { state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0, ...health };
  return { log: memoryLog(), health: () => state, outputs: () => [], stateDir, state };
}

const r = (obis: string, id: string, name: string, value: number | string, unit?: string): Reading =>
  ({ obis, id, name, value, ...(unit ? { unit } : {}), quality: [] });

export function kaifaMessage(meterId: string, energy: number, timestamp = '2021-09-27T18:56:00.000Z'): MeterMessage {
  return {
    meter: { id: meterId, systemTitle: '4b464d1020029802', manufacturer: 'KFM', profile: 'at-evn-kaifa-ma309' },
    timestamp,
    format: 'mbus',
    readings: [
      r('1-0:1.8.0', 'energy_import', 'Active energy import (+A)', energy, 'Wh'),
      r('1-0:2.8.0', 'energy_export', 'Active energy export (-A)', 12, 'Wh'),
      r('1-0:1.7.0', 'power_import', 'Active power import (+P)', 512, 'W'),
      r('1-0:2.7.0', 'power_export', 'Active power export (-P)', 0, 'W'),
      r('1-0:32.7.0', 'voltage_l1', 'Voltage L1', 231.4, 'V'),
      r('1-0:31.7.0', 'current_l1', 'Current L1', 1.23, 'A'),
      r('1-0:13.7.0', 'power_factor', 'Power factor', 0.98),
      r('0-0:96.1.0', 'meter_number', 'Meter number (operator)', meterId),
      r('0-1:24.2.1', 'gas_volume', 'Gas volume', 1234.567, 'm3'),
      r('1-0:3.8.0', 'reactive_energy_import', 'Reactive energy import (+R)', 99, 'varh'),
    ],
    issues: [],
  };
}

export interface Recorder {
  client: MqttClient;
  messages: { topic: string; payload: string; retain: boolean }[];
  last(topic: string): string | undefined;
  on(topic: string): string[];
  wait(what: string, cond: () => boolean): Promise<void>;
  /** Clears every retained topic seen (publishes empty retained payloads), then disconnects. */
  cleanupAndEnd(): Promise<void>;
}

export async function record(brokerUrl: string, filters: string[], options: mqtt.IClientOptions = {}): Promise<Recorder> {
  const client = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0, ...options });
  const messages: Recorder['messages'] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(filters, { qos: 1 });
  const on = (topic: string): string[] => messages.filter((m) => m.topic === topic).map((m) => m.payload);
  return {
    client,
    messages,
    on,
    last: (topic) => on(topic).at(-1),
    wait: (what, cond) => waitFor(what, cond, 15_000),
    async cleanupAndEnd() {
      // A sink's last publishes (a throttled reading flushed on close) may still be on their way: subscribing
      // again makes the broker send every retained topic under the filters now, so none is missed.
      if (client.connected) {
        await client.unsubscribeAsync(filters);
        await client.subscribeAsync(filters, { qos: 1 });
        await new Promise((r) => setTimeout(r, 300));
      }
      const retained = new Set(messages.filter((m) => m.payload !== '').map((m) => m.topic));
      if (client.connected) for (const t of retained) await client.publishAsync(t, '', { qos: 1, retain: true });
      await client.endAsync();
    },
  };
}
