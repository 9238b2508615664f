/**
 * `meterwire fleet status`: frames per minute over the last minutes, dead letters by reason, and the meters silent
 * for more than N push intervals (each meter's interval from its profile; meters without one use the default).
 */
import { listProfiles } from '../../core/profiles/builtin.js';
import type { DeadLetterReason } from '../contracts.js';
import type { FleetAdmin, MeterActivity } from './fleet-admin.js';

export interface FleetStatus {
  framesPerMinute: { minute: string; frames: number }[];
  deadLetters: Partial<Record<DeadLetterReason, number>>;
  silentAfterIntervals: number;
  silentMeters: { meterId: string; topicId: string; profile?: string; lastReceivedAt?: string }[];
}

export interface StatusOptions {
  now: number;
  /** Minutes of frames per minute (default 5). */
  minutes?: number;
  /** Silent = no row for more than this many push intervals (default 3). */
  silentAfter?: number;
  /** Push interval of meters whose profile has none (automatic choice): default 10 s. */
  defaultIntervalMs?: number;
  /** Silent meters listed at most (default 100). */
  limit?: number;
}

const MINUTE = 60_000;

export async function fleetStatus(admin: FleetAdmin, o: StatusOptions): Promise<FleetStatus> {
  const minutes = o.minutes ?? 5;
  const silentAfter = o.silentAfter ?? 3;
  const thisMinute = Math.floor(o.now / MINUTE) * MINUTE;
  const first = thisMinute - (minutes - 1) * MINUTE;
  const counted = new Map<number, number>();
  for (const r of await admin.framesPerMinute(new Date(first))) counted.set(Math.floor(r.minute.getTime() / MINUTE) * MINUTE, r.frames);
  const framesPerMinute = Array.from({ length: minutes }, (_, i) => {
    const t = first + i * MINUTE;
    return { minute: new Date(t).toISOString(), frames: counted.get(t) ?? 0 };
  });
  const deadLetters: FleetStatus['deadLetters'] = {};
  for (const r of await admin.deadLetterCounts()) deadLetters[r.reason] = (deadLetters[r.reason] ?? 0) + r.count;
  const cutoffs: Record<string, number> = { '': o.now - silentAfter * (o.defaultIntervalMs ?? 10_000) };
  for (const p of listProfiles()) cutoffs[p.id] = o.now - silentAfter * p.intervalMs;
  const silent: MeterActivity[] = await admin.silentMeters(cutoffs, o.limit ?? 100);
  return {
    framesPerMinute, deadLetters, silentAfterIntervals: silentAfter,
    silentMeters: silent.map((m) => ({
      meterId: m.meterId, topicId: m.topicId, ...(m.profile ? { profile: m.profile } : {}),
      ...(m.lastReceivedAt ? { lastReceivedAt: m.lastReceivedAt.toISOString() } : {}),
    })),
  };
}

export function formatFleetStatus(s: FleetStatus): string {
  const lines = ['frames per minute (by receive time, UTC):'];
  for (const m of s.framesPerMinute) lines.push(`  ${m.minute.slice(11, 16)}  ${m.frames}`);
  const reasons = Object.entries(s.deadLetters).filter(([, n]) => n > 0);
  lines.push(reasons.length ? 'dead letters:' : 'dead letters: none');
  for (const [reason, n] of reasons) lines.push(`  ${reason.padEnd(14)} ${n}`);
  lines.push(s.silentMeters.length
    ? `meters silent for more than ${s.silentAfterIntervals} push intervals (${s.silentMeters.length}${s.silentMeters.length >= 100 ? '+' : ''}):`
    : `no meter silent for more than ${s.silentAfterIntervals} push intervals`);
  for (const m of s.silentMeters) lines.push(`  ${m.meterId} (${m.topicId}${m.profile ? `, ${m.profile}` : ''}): last ${m.lastReceivedAt ?? 'never'}`);
  return `${lines.join('\n')}\n`;
}
