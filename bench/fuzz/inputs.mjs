// One fuzz input per (seed, entry point, iteration): a seed of the entry's kind as is, mutated or spliced, random
// bytes, or a hostile structure; plus the keys to decode it with and how the stream is cut into pushes.
import { Rng, hashString } from './rng.mjs';
import { mutate, spliceTwo } from './mutate.mjs';
import { AXDR_GENERATORS, DSMR_GENERATORS, STREAM_GENERATORS, notification, wrapApdu } from './hostile.mjs';
import { FUZZ_KEYS } from './corpus.mjs';

const MIX = { corpus: 8, mutate: 55, splice: 10, random: 12, hostile: 15 };
const START_BYTES = { stream: [0x0f, 0xdb, 0x7e, 0x68, 0x2f], plain: [0x0f], cipher: [0xdb],
  axdr: [0x01, 0x02, 0x13, 0x09], dsmr: [0x2f], gbt: [0xe0] };

const OWN_START = { dsmr: [0x2f], mbus: [0x68], hdlc: [0x7e], apdu: [0xdb, 0x0f, 0xe0] };

/** Hostile generators per input kind (domain). */
function hostileFor(domain) {
  const axdr = Object.keys(AXDR_GENERATORS);
  if (domain === 'axdr' || domain === 'plain' || domain === 'cipher' || domain === 'gbt') return axdr;
  if (domain === 'dsmr') return Object.keys(DSMR_GENERATORS);
  return [...axdr, ...Object.keys(STREAM_GENERATORS)];
}

/** Every generator name an entry of `domain` may report (failures and samples name them). */
export function generatorNames(domain) {
  return ['corpus', 'mutate', 'splice', 'random', 'valid-axdr', ...hostileFor(domain).map((g) => `hostile:${g}`)];
}

function seedsFor(domain, corpus) {
  switch (domain) {
    case 'stream': return [...corpus.streams, ...corpus.apdus, ...corpus.telegrams];
    case 'plain': return corpus.plains;
    case 'cipher': return corpus.ciphers;
    case 'axdr': return corpus.bodies;
    case 'dsmr': return corpus.telegrams;
    case 'gbt': return corpus.gbtBlocks;
    default: throw new Error(`unknown input domain ${domain}`);
  }
}

function randomValue(rng, depth = 0) {
  const t = rng.int(depth > 3 ? 8 : 11);
  switch (t) {
    case 0: return { type: 'null' };
    case 1: return { type: 'integer', tag: 0x06, value: rng.u32() };
    case 2: return { type: 'integer', tag: 0x10, value: rng.range(-32768, 32767) };
    case 3: return { type: 'octet-string', bytes: rng.bytes(rng.logRange(0, 40)) };
    case 4: return { type: 'visible-string', value: String.fromCharCode(...rng.bytes(rng.range(0, 20)).map((b) => 32 + (b % 95))) };
    case 5: return { type: 'enum', value: rng.byte() };
    case 6: return { type: 'date-time', value: {}, bytes: rng.bytes(12) };
    case 7: return { type: 'integer', tag: 0x0f, value: rng.range(-128, 127) };
    default: {
      const items = Array.from({ length: rng.logRange(1, 24) }, () => randomValue(rng, depth + 1));
      return { type: rng.chance(0.6) ? 'structure' : 'array', items };
    }
  }
}

/** Where to cut a stream into pushes (end offsets): whole, a few random cuts, small pieces, or one byte per push. */
function chunkPlan(rng, n, forced) {
  const mode = forced ?? rng.weighted({ whole: 35, cuts: 50, small: 12, bytewise: n <= 512 ? 3 : 0 });
  if (mode === 'whole' || n === 0) return [n];
  if (mode === 'bytewise') return Int32Array.from({ length: n }, (_, i) => i + 1);
  if (mode === 'small') {
    const ends = [];
    for (let p = rng.range(1, 16); p < n; p += rng.range(1, 16)) ends.push(p);
    ends.push(n);
    return ends;
  }
  const ends = new Set([n]);
  for (let k = rng.range(1, 8); k > 0; k--) ends.add(rng.int(n));
  ends.delete(0);
  return [...ends].sort((a, b) => a - b);
}

