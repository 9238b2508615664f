/**
 * What `meterwire fleet status` and `fleet redecode` need from the fleet store: a few queries and one transaction,
 * as an interface, so the commands do not depend on the store's SQL. The PostgreSQL store implements it.
 */
import type { CommitResult, DeadLetter, DeadLetterReason, FleetBatch } from '../contracts.js';

/** A dead letter as stored, with the id that pages and deletes it (a bigint as decimal text). */
export interface StoredDeadLetter extends DeadLetter {
  id: string;
}

export interface MeterActivity {
  meterId: string;
  topicId: string;
  profile?: string;
  /** Receive time of the meter's newest row; undefined when it never sent one. */
  lastReceivedAt?: Date;
}

export interface FleetAdmin {
  /** Rows per minute by receive time, from `since` (inclusive), oldest first; minutes without rows may be missing. */
  framesPerMinute(since: Date): Promise<{ minute: Date; frames: number }[]>;
  /** Dead letters held now, by reason (reasons without any may be missing). */
  deadLetterCounts(): Promise<{ reason: DeadLetterReason; count: number }[]>;
  /**
   * Registered meters that sent no row since their cut-off: `cutoffByProfile[profile ?? '']` (epoch ms, the
   * fallback under the key ''), newest silence last, at most `limit`. One query with the cut-offs as a VALUES list.
   */
  silentMeters(cutoffByProfile: Record<string, number>, limit: number): Promise<MeterActivity[]>;
  /** Dead letters of the given reasons with an id above `afterId`, in ascending id order, at most `limit`. */
  deadLettersPage(query: { reasons: readonly DeadLetterReason[]; afterId?: string; limit: number }): Promise<StoredDeadLetter[]>;
  /**
   * In one transaction: stores the batch (rows, and dead letters that replace old ones under a new reason) like
   * FleetStore.commit, and deletes the dead letters `resolvedIds`. Either all of it commits or nothing. Redecoded
   * rows are deduplicated on (meter, meter time) like any row, but a frame counter below the meter's current one
   * is no replay here: the frame was received in order and waited for its key; the counter only ever moves up.
   */
  resolveDeadLetters(batch: FleetBatch, resolvedIds: readonly string[]): Promise<CommitResult>;
  close(): Promise<void>;
}
