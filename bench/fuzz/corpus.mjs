// Seed inputs of the fuzzer: the public captures (../shared/vectors/public-vectors.json or $METERWIRE_VECTORS,
// read at run time, never copied) and the project's own fixtures (the simulator plays every profile it knows,
// encrypted with its demo keys). From each stream the framer's payloads, the decrypted APDUs, the A-XDR bodies,
// the DSMR telegrams and general-block-transfer blocks are derived, so every entry point gets inputs of its kind.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { need, ROOT } from './api.mjs';

const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);
export const VECTORS_PATH = process.env.METERWIRE_VECTORS ?? join(ROOT, '../shared/vectors/public-vectors.json');

const latin1 = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

async function vectorStreams(api, warnings) {
  if (!existsSync(VECTORS_PATH)) {
    warnings.push(`public vectors not found at ${VECTORS_PATH} (set METERWIRE_VECTORS): fuzzing from own fixtures only`);
    return [];
  }
  const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));
  return vectors.filter((v) => v.raw_hex || v.raw_text).map((v) => ({
    source: v.id,
    bytes: v.raw_text ? latin1(v.raw_text) : api.hexToBytes(v.raw_hex),
    keys: {
      key: v.key_hex ? api.parseKey(v.key_hex, 'GUEK') : undefined,
      authKey: v.auth_key_hex ? api.parseKey(v.auth_key_hex, 'GAK') : undefined,
    },
  }));
}

async function simulatedStreams(api, warnings) {
  let createSimulator, demo;
  try {
    createSimulator = await need('createSimulator');
    demo = { key: api.parseKey(await need('DEMO_KEY'), 'GUEK'), authKey: api.parseKey(await need('DEMO_AUTH_KEY'), 'GAK') };
  } catch (e) {
    warnings.push(`no simulator fixtures: ${e.message}`);
    return [];
  }
  const out = [];
  for (const [i, p] of api.listProfiles().entries()) {
    let sim;
    try {
      sim = createSimulator({ profile: p.id, key: demo.key, authKey: demo.authKey, seed: i + 1, frameCounter: 1000 + i * 10 });
    } catch {
      continue; // a profile the simulator does not play
    }
    const frames = [1, 2, 3].map((k) => sim.frame(T0 + k * 60_000));
    for (const f of frames) out.push({ source: `sim:${p.id}`, bytes: f, keys: demo });
    out.push({ source: `sim:${p.id}×3`, bytes: concat(frames), keys: demo });
  }
  if (out.length === 0) warnings.push('the simulator produced no frames (no profile it plays?)');
  return out;
}

/** A data-notification's body: what follows the invoke id and the date-time (IEC 62056-5-3 §9.3.11). */
function notificationBody(apdu) {
  if (apdu.length < 7 || apdu[0] !== 0x0f) return undefined;
  let p = 5;
  if (apdu[p] === 0x09 && apdu[p + 1] === 0x0c) p++;
  p += apdu[p] === 0x0c ? 13 : 1;
  return p < apdu.length ? apdu.subarray(p) : undefined;
}

function derive(api, streams, corpus) {
  const seen = new Set();
  const add = (list, item) => {
    const k = `${list}:${api.bytesToHex(item.bytes)}`;
    if (!seen.has(k)) { seen.add(k); corpus[list].push(item); }
  };
  for (const s of streams) {
    const framer = api.createFramer('auto');
    for (const e of [...framer.push(s.bytes), ...framer.flush()]) {
      if (e.type !== 'frame') continue;
      s.kind ??= e.kind;
      if (e.kind === 'dsmr') add('telegrams', { source: s.source, bytes: e.payload });
      else add('apdus', { source: s.source, bytes: e.payload, keys: s.keys, kind: e.kind });
    }
    s.kind ??= 'apdu';
    add('streams', s);
    const d = api.createDecoder({ key: s.keys.key, authKey: s.keys.authKey, includeApdu: true });
    for (const m of [...d.push(s.bytes), ...d.flush()]) {
      if (!m.apdu) continue;
      const plain = api.hexToBytes(m.apdu);
      if (plain[0] === 0x2f) add('telegrams', { source: `${s.source} (decrypted)`, bytes: plain });
      else add('plains', { source: `${s.source} (plaintext)`, bytes: plain });
    }
  }
  for (const a of corpus.apdus) if (a.bytes[0] === 0xdb) corpus.ciphers.push(a);
  for (const a of corpus.apdus) if (a.bytes[0] === 0x0f) add('plains', { source: a.source, bytes: a.bytes });
  for (const p of corpus.plains) {
    const body = notificationBody(p.bytes);
    if (body) add('bodies', { source: p.source, bytes: body });
  }
}

/** Builds the corpus; `warnings` collects what is missing (and is printed by the harness). */
export async function buildCorpus() {
  const api = {
    hexToBytes: await need('hexToBytes'), bytesToHex: await need('bytesToHex'), parseKey: await need('parseKey'),
    listProfiles: await need('listProfiles'), createFramer: await need('createFramer'), createDecoder: await need('createDecoder'),
  };
  const warnings = [];
  const streams = [...await vectorStreams(api, warnings), ...await simulatedStreams(api, warnings)];
  const corpus = { streams: [], apdus: [], ciphers: [], plains: [], bodies: [], telegrams: [], gbtBlocks: [], profiles: api.listProfiles(), warnings };
  derive(api, streams, corpus);
  try {
    const encodeGbtBlocks = await need('encodeGbtBlocks');
    for (const a of corpus.ciphers.slice(0, 40)) {
      for (const size of [24, 96]) for (const b of encodeGbtBlocks(a.bytes, size)) corpus.gbtBlocks.push({ source: a.source, bytes: b });
    }
  } catch (e) {
    warnings.push(`no general-block-transfer fixtures: ${e.message}`);
  }
  for (const [name, list] of Object.entries(corpus)) {
    if (Array.isArray(list) && list.length === 0 && name !== 'warnings') warnings.push(`corpus "${name}" is empty`);
  }
  return corpus;
}

/** Keys for inputs the fuzzer builds itself (hostile frames are encrypted with these). */
export const FUZZ_KEYS = {
  key: Uint8Array.of(0xc3, 0x5a, 0x91, 0x0e, 0x7b, 0xd4, 0x26, 0xf8, 0x4d, 0xb2, 0x69, 0x13, 0xee, 0x87, 0x3c, 0xa5),
  authKey: Uint8Array.of(0x1f, 0xa8, 0x62, 0xdd, 0x05, 0x9c, 0x7e, 0xb1, 0x44, 0xe9, 0x2b, 0xf6, 0x90, 0x58, 0xc7, 0x3a),
};
