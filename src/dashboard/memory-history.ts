/**
 * The in-memory HistoryStore: per meter and reading, 1-minute buckets of the last `retentionMs` (default 24 h)
 * and the latest `maxRaw` raw samples (default 2,000). Memory is bounded by meters × readings × (1,440 + 2,000)
 * points, whatever the push rate; older data is simply gone (the SQL store keeps it).
 */
import { toBaseUnit } from '../core/model/base-units.js';
import type { MeterMessage } from '../core/model/message.js';
import { isCounterUnit, type HistoryStore, type Series, type SeriesPoint, type SeriesQuery } from './history.js';
import { bucketStart, nextBucket } from './local-time.js';
import { meterKey, messageTimeMs } from './meter-key.js';

const MINUTE = 60_000;

interface Bucket { t: number; sum: number; count: number; min: number; max: number; first: number; last: number }
interface Sample { t: number; v: number }

interface Track {
  unit: string;
  counter: boolean;
  minutes: Bucket[];
  raw: Sample[];
}

export interface MemoryHistoryOptions {
  retentionMs?: number;
  maxRaw?: number;
  timeZone?: string;
  /** The tracks kept at most (meters × readings), so a misbehaving source cannot grow memory without end. */
  maxTracks?: number;
}

export interface MemoryHistory extends HistoryStore {
  record(messages: readonly MeterMessage[], receivedAtMs: number): void;
}

