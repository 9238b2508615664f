/**
 * Heap per cached meter of the PostgreSQL MeterDirectory: 100,000 meters must fit in < 40 MB, i.e. < 400 bytes
 * each (heap plus array buffers, after a full GC). The child imports and preloads METERWIRE_FLEET_KEYS_MEMORY_METERS
 * meters (default 20,000 to keep the suite quick; 318 bytes each on the dev machine, 484 before the keys moved
 * from two views per meter to an offset into the slab).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pgSkip } from './fleet-keys-pg-support.js';

const skip = await pgSkip();
const METERS = Number(process.env.METERWIRE_FLEET_KEYS_MEMORY_METERS ?? 20_000);

test(`preloaded meters cost < 400 bytes of heap each (${METERS} meters)`, { skip }, (t) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/fleet-keys-memory-child.ts', String(METERS)],
    { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { meters: number; heapBytes: number; arrayBufferBytes: number; bytesPerMeter: number };
  t.diagnostic(`${m.meters} meters: ${m.bytesPerMeter} bytes per cached meter (heap ${m.heapBytes}, array buffers ${m.arrayBufferBytes})`);
  assert.equal(m.meters, METERS);
  assert.ok(m.bytesPerMeter > 0);
  assert.ok(m.bytesPerMeter < 400, `${m.bytesPerMeter} bytes per meter: 100,000 would not fit in 40 MB`);
});
