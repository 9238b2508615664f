/**
 * Heap per cached meter of the PostgreSQL MeterDirectory: 100,000 meters must fit in < 25 MB, i.e. < 250 bytes
 * each (heap plus array buffers, after a full GC). The child imports and preloads METERWIRE_FLEET_KEYS_MEMORY_METERS
 * meters (default 20,000 to keep the suite quick): 177 bytes each there and 132 with 100,000 (the packed table,
 * src/fleet/keys/meter-table.ts; its arrays double, so fewer meters show more of the spare room), 318 with an
 * object per meter, 484 with two key views per meter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pgSkip } from './fleet-keys-pg-support.js';

const skip = await pgSkip();
const METERS = Number(process.env.METERWIRE_FLEET_KEYS_MEMORY_METERS ?? 20_000);

test(`preloaded meters cost < 250 bytes of heap each (${METERS} meters)`, { skip }, (t) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/fleet-keys-memory-child.ts', String(METERS)],
    { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { meters: number; heapBytes: number; arrayBufferBytes: number; bytesPerMeter: number };
  t.diagnostic(`${m.meters} meters: ${m.bytesPerMeter} bytes per cached meter (heap ${m.heapBytes}, array buffers ${m.arrayBufferBytes})`);
  assert.equal(m.meters, METERS);
  assert.ok(m.bytesPerMeter > 0);
  assert.ok(m.bytesPerMeter < 250, `${m.bytesPerMeter} bytes per meter: 100,000 would not fit in 25 MB`);
});
