/**
 * `meterwire fleet redecode`: after a key import, decodes the dead letters of reason unknown-meter and wrong-key
 * again with the registry's current meters. A page at a time, in one transaction each: the rows that now decode
 * are stored and their dead letters deleted together, so a crash in between neither loses nor doubles one. A
 * frame that fails for another reason now (e.g. undecodable) replaces its dead letter under that reason; one that
 * fails as before stays as it is.
 */
import type { DeadLetter, DeadLetterReason, FleetRow, MeterDirectory } from '../contracts.js';
import { classifyPayload } from './classify.js';
import type { FleetAdmin } from './fleet-admin.js';
import type { FrameDecoder } from './frame-decoder.js';

export const REDECODE_REASONS: readonly DeadLetterReason[] = ['unknown-meter', 'wrong-key'];

export interface RedecodeOptions {
  admin: FleetAdmin;
  directory: MeterDirectory;
  decoder: FrameDecoder;
  reasons?: readonly DeadLetterReason[];
  pageSize?: number;
  /** Progress after each page. */
  onPage?: (r: RedecodeResult) => void;
}

export interface RedecodeResult {
  examined: number;
  /** Dead letters that now decoded and were deleted. */
  resolved: number;
  rows: number;
  duplicates: number;
  /** Dead letters that now fail for another reason (replaced). */
  reclassified: number;
  /** Dead letters that still fail for the same reason (kept). */
  unchanged: number;
}

export async function redecodeDeadLetters(o: RedecodeOptions): Promise<RedecodeResult> {
  const reasons = o.reasons ?? REDECODE_REASONS;
  const limit = o.pageSize ?? 500;
  const r: RedecodeResult = { examined: 0, resolved: 0, rows: 0, duplicates: 0, reclassified: 0, unchanged: 0 };
  let afterId: string | undefined;
  for (;;) {
    const page = await o.admin.deadLettersPage({ reasons, ...(afterId === undefined ? {} : { afterId }), limit });
    if (page.length === 0) break;
    afterId = page[page.length - 1].id;
    const rows: FleetRow[] = [];
    const deadLetters: DeadLetter[] = [];
    const ids: string[] = [];
    for (const dl of page) {
      r.examined++;
      const meter = dl.topicId === '' ? undefined : await o.directory.lookup(dl.topicId);
      const ctx = { topic: dl.topic, topicId: dl.topicId === '' ? undefined : dl.topicId, meter, payload: dl.payload, receivedAt: dl.receivedAt };
      const outcome = classifyPayload(ctx, meter ? o.decoder.decode(dl.payload, meter) : []);
      if (outcome.deadLetter && outcome.deadLetter.reason === dl.reason && outcome.rows.length === 0) {
        r.unchanged++;
        continue;
      }
      ids.push(dl.id);
      for (const row of outcome.rows) rows.push(row);
      if (outcome.deadLetter) {
        deadLetters.push(outcome.deadLetter);
        r.reclassified++;
      } else r.resolved++;
    }
    if (ids.length > 0) {
      const result = await o.admin.resolveDeadLetters({ rows, deadLetters }, ids);
      r.rows += result.inserted;
      r.duplicates += result.duplicates;
    }
    o.onPage?.({ ...r });
    if (page.length < limit) break;
  }
  return r;
}
