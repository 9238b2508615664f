/** How the dashboard names a meter (its id, else its system title) and dates a message. */
import type { MeterInfo, MeterMessage } from '../core/model/message.js';

export function meterKey(m: MeterInfo | undefined): string {
  return m?.id ?? m?.systemTitle ?? 'unknown';
}

/** The meter's own time stamp when it sent a readable one, else when the message arrived (as the SQL store does). */
export function messageTimeMs(m: MeterMessage, receivedAtMs: number): number {
  const t = m.timestamp === undefined ? Number.NaN : Date.parse(m.timestamp);
  return Number.isFinite(t) ? t : receivedAtMs;
}
