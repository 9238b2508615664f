// The parts of dist/ the fuzzer drives, looked up by export name. While the decoders are being reworked a name
// may move to another module: then it is searched for in dist/core, dist/sim, dist/crypto, dist/app and dist/adapters, and when it is
// nowhere the entry point that needs it fails with a message naming the missing export (no crash of the run).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');

/** Where each export is expected today (paths relative to dist/). */
export const EXPECTED = {
  createDecoder: 'index.js',
  decode: 'index.js',
  listProfiles: 'index.js',
  getProfile: 'index.js',
  parseKey: 'index.js',
  hexToBytes: 'index.js',
  bytesToHex: 'index.js',
  MeterError: 'core/errors.js',
  ERROR_CODES: 'core/errors.js',
  decodeAxdr: 'core/dlms/axdr.js',
  decodeDataNotification: 'core/dlms/data-notification.js',
  interpretNotification: 'core/dlms/payload.js',
  parseDsmrTelegram: 'core/dsmr/parse-telegram.js',
  decodeGeneralGloCipher: 'core/security/glo-cipher.js',
  openGeneralGloCipher: 'core/security/glo-cipher.js',
  createFramer: 'core/framing/auto-framer.js',
  decodeGbtBlock: 'core/framing/gbt.js',
  nodeAesGcm: 'crypto/node-aes-gcm.js',
  createSimulator: 'sim/simulator.js',
  DEMO_KEY: 'sim/simulator.js',
  DEMO_AUTH_KEY: 'sim/simulator.js',
  encodeAxdr: 'core/dlms/encode-axdr.js',
  encodeHdlcFrames: 'core/framing/encode-hdlc.js',
  encodeMbusFrames: 'core/framing/encode-mbus.js',
  encodeGeneralGloCipher: 'core/security/encode-glo-cipher.js',
  encodeGbtBlocks: 'core/framing/encode-gbt.js',
};

export class MissingExport extends Error {
  constructor(name, detail) {
    super(`dist has no export "${name}" (expected in dist/${EXPECTED[name]}${detail ? `; ${detail}` : ''}) — ` +
      'did it move or get renamed? Update bench/fuzz/api.mjs');
    this.name = 'MissingExport';
    this.exportName = name;
  }
}

const modules = new Map();
async function load(rel) {
  if (!modules.has(rel)) {
    const file = join(DIST, rel);
    modules.set(rel, existsSync(file) ? import(pathToFileURL(file).href).catch(() => undefined) : Promise.resolve(undefined));
  }
  return modules.get(rel);
}

function listJs(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listJs(p, out);
    else if (name.endsWith('.js')) out.push(relative(DIST, p));
  }
  return out;
}

let searchList;
/** Finds a module of dist/core, dist/app or dist/adapters that exports `name` (after a move). */
async function search(name) {
  searchList ??= ['core', 'sim', 'crypto', 'app', 'adapters'].flatMap((d) => listJs(join(DIST, d)));
  for (const rel of searchList) {
    const m = await load(rel);
    if (m && name in m) return { value: m[name], from: rel };
  }
  return undefined;
}

export const notes = [];

/** The export `name`; throws MissingExport when dist has it nowhere. */
export async function need(name) {
  if (!existsSync(join(DIST, 'index.js'))) throw new MissingExport(name, 'dist/ is not built: run `npm run build`');
  const expected = EXPECTED[name];
  const m = expected && await load(expected);
  if (m && name in m) return m[name];
  const found = await search(name);
  if (!found) throw new MissingExport(name);
  notes.push(`${name} found in dist/${found.from} (expected dist/${expected})`);
  return found.value;
}

/** Several exports at once: { name: value }. */
export async function needAll(names) {
  const out = {};
  for (const n of names) out[n] = await need(n);
  return out;
}
