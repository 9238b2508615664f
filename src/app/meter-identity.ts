/**
 * Which meter a message belongs to, decided once where messages leave the reader, so every output (SQL,
 * Prometheus, MQTT, the DSMR proxy) keys it the same way. Some meters leave their id out of most messages:
 * Norwegian Aidon and Kaifa meters send list 1 (power only, every 2–2.5 s) without one and list 2 (every 10 s)
 * with it. Without this, each output invented its own key for those ("meter", "unknown") and two such meters
 * became one.
 *
 *  - A message with a meter id is the identity of its source from now on (its system title maps to that id).
 *  - A message with only a system title gets the id last seen with that title, else keeps the title.
 *  - A message with neither inherits the last identity seen on this source (one reader = one meter).
 *  - Before any identity was seen, such messages are held (in order) until one arrives, at most `holdMs` or
 *    `maxHeld` messages; past that they, and all later ones until an identity arrives, get the source's
 *    fallback id `unidentified-<12 hex of SHA-256(source description)>`: stable across restarts, different
 *    for two sources, never shared by two meters that do send ids.
 */
import { createHash } from 'node:crypto';
import { meterInfo, type MeterMessage } from '../core/model/message.js';

export interface MeterIdentityOptions {
  /** Names the source (its description); only its hash is used, so credentials in it never show. */
  source: string;
  /** How long messages without any identity wait for one before the fallback id (default 15 s). */
  holdMs?: number;
  /** How many such messages wait at most (default 64). */
  maxHeld?: number;
  now?: () => number;
  /** Told once when the fallback id is first used. */
  notice?: (text: string) => void;
}

export interface MeterIdentity {
  /** The messages that may leave now, in order: this one with its identity, held ones released, or none. */
  admit(msg: MeterMessage): MeterMessage[];
  /** Held messages whose wait is over (call it from a timer: a meter may go silent while some are held). */
  due(): MeterMessage[];
  /** Everything still held, under the fallback id (the source ended or the reader stops). */
  flush(): MeterMessage[];
  readonly fallbackId: string;
}

interface Identity {
  id?: string;
  systemTitle?: string;
  manufacturer?: string;
}

export function fallbackMeterId(source: string): string {
  return `unidentified-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;
}

export function createMeterIdentity(o: MeterIdentityOptions): MeterIdentity {
  const now = o.now ?? Date.now;
  const holdMs = o.holdMs ?? 15_000;
  const maxHeld = Math.max(1, o.maxHeld ?? 64);
  const fallbackId = fallbackMeterId(o.source);
  const idByTitle = new Map<string, string>();
  let last: Identity | undefined;
  let fallbackInUse = false;
  let held: MeterMessage[] = [];
  let heldSince = 0;

  function withIdentity(msg: MeterMessage, who: Identity): MeterMessage {
    const m = msg.meter;
    return { ...msg, meter: meterInfo(who.id, who.systemTitle, m.manufacturer || who.manufacturer, m.profile) };
  }

  function release(who: Identity): MeterMessage[] {
    const out = held.map((m) => withIdentity(m, who));
    held = [];
    return out;
  }

  function useFallback(): MeterMessage[] {
    if (!fallbackInUse) {
      fallbackInUse = true;
      o.notice?.(`messages without a meter id or system title: published as meter ${fallbackId} until the meter sends its id`);
    }
    return release({ id: fallbackId });
  }

  return {
    fallbackId,
    admit(msg) {
      const id = msg.meter.id || undefined;
      const title = msg.meter.systemTitle || undefined;
      if (id !== undefined) {
        if (title !== undefined) idByTitle.set(title, id);
        last = { id, systemTitle: title, manufacturer: msg.meter.manufacturer };
        return [...release(last), msg];
      }
      if (title !== undefined) {
        const known = idByTitle.get(title);
        last = { id: known, systemTitle: title, manufacturer: msg.meter.manufacturer || last?.manufacturer };
        return [...release(last), known === undefined ? msg : withIdentity(msg, last)];
      }
      if (last) return [withIdentity(msg, last)];
      if (fallbackInUse) return [withIdentity(msg, { id: fallbackId })];
      if (held.length === 0) heldSince = now();
      held.push(msg);
      return held.length >= maxHeld || now() - heldSince >= holdMs ? useFallback() : [];
    },
    due() {
      return held.length > 0 && now() - heldSince >= holdMs ? useFallback() : [];
    },
    flush() {
      return held.length > 0 ? useFallback() : [];
    },
  };
}
