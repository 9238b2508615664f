/**
 * Measures the heap a MeterDirectory holds per cached meter: imports N meters (GUEK + GAK, system title, mixed
 * profiles and zones) into a fresh schema, preloads them, and prints one JSON line with the heap and array-buffer
 * growth after a full GC. Run with --expose-gc (test/fleet-keys-memory.test.ts does); drops its schema.
 *   node --expose-gc --import tsx test/fleet-keys-memory-child.ts [N]
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { importMeters } from '../src/fleet/keys/meter-registry.js';
import { createPgMeterDirectory } from '../src/fleet/keys/pg-meter-directory.js';
import type { MeterRecord } from '../src/fleet/keys/meters-csv.js';
import { PG_URL, dropSchema, masterOf, newMasterKeyText, uniqueSchema } from './fleet-keys-pg-support.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const n = Number(process.argv[2] ?? 100_000);
const PROFILES = ['at-evn-sagemcom-t210d', 'at-evn-kaifa-ma309', 'at-wienernetze-siemens', undefined];
const ZONES = ['Europe/Vienna', 'Europe/Berlin', 'Europe/Oslo'];

const settle = (): NodeJS.MemoryUsage => {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
};

const schema = uniqueSchema();
const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
const master = masterOf(newMasterKeyText());
try {
  const records: MeterRecord[] = Array.from({ length: n }, (_, i) => ({
    line: i + 2, meterId: `meter-${String(i).padStart(6, '0')}`, topicId: `gw-${String(i).padStart(6, '0')}`,
    systemTitle: randomBytes(8).toString('hex').toUpperCase(), profile: PROFILES[i % PROFILES.length], timeZone: ZONES[i % ZONES.length],
    guek: randomBytes(16), gak: randomBytes(16),
  }));
  const importStart = Date.now();
  await importMeters(pool, schema, master, records);
  const importMs = Date.now() - importStart;
  records.length = 0;
  const dir = await createPgMeterDirectory({ pool, schema, masterKey: master });
  const before = settle();
  const preloadStart = Date.now();
  const cached = await dir.preload();
  const preloadMs = Date.now() - preloadStart;
  const after = settle();
  const sample = await dir.lookup('gw-000007');
  if (!sample?.guek || !sample.gak) throw new Error('preloaded meter without keys');
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  process.stdout.write(JSON.stringify({
    meters: cached, heapBytes: heap, arrayBufferBytes: buffers, bytesPerMeter: Math.round((heap + buffers) / cached),
    rssBytes: after.rss - before.rss, importMs, preloadMs, stats: dir.stats(),
  }) + '\n');
  await dir.close();
} finally {
  await pool.end();
  await dropSchema(schema);
}
