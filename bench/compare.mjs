// npm run bench:compare -- <reference dir>: the same decoding cases through this checkout's dist and a reference
// build (e.g. a worktree of an older commit, built with `npx tsc -p tsconfig.build.json`), taking turns in small
// batches within one process and timing CPU time, so a busy machine slows both alike. Prints the median µs per
// frame of each and the ratio. Nothing here asserts: benchmarks measure, tests check.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const refDir = process.argv[2] && resolve(process.argv[2]);
if (!refDir || !existsSync(resolve(refDir, 'dist/index.js'))) {
  console.error('usage: node bench/compare.mjs <reference checkout with a built dist/>');
  process.exit(1);
}
const vectorsPath = process.env.METERWIRE_VECTORS ?? resolve(root, '../shared/vectors/public-vectors.json');
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
const byId = (id) => vectors.find((v) => v.id === id);
const cur = await import(pathToFileURL(resolve(root, 'dist/index.js')).href);
const ref = await import(pathToFileURL(resolve(refDir, 'dist/index.js')).href);
const dsmrParser = createRequire(import.meta.url)('dsmr-parser');

/** A telegram whose power and voltage digits change every time, as a live meter's do (CRC recomputed). */
function varyingTelegrams(text, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    let t = text.replace(/1-0:1\.7\.0\((\d+)\.(\d+)/, (m, a) => `1-0:1.7.0(${a}.${String(i % 1000).padStart(3, '0')}`)
      .replace(/1-0:32\.7\.0\((\d+)\.(\d)/, (m, a) => `1-0:32.7.0(${a}.${i % 10}`);
    const body = t.slice(0, t.lastIndexOf('!') + 1);
    let crc = 0;
    for (let k = 0; k < body.length; k++) {
      crc ^= body.charCodeAt(k);
      for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    }
    t = `${body}${crc.toString(16).toUpperCase().padStart(4, '0')}\r\n`;
    out.push(new TextEncoder().encode(t));
  }
  return out;
}

function decoderCase(lib, id, opts = {}) {
  const v = byId(id);
  const bytes = v.raw_text ? new TextEncoder().encode(v.raw_text) : lib.hexToBytes(v.raw_hex);
  const d = lib.createDecoder({ key: v.key_hex ?? undefined, authKey: v.auth_key_hex ?? undefined, ...opts });
  const first = d.push(bytes).concat(d.flush());
  if (first.length !== 1 || first[0].error) throw new Error(`${id}: ${JSON.stringify(first[0]).slice(0, 200)}`);
  return () => d.push(bytes);
}

function varyingCase(lib) {
  const frames = varyingTelegrams(byId('dsmr50-iskra-mt382').raw_text, 997);
  const d = lib.createDecoder({ format: 'dsmr' });
  let i = 0;
  return () => d.push(frames[i++ % frames.length]);
}

const CASES = {
  'DSMR 5, same telegram': (lib) => decoderCase(lib, 'dsmr50-iskra-mt382', { format: 'dsmr' }),
  'DSMR 5, changing values': varyingCase,
  'DSMR 5, format auto': (lib) => decoderCase(lib, 'dsmr50-iskra-mt382'),
  'Smarty (GAK)': (lib) => decoderCase(lib, 'smarty-lux-nexxtlab', { format: 'apdu' }),
  'EVN M-Bus': (lib) => decoderCase(lib, 'evn-netznoe-doc-example', { format: 'mbus' }),
  'L+G E450 HDLC+GBT': (lib) => decoderCase(lib, 'other-lg-e450-gbt-3frames', { format: 'hdlc' }),
  'Wiener Netze HDLC (positional)': (lib) => decoderCase(lib, 'wn-siemens-sms', { format: 'hdlc' }),
};

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function batch(fn, n) {
  const t0 = cpuMicros();
  for (let i = 0; i < n; i++) fn();
  return (cpuMicros() - t0) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = Number(process.env.ROUNDS ?? 31);
const N = Number(process.env.BATCH ?? 4000);

console.log(`node ${process.version}; reference ${refDir}; ${ROUNDS} rounds of ${N} frames, CPU time, median\n`);
console.log(`${'case'.padEnd(34)} ${'reference'.padStart(10)} ${'this'.padStart(10)} ${'change'.padStart(8)}`);
for (const [name, make] of Object.entries(CASES)) {
  const a = make(ref), b = make(cur);
  for (let i = 0; i < 3000; i++) { a(); b(); }
  const ra = [], rb = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) { rb.push(batch(b, N)); ra.push(batch(a, N)); } else { ra.push(batch(a, N)); rb.push(batch(b, N)); }
  }
  const ma = median(ra), mb = median(rb);
  console.log(`${name.padEnd(34)} ${ma.toFixed(2).padStart(8)}µs ${mb.toFixed(2).padStart(8)}µs ${(((mb / ma) - 1) * 100).toFixed(1).padStart(7)}%`);
}
const telegram = byId('dsmr50-iskra-mt382').raw_text;
const parse = () => dsmrParser.parse(telegram);
for (let i = 0; i < 3000; i++) parse();
const dp = median(Array.from({ length: ROUNDS }, () => batch(parse, N / 4)));
const same = CASES['DSMR 5, same telegram'](cur), vary = CASES['DSMR 5, changing values'](cur);
const ms = median(Array.from({ length: ROUNDS }, () => batch(same, N)));
const mv = median(Array.from({ length: ROUNDS }, () => batch(vary, N)));
console.log(`\nnpm dsmr-parser on the same telegram: ${dp.toFixed(2)} µs → this checkout is ${(dp / ms).toFixed(1)}× faster ` +
  `(same telegram), ${(dp / mv).toFixed(1)}× (changing values)`);
