// Deterministic random numbers for the fuzzer: every input is a function of (seed, entry point, iteration), so a
// finding is reproduced by `--seed S --entry E --start I --iterations 1`. sfc32 seeded through splitmix32.

function splitmix32(a) {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** A 32-bit hash of a string (FNV-1a), to derive one stream per entry point from its name. */
export function hashString(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class Rng {
  constructor(...seeds) {
    let mix = 0x5eed;
    for (const s of seeds) mix = splitmix32((mix ^ s) >>> 0)();
    const sm = splitmix32(mix);
    this.a = sm(); this.b = sm(); this.c = sm(); this.d = sm();
  }

  /** Uniform 32-bit unsigned integer. */
  u32() {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a; this.b = b; this.c = c; this.d = d;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n) { return n <= 1 ? 0 : Math.floor((this.u32() / 4294967296) * n); }
  /** Uniform integer in [lo, hi]. */
  range(lo, hi) { return lo + this.int(hi - lo + 1); }
  float() { return this.u32() / 4294967296; }
  chance(p) { return this.float() < p; }
  byte() { return this.u32() & 0xff; }
  pick(list) { return list[this.int(list.length)]; }
  /** Integer in [lo, hi] with a log-uniform distribution: small sizes common, large ones present. */
  logRange(lo, hi) {
    const l = Math.log(Math.max(1, lo)), h = Math.log(Math.max(1, hi));
    return Math.min(hi, Math.max(lo, Math.round(Math.exp(l + this.float() * (h - l)))));
  }
  /** Picks a key of `weights` ({ name: weight }) in proportion to its weight. */
  weighted(weights) {
    let total = 0;
    for (const k in weights) total += weights[k];
    let x = this.float() * total;
    for (const k in weights) {
      x -= weights[k];
      if (x < 0) return k;
    }
    return Object.keys(weights)[0];
  }
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      out[i] = v; if (i + 1 < n) out[i + 1] = v >>> 8; if (i + 2 < n) out[i + 2] = v >>> 16; if (i + 3 < n) out[i + 3] = v >>> 24;
    }
    return out;
  }
}
