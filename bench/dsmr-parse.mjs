// Micro-benchmark: DSMR telegram parse (with CRC) vs the npm dsmr-parser package, on the public captures.
// Run: node --import tsx bench/dsmr-parse.mjs [vector-id]   (vectors: METERWIRE_VECTORS or ../shared/vectors)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.ts';

const require = createRequire(import.meta.url);
const vectorsPath = process.env.METERWIRE_VECTORS ??
  fileURLToPath(import.meta.resolve('../../shared/vectors/public-vectors.json'));
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
const id = process.argv[2] ?? 'dsmr50-iskra-mt382';
const text = vectors.find((v) => v.id === id).raw_text;
const bytes = new Uint8Array(Buffer.from(text, 'latin1'));

function measure(name, fn) {
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += fn().length ?? 1; // warm up (JIT)
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const n = 200_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += fn().length ?? 1;
    runs.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  runs.sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} ${runs[2].toFixed(3)} µs/telegram (best ${runs[0].toFixed(3)})${sink < 0 ? '' : ''}`);
  return runs[2];
}

console.log(`${id}: ${bytes.length} bytes, node ${process.version}`);
const ours = measure('meterwire parseDsmrTelegram (text)', () => parseDsmrTelegram(text).readings);
measure('meterwire parseDsmrTelegram (bytes)', () => parseDsmrTelegram(bytes).readings);
let theirs;
try {
  const dsmrParser = require('dsmr-parser');
  theirs = measure('dsmr-parser parse (text)', () => Object.keys(dsmrParser.parse(text).objects));
} catch (e) {
  console.log('dsmr-parser not available:', e.message);
}
if (theirs) console.log(`speed-up: ${(theirs / ours).toFixed(1)}×`);