function keysFor(rng, seed) {
  if (!seed?.keys?.key) return rng.chance(0.7) ? FUZZ_KEYS : {};
  const k = rng.weighted({ own: 70, keyOnly: 10, none: 10, wrong: 10 });
  if (k === 'own') return seed.keys;
  if (k === 'keyOnly') return { key: seed.keys.key };
  return k === 'none' ? {} : FUZZ_KEYS;
}

export class InputMaker {
  /** `entry`: { name, domain, kind? }; `enc`: the project's encoders (any may be missing). */
  constructor(entry, corpus, enc, seed, disabled = []) {
    this.entry = entry;
    this.domain = entry.domain;
    this.enc = enc;
    this.seedHash = hashString(entry.name);
    this.runSeed = seed >>> 0;
    this.all = seedsFor(this.domain, corpus);
    // A format-specific push/framer entry mostly gets seeds of its own link layer (bare APDUs for 'apdu').
    this.own = entry.kind ? this.all.filter((s) => OWN_START[entry.kind].includes(s.bytes[0])) : this.all;
    if (this.own.length === 0) this.own = this.all;
    this.hostile = hostileFor(this.domain).filter((g) => !disabled.includes(`hostile:${g}`));
    this.names = generatorNames(this.domain);
  }

  pickSeed(rng) {
    const list = rng.chance(0.7) ? this.own : this.all;
    return list.length ? rng.pick(list) : { bytes: rng.bytes(32) };
  }

  /** The input of iteration `i`: { bytes, gen, keys, chunks, rng } (rng continues the same stream for the run). */
  make(i) {
    const rng = new Rng(this.runSeed, this.seedHash, i);
    let kind = rng.weighted(MIX);
    if (kind === 'hostile' && this.hostile.length === 0) kind = 'mutate';
    if (kind === 'corpus' && this.domain === 'axdr' && this.enc.encodeAxdr && rng.chance(0.5)) kind = 'valid-axdr';
    let seed, out;
    switch (kind) {
      case 'corpus': seed = this.pickSeed(rng); out = { bytes: seed.bytes }; break;
      case 'mutate': seed = this.pickSeed(rng); out = { bytes: mutate(rng, seed.bytes).bytes }; break;
      case 'splice': seed = this.pickSeed(rng); out = { bytes: spliceTwo(rng, seed.bytes, this.pickSeed(rng).bytes) }; break;
      case 'valid-axdr': out = { bytes: this.enc.encodeAxdr(randomValue(rng)) }; break;
      case 'random': {
        const body = rng.bytes(rng.logRange(1, 2048));
        if (rng.chance(0.4)) body[0] = rng.pick(START_BYTES[this.domain]);
        out = { bytes: body };
        break;
      }
      default: {
        const g = rng.pick(this.hostile);
        out = this.hostileInput(rng, g);
        kind = `hostile:${g}`;
      }
    }
    const keys = out.keys ?? keysFor(rng, seed);
    // Only streams are pushed in pieces; the other entry points take one unit.
    const chunks = this.domain === 'stream' ? chunkPlan(rng, out.bytes.length, out.chunking) : [out.bytes.length];
    return { bytes: out.bytes, gen: kind, genIndex: this.names.indexOf(kind), keys, chunks, rng };
  }

  hostileInput(rng, g) {
    if (AXDR_GENERATORS[g]) {
      const element = AXDR_GENERATORS[g](rng);
      if (this.domain === 'axdr') return { bytes: element };
      const apdu = notification(rng, element);
      if (this.domain === 'plain') return { bytes: apdu };
      if (this.domain === 'cipher') return { bytes: wrapApdu(rng, apdu, { ...this.enc, encodeHdlcFrames: undefined, encodeMbusFrames: undefined, encodeGbtBlocks: undefined, forceCipher: true }, FUZZ_KEYS), keys: FUZZ_KEYS };
      if (this.domain === 'gbt') {
        const blocks = this.enc.encodeGbtBlocks ? this.enc.encodeGbtBlocks(apdu, rng.range(16, 4096)) : [apdu];
        return { bytes: rng.pick(blocks) };
      }
      const link = { apdu: 'bare', mbus: 'mbus', hdlc: 'hdlc' }[this.entry.kind];
      return { bytes: wrapApdu(rng, apdu, { ...this.enc, link }, FUZZ_KEYS), keys: FUZZ_KEYS };
    }
    if (this.domain === 'dsmr') return DSMR_GENERATORS[g](rng, this.enc);
    return STREAM_GENERATORS[g](rng, this.enc);
  }
}
