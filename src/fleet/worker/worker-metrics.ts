/**
 * What the worker reports to its metrics, as plain calls: the Prometheus implementation (src/fleet/metrics.ts)
 * loads prom-client only when metrics are asked for, and tests count calls without it.
 */
import type { CommitResult, DeadLetterReason } from '../contracts.js';

export interface WorkerMetrics {
  /** One payload decoded: its error codes (none when it became rows) and whether the broker redelivered it. */
  payload(errors: readonly string[], redelivered: boolean): void;
  deadLetter(reason: DeadLetterReason): void;
  /** A batch committed: its sizes, the store's result and how long the commit took (seconds). */
  committed(rows: number, deadLetters: number, result: CommitResult, seconds: number): void;
  commitFailed(): void;
}

export const NO_METRICS: WorkerMetrics = {
  payload() {},
  deadLetter() {},
  committed() {},
  commitFailed() {},
};
