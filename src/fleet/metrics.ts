/**
 * The fleet worker's Prometheus metrics, on a Registry of its own. prom-client is imported when metrics are asked
 * for (`--metrics`), so a worker without them does not load it. Cumulative values are counters (`_total`, for
 * rate()), current ones gauges read at scrape time.
 *
 * Frames by outcome count what became of each payload's frames once committed: `stored` (new rows), `duplicate`
 * (rows the store already held: redeliveries), `replay` (refused by the fleet-wide frame counters) and
 * `dead_letter`. Labels are bounded sets (outcomes, error codes, reasons): never a meter id or a topic.
 */
import type { Registry } from 'prom-client';
import type { CommitResult, DeadLetterReason } from './contracts.js';
import type { WorkerMetrics } from './worker/worker-metrics.js';

export interface FleetGauges {
  queueDepth(): number;
  inBatch(): number;
  cachedMeters(): number;
}

export interface FleetMetrics extends WorkerMetrics {
  readonly registry: Registry;
  /** Where the gauges read their values at scrape time (the running worker). */
  observe(gauges: FleetGauges): void;
}

const KEY_ERRORS: ReadonlySet<string> = new Set(['AUTH_FAILED', 'WRONG_KEY', 'MISSING_KEY']);

export async function createFleetMetrics(): Promise<FleetMetrics> {
  const { Counter, Gauge, Histogram, Registry } = await import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  let gauges: FleetGauges | undefined;

  const frames = new Counter({ name: 'meterwire_fleet_frames_total', help: 'Frames by what became of them once their batch committed.', labelNames: ['outcome'], registers });
  const errors = new Counter({ name: 'meterwire_fleet_errors_total', help: 'Frames that failed to decode or to fit their meter, by error code.', labelNames: ['code'], registers });
  const unknown = new Counter({ name: 'meterwire_fleet_unknown_meter_frames_total', help: 'Frames on a topic with no registered meter.', registers });
  const wrongKey = new Counter({ name: 'meterwire_fleet_wrong_key_frames_total', help: 'Frames whose meter key did not decrypt or authenticate them.', registers });
  const replays = new Counter({ name: 'meterwire_fleet_replays_total', help: 'Frames refused by the fleet-wide frame counters.', registers });
  const duplicates = new Counter({ name: 'meterwire_fleet_duplicates_total', help: 'Rows already stored (a redelivery), not inserted again.', registers });
  const redeliveries = new Counter({ name: 'meterwire_fleet_redeliveries_total', help: 'Messages the broker marked as redelivered (DUP).', registers });
  const deadLetters = new Counter({ name: 'meterwire_fleet_dead_letters_total', help: 'Payloads written to the dead-letter table, by reason.', labelNames: ['reason'], registers });
  const commitFailures = new Counter({ name: 'meterwire_fleet_commit_failures_total', help: 'Batch commits that failed and were retried.', registers });
  const commitSeconds = new Histogram({
    name: 'meterwire_fleet_batch_commit_seconds', help: 'Time to commit one batch.', registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const batchSize = new Histogram({
    name: 'meterwire_fleet_batch_size', help: 'Rows and dead letters per committed batch.', registers,
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
  });
  new Gauge({ name: 'meterwire_fleet_queue_depth', help: 'Received messages waiting to be decoded.', registers,
    collect() { this.set(gauges?.queueDepth() ?? 0); } });
  new Gauge({ name: 'meterwire_fleet_unacknowledged_messages', help: 'Decoded messages in the batch being gathered or committed.', registers,
    collect() { this.set(gauges?.inBatch() ?? 0); } });
  new Gauge({ name: 'meterwire_fleet_cached_meters', help: 'Meters whose keys the directory has cached (decrypted, in memory).', registers,
    collect() { this.set(gauges?.cachedMeters() ?? 0); } });

  return {
    registry,
    observe(g) { gauges = g; },
    payload(codes, redelivered) {
      if (redelivered) redeliveries.inc();
      for (const code of codes) {
        errors.inc({ code });
        if (code === 'UNKNOWN_METER' || code === 'TOPIC_MISMATCH') unknown.inc();
        else if (KEY_ERRORS.has(code)) wrongKey.inc();
      }
    },
    deadLetter(reason: DeadLetterReason) {
      deadLetters.inc({ reason });
    },
    committed(rows: number, dead: number, result: CommitResult, seconds: number) {
      commitSeconds.observe(seconds);
      batchSize.observe(rows + dead);
      if (result.inserted) frames.inc({ outcome: 'stored' }, result.inserted);
      if (result.duplicates) { frames.inc({ outcome: 'duplicate' }, result.duplicates); duplicates.inc(result.duplicates); }
      if (result.replays) { frames.inc({ outcome: 'replay' }, result.replays); replays.inc(result.replays); deadLetters.inc({ reason: 'replay' }, result.replays); }
      if (dead) frames.inc({ outcome: 'dead_letter' }, dead);
    },
    commitFailed() {
      commitFailures.inc();
    },
  };
}