/** Index of the first element with t ≥ x in a list sorted by t. */
function lowerBound<T extends { t: number }>(list: readonly T[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].t < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function addToMinute(track: Track, t: number, v: number): void {
  const start = t - (((t % MINUTE) + MINUTE) % MINUTE);
  const list = track.minutes;
  const last = list[list.length - 1];
  let b: Bucket | undefined;
  if (last && last.t === start) b = last;
  else if (!last || last.t < start) { b = { t: start, sum: 0, count: 0, min: v, max: v, first: v, last: v }; list.push(b); }
  else {
    const i = lowerBound(list, start);
    if (list[i]?.t === start) b = list[i];
    else { b = { t: start, sum: 0, count: 0, min: v, max: v, first: v, last: v }; list.splice(i, 0, b); }
  }
  b.sum += v;
  b.count++;
  b.min = Math.min(b.min, v);
  b.max = Math.max(b.max, v);
  b.last = v;
}

function addRaw(track: Track, t: number, v: number, maxRaw: number): void {
  const raw = track.raw;
  if (raw.length === 0 || raw[raw.length - 1].t < t) raw.push({ t, v });
  else if (raw[raw.length - 1].t === t) raw[raw.length - 1].v = v;
  else return; // an older sample than the latest raw one: kept in the minute buckets only
  // Trim in chunks so that a steady stream costs an amortised O(1) per sample.
  if (raw.length > maxRaw * 1.25) raw.splice(0, raw.length - maxRaw);
}

/** Minute buckets → buckets of a coarser resolution; counters get their increase per bucket. */
function aggregate(track: Track, q: SeriesQuery, timeZone: string): SeriesPoint[] {
  const list = track.minutes;
  const out: SeriesPoint[] = [];
  let i = lowerBound(list, bucketStart(q.fromMs, q.resolution, timeZone));
  // The counter's value before the first bucket: the last minute before it, if kept.
  let previous: number | undefined = i > 0 ? list[i - 1].last : undefined;
  while (i < list.length && list[i].t < q.toMs) {
    const start = bucketStart(list[i].t, q.resolution, timeZone);
    const end = nextBucket(start, q.resolution, timeZone);
    let sum = 0; let count = 0; let min = Infinity; let max = -Infinity; let first = list[i].first; let last = first;
    for (; i < list.length && list[i].t < end; i++) {
      const b = list[i];
      sum += b.sum; count += b.count; min = Math.min(min, b.min); max = Math.max(max, b.max); last = b.last;
    }
    if (track.counter) {
      const p: SeriesPoint = { t: start, value: last, min, max, delta: round(last - (previous ?? first)) };
      previous = last;
      first = last;
      out.push(p);
    } else {
      out.push({ t: start, value: round(sum / count), min, max });
    }
  }
  return out;
}

function round(x: number): number {
  return Number(x.toPrecision(12));
}

export function createMemoryHistory(o: MemoryHistoryOptions = {}): MemoryHistory {
  const retentionMs = o.retentionMs ?? 24 * 60 * MINUTE;
  const maxRaw = o.maxRaw ?? 2000;
  const maxTracks = o.maxTracks ?? 2000;
  const timeZone = o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const meters = new Map<string, Map<string, Track>>();
  const intervals = new Map<string, { lastMs: number; intervalMs?: number }>();
  let tracks = 0;

  function trackFor(meter: string, id: string, unit: string, counter: boolean): Track | undefined {
    let byId = meters.get(meter);
    if (!byId) { byId = new Map(); meters.set(meter, byId); }
    let track = byId.get(id);
    if (!track) {
      if (tracks >= maxTracks) return undefined;
      track = { unit, counter, minutes: [], raw: [] };
      byId.set(id, track);
      tracks++;
    }
    return track;
  }

  function noteInterval(meter: string, t: number): void {
    const seen = intervals.get(meter);
    if (!seen) { intervals.set(meter, { lastMs: t }); return; }
    const gap = t - seen.lastMs;
    // A smoothed push interval; gaps (an outage) and repeats are not intervals.
    if (gap > 0 && gap < 10 * MINUTE) seen.intervalMs = seen.intervalMs === undefined ? gap : Math.round(seen.intervalMs * 0.8 + gap * 0.2);
    if (gap > 0) seen.lastMs = t;
  }

  function evict(now: number): void {
    const horizon = now - retentionMs;
    for (const byId of meters.values()) {
      for (const track of byId.values()) {
        const drop = lowerBound(track.minutes, horizon);
        if (drop > 0) track.minutes.splice(0, drop);
        const dropRaw = lowerBound(track.raw, horizon);
        if (dropRaw > 0) track.raw.splice(0, dropRaw);
      }
    }
  }

  let lastEvict = -Infinity;
  return {
    record(messages, receivedAtMs) {
      for (const msg of messages) {
        const meter = meterKey(msg.meter);
        const t = messageTimeMs(msg, receivedAtMs);
        if (t < receivedAtMs - retentionMs) continue;
        noteInterval(meter, t);
        for (const r of msg.readings) {
          if (typeof r.value !== 'number' || !Number.isFinite(r.value) || r.quality.includes('implausible')) continue;
          const base = toBaseUnit(r.value, r.unit);
          const track = trackFor(meter, r.id, base.unit, isCounterUnit(base.unit));
          if (!track) continue;
          addToMinute(track, t, base.value);
          addRaw(track, t, base.value, maxRaw);
        }
      }
      if (receivedAtMs - lastEvict >= MINUTE) { evict(receivedAtMs); lastEvict = receivedAtMs; }
    },
    async series(q): Promise<Series> {
      const track = meters.get(q.meter)?.get(q.reading);
      const base = { meter: q.meter, reading: q.reading, unit: track?.unit ?? '', resolution: q.resolution };
      if (!track) return { ...base, points: [] };
      if (q.resolution === 'raw') {
        const from = lowerBound(track.raw, q.fromMs);
        const to = lowerBound(track.raw, q.toMs);
        return { ...base, points: track.raw.slice(from, to).map((s) => ({ t: s.t, value: s.v, min: s.v, max: s.v })) };
      }
      return { ...base, points: aggregate(track, q, timeZone) };
    },
    async readings(meter) {
      return [...(meters.get(meter)?.entries() ?? [])].map(([id, t]) => ({ id, unit: t.unit }));
    },
    async rawIntervalMs(meter) {
      return intervals.get(meter)?.intervalMs;
    },
    async timeZone() {
      return timeZone;
    },
  };
}
