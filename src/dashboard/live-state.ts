/**
 * What the dashboard knows now, fed by the web output's write(): the meters seen (profile, manufacturer, last
 * message time) and each meter's latest message, serialised once when it arrives and reused by /api/latest and
 * by every live client.
 */
import type { MeterMessage } from '../core/model/message.js';
import { meterKey, messageTimeMs } from './meter-key.js';
import { sseEvent, type LiveHub } from './live-hub.js';

export interface MeterSummary {
  meter: string;
  id?: string;
  systemTitle?: string;
  profile?: string;
  manufacturer?: string;
  /** The latest message's time (the meter's clock, else arrival), ISO 8601 UTC. */
  lastMessageAt: string;
  /** When the latest message arrived here, ISO 8601 UTC. */
  receivedAt: string;
  messages: number;
}

interface Latest {
  summary: MeterSummary;
  json: string;
  event: Uint8Array;
}

export interface LiveState {
  record(messages: readonly MeterMessage[], receivedAtMs: number): void;
  meters(): MeterSummary[];
  /** The latest message of a meter as JSON text (serialised once), or undefined. */
  latestJson(meter: string): string | undefined;
  /** The latest message as an SSE event, for a client that just connected. */
  latestEvent(meter: string): Uint8Array | undefined;
  /** Every meter's latest message as SSE events, for a client of all meters. */
  latestEvents(): Uint8Array[];
}

export function createLiveState(hub: LiveHub, maxMeters = 64): LiveState {
  const latest = new Map<string, Latest>();
  return {
    record(messages, receivedAtMs) {
      for (const msg of messages) {
        const meter = meterKey(msg.meter);
        const previous = latest.get(meter);
        if (!previous && latest.size >= maxMeters) continue;
        const summary: MeterSummary = {
          meter, ...msg.meter,
          lastMessageAt: new Date(messageTimeMs(msg, receivedAtMs)).toISOString(),
          receivedAt: new Date(receivedAtMs).toISOString(),
          messages: (previous?.summary.messages ?? 0) + 1,
        };
        // Only the message fields the page shows: nothing a future field might carry leaks by default.
        const { meter: info, timestamp, format, security, readings, issues } = msg;
        const json = JSON.stringify({ meter, receivedAt: summary.receivedAt, message: { meter: info, timestamp, format, security, readings, issues } });
        const event = sseEvent(json, 'message');
        latest.set(meter, { summary, json, event });
        hub.broadcast(meter, event);
      }
    },
    meters: () => [...latest.values()].map((l) => l.summary).sort((a, b) => a.meter.localeCompare(b.meter)),
    latestJson: (meter) => latest.get(meter)?.json,
    latestEvent: (meter) => latest.get(meter)?.event,
    latestEvents: () => [...latest.values()].map((l) => l.event),
  };
}
