/**
 * Exponential reconnect delays with jitter, so many readers restarting together (a broker or ser2net reboot)
 * do not reconnect in lock step.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 500, maxMs: 30_000 };

export interface Backoff {
  /** Delay before the next attempt; each call doubles the base up to the maximum. */
  next(): number;
  /** Back to the initial delay, after a connection proved healthy. */
  reset(): void;
}

/** `random` is injectable for tests; delays fall in [base/2, base]. */
export function createBackoff(settings: BackoffSettings = DEFAULT_BACKOFF, random: () => number = Math.random): Backoff {
  const initial = Math.max(1, settings.initialMs);
  const max = Math.max(initial, settings.maxMs);
  let base = initial;
  return {
    next() {
      const delay = base / 2 + (base / 2) * random();
      base = Math.min(max, base * 2);
      return Math.round(delay);
    },
    reset() {
      base = initial;
    },
  };
}
