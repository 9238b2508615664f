/**
 * Leak test, not a timing test: 1,000,000 simulated EVN frames (M-Bus, AES-GCM, frame counters tracked and
 * persisted) through the reader from a looping capture file as fast as it goes — 10,000 delivered, then every loop
 * a replay flood the reader refuses; memory after forced GCs must not grow between 20% and 100% of the run. METERWIRE_SOAK_FRAMES overrides the count (e.g. 200000 on slow machines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soak } from './support/soak.js';

const TOTAL = Number(process.env.METERWIRE_SOAK_FRAMES ?? 1_000_000);
const DISTINCT = 10_000;

test(`soak: ${TOTAL} frames through the reader without memory growth`, { timeout: 300_000 }, async () => {
  const r = await soak('at-evn-sagemcom-t210d', TOTAL, DISTINCT);
  assert.ok(r.frames >= TOTAL, `${r.frames} frames`);
  assert.equal(r.messages, DISTINCT, 'each distinct frame delivered once');
  assert.equal(r.replays, r.frames - DISTINCT, 'every looped frame refused as a replay');
  assert.equal(r.errors, 0);
  const at20 = r.samples.find((s) => s.frames >= TOTAL * 0.2);
  const last = r.samples[r.samples.length - 1];
  assert.ok(at20 && last.frames >= TOTAL);
  const rssGrowth = last.rssMb - at20.rssMb;
  const heapGrowth = last.heapMb - at20.heapMb;
  process.stderr.write(`# soak: ${r.frames} frames (${r.messages} delivered, ${r.replays} replays refused) in ${r.seconds.toFixed(1)} s (${Math.round(r.perSecond)}/s); ` +
    `rss ${at20.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB, heap ${at20.heapMb.toFixed(1)} → ${last.heapMb.toFixed(1)} MB\n`);
  assert.ok(rssGrowth < 30, `RSS grew ${rssGrowth.toFixed(1)} MB between 20% and 100% of the run`);
  assert.ok(heapGrowth < 10, `heap grew ${heapGrowth.toFixed(1)} MB between 20% and 100% of the run`);
});
