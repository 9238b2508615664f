/** Lets one event per key through per window (e.g. one wrong-key error a minute) and counts the rest. */
export interface RateLimiter {
  /** True when this occurrence should be reported; `suppressed` tells how many were held back since. */
  allow(key: string, nowMs: number): { report: boolean; suppressed: number };
}

export function createRateLimiter(windowMs: number): RateLimiter {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return {
    allow(key, nowMs) {
      const s = seen.get(key);
      if (!s || nowMs - s.at >= windowMs) {
        const suppressed = s?.suppressed ?? 0;
        seen.set(key, { at: nowMs, suppressed: 0 });
        return { report: true, suppressed };
      }
      s.suppressed++;
      return { report: false, suppressed: s.suppressed };
    },
  };
}
