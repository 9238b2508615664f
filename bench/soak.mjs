// Soak benchmark: 1,000,000 simulated frames through the reader from a looping capture file, as fast as possible.
// Prints throughput and memory after forced GCs. Runs from source: node --import tsx bench/soak.mjs [profile] [frames]
import { soak } from '../test/support/soak.ts';

const profile = process.argv[2] ?? 'at-evn-sagemcom-t210d';
const total = Number(process.argv[3] ?? 1_000_000);
const r = await soak(profile, total);
for (const s of r.samples) console.log(`${String(s.frames).padStart(9)} frames  rss ${s.rssMb.toFixed(1)} MB  heap ${s.heapMb.toFixed(1)} MB`);
const at20 = r.samples.find((s) => s.frames >= total * 0.2) ?? r.samples[0];
const last = r.samples[r.samples.length - 1];
console.log(`${profile}: ${r.frames} frames (${r.messages} delivered, ${r.replays} replays refused), ${r.errors} other errors in ${r.seconds.toFixed(1)} s = ${Math.round(r.perSecond)} frames/s; ` +
  `rss ${at20.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB (${(last.rssMb - at20.rssMb).toFixed(1)}), ` +
  `heap ${at20.heapMb.toFixed(1)} → ${last.heapMb.toFixed(1)} MB between 20% and 100%`);
