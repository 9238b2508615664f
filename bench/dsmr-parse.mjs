// Micro-benchmark: DSMR telegram parse (with CRC) vs the npm dsmr-parser package, on the public captures.
// Run: node --import tsx bench/dsmr-parse.mjs [vector-id]   (vectors: METERWIRE_VECTORS or ../shared/vectors)
// "one-off" parses have no decoder state; "decoder factory" parses reuse one decoder's caches and line memo, once
// with the same telegram every time and once with a stream whose time stamp, powers, voltages and currents change
// in every telegram (what a meter sends), so the memo's share of the speed is visible.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.ts';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.ts';
import { createReadingFactory } from '../src/core/model/reading-factory.ts';

const require = createRequire(import.meta.url);
const vectorsPath = process.env.METERWIRE_VECTORS ??
  fileURLToPath(import.meta.resolve('../../shared/vectors/public-vectors.json'));
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
const id = process.argv[2] ?? 'dsmr50-iskra-mt382';
const text = vectors.find((v) => v.id === id).raw_text;
const bytes = new Uint8Array(Buffer.from(text, 'latin1'));

/** 64 telegrams of the same meter where the volatile lines change (the CRC is recomputed). */
function variedStream() {
  const all = text.split('\r\n');
  const header = all[0].slice(1), lines = all.slice(2, all.findIndex((l) => l.startsWith('!')));
  return Array.from({ length: 64 }, (_, k) => new Uint8Array(Buffer.from(formatDsmrTelegram({ header, lines: lines.map((l) => {
    if (l.startsWith('0-0:1.0.0(')) return l.replace(/\d\d([WS]?\))$/, `${String(k % 60).padStart(2, '0')}$1`);
    if (/^1-0:\d+\.7\.0\(/.test(l)) return l.replace(/\d(\*|\))/, `${k % 10}$1`);
    return l;
  }) }), 'latin1')));
}

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
  console.log(`${name.padEnd(44)} ${runs[2].toFixed(3)} µs/telegram (best ${runs[0].toFixed(3)})${sink < 0 ? '' : ''}`);
  return runs[2];
}

console.log(`${id}: ${bytes.length} bytes, node ${process.version}`);
const ours = measure('meterwire parseDsmrTelegram one-off (text)', () => parseDsmrTelegram(text).readings);
measure('meterwire parseDsmrTelegram one-off (bytes)', () => parseDsmrTelegram(bytes).readings);
const same = createReadingFactory(true);
measure('meterwire, decoder factory, same telegram', () => parseDsmrTelegram(bytes, { factory: same }).readings);
const stream = variedStream(), varied = createReadingFactory(true);
let k = 0;
measure('meterwire, decoder factory, changing values', () => parseDsmrTelegram(stream[k++ & 63], { factory: varied }).readings);
let theirs;
try {
  const dsmrParser = require('dsmr-parser');
  theirs = measure('dsmr-parser parse (text)', () => Object.keys(dsmrParser.parse(text).objects));
} catch (e) {
  console.log('dsmr-parser not available:', e.message);
}
if (theirs) console.log(`speed-up of the one-off text parse: ${(theirs / ours).toFixed(1)}×`);
