/**
 * Frame errors, logged at most once per meter per error code per window (a wrong key is one line a minute, not one
 * per frame: issue 10). The line says how many were held back since the last one. Bounded: a flood of made-up
 * topic ids cannot grow the table beyond `maxKeys` (the oldest half is forgotten, so a few repeat lines early).
 * Nothing here logs a payload or a key: the detail is the core's error message, which names keys by role only.
 */
export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface FrameErrorLog {
  report(meter: string, code: string, message: string, nowMs: number): void;
}

export function createFrameErrorLog(log: WorkerLog, windowMs = 60_000, maxKeys = 50_000): FrameErrorLog {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return {
    report(meter, code, message, nowMs) {
      const key = `${code}\u0000${meter}`;
      const s = seen.get(key);
      if (s && nowMs - s.at < windowMs) {
        s.suppressed++;
        return;
      }
      if (!s && seen.size >= maxKeys) {
        let drop = seen.size >> 1;
        for (const k of seen.keys()) {
          if (drop-- <= 0) break;
          seen.delete(k);
        }
      }
      const suppressed = s?.suppressed ?? 0;
      seen.delete(key); // re-insert: Map order then is the order of last reports, oldest first
      seen.set(key, { at: nowMs, suppressed: 0 });
      log.warn({ meter, code, ...(suppressed ? { suppressed } : {}) },
        `${meter}: ${code}: ${message}${suppressed ? ` (${suppressed} more since the last report)` : ''}`);
    },
  };
}
