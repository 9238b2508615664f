// npm run bench: µs per frame and frames/s through createDecoder().push for each format, with the npm
// dsmr-parser package and one bare node:crypto AES-128-GCM decrypt as references, plus peak RSS of the CLI.
// Reads the public captures from ../shared/vectors (or $METERWIRE_VECTORS); nothing here asserts on time.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createDecipheriv } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDecoder, hexToBytes } from '../dist/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vectorsPath = process.env.METERWIRE_VECTORS ?? resolve(root, '../shared/vectors/public-vectors.json');
if (!existsSync(vectorsPath)) {
  console.error(`public vectors not found at ${vectorsPath}; set METERWIRE_VECTORS`);
  process.exit(1);
}
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
const byId = (id) => vectors.find((v) => v.id === id);
const require = createRequire(import.meta.url);

function measure(name, fn, { minMs = 1500 } = {}) {
  for (let i = 0; i < 20000; i++) fn(); // warm-up so the JIT has settled
  globalThis.gc?.();
  let n = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0n;
  const budget = BigInt(minMs) * 1000000n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    elapsed = process.hrtime.bigint() - t0;
  }
  const us = Number(elapsed) / 1000 / n;
  console.log(`${name.padEnd(44)} ${us.toFixed(2).padStart(8)} µs/frame ${Math.round(1e6 / us).toString().padStart(10)} frames/s`);
  return us;
}

function decoderCase(id, opts = {}) {
  const v = byId(id);
  const bytes = v.raw_text ? new TextEncoder().encode(v.raw_text) : hexToBytes(v.raw_hex);
  const decoder = createDecoder({ key: v.key_hex ?? undefined, authKey: v.auth_key_hex ?? undefined, ...opts });
  const check = decoder.push(bytes).concat(decoder.flush());
  if (check.length !== 1 || check[0].error) throw new Error(`${id} does not decode cleanly: ${JSON.stringify(check[0]).slice(0, 200)}`);
  return () => {
    const out = decoder.push(bytes);
    if (out.length !== 1) throw new Error(`${id}: ${out.length} messages`);
  };
}

console.log(`node ${process.version}, one core\n`);
const results = {};
results.dsmr = measure('DSMR 5 telegram (dsmr50-iskra-mt382)', decoderCase('dsmr50-iskra-mt382', { format: 'dsmr' }));
const telegram = byId('dsmr50-iskra-mt382').raw_text;
const dsmrParser = require('dsmr-parser');
results.dsmrParser = measure('  reference: npm dsmr-parser, same telegram', () => dsmrParser.parse(telegram));
results.smarty = measure('Smarty (smarty-lux-nexxtlab, with GAK)', decoderCase('smarty-lux-nexxtlab', { format: 'apdu' }));
results.evn = measure('EVN M-Bus (evn-netznoe-doc-example)', decoderCase('evn-netznoe-doc-example', { format: 'mbus' }));
results.gbt = measure('L+G E450 HDLC+GBT (other-lg-e450-gbt-3frames)', decoderCase('other-lg-e450-gbt-3frames', { format: 'hdlc' }));
const key = Buffer.alloc(16, 1), iv = Buffer.alloc(12, 2), ct = Buffer.alloc(600, 3);
results.aes = measure('  reference: one node:crypto AES-128-GCM decrypt', () => {
  const d = createDecipheriv('aes-128-gcm', key, iv, { authTagLength: 12 });
  d.update(ct);
});
results.auto = measure('DSMR 5 telegram, format auto', decoderCase('dsmr50-iskra-mt382'));

console.log(`\nDSMR speed-up over dsmr-parser: ${(results.dsmrParser / results.dsmr).toFixed(1)}×`);

const evn = byId('evn-netznoe-doc-example');
const rssProbe = resolve(root, 'bench/rss-probe.mjs');
const run = spawnSync(process.execPath, ['--import', rssProbe, resolve(root, 'dist/cli/main.js'), 'decode', '--key', evn.key_hex, evn.raw_hex],
  { encoding: 'utf8' });
const rss = /maxRSS=(\d+)/.exec(run.stderr);
console.log(`peak RSS of \`meterwire decode\` on one frame: ${rss ? (Number(rss[1]) / 1024).toFixed(1) + ' MB' : 'n/a ' + run.stderr}`);
