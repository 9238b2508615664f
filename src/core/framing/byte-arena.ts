/**
 * Bump allocator for the payload bytes framers hand out. Every `new Uint8Array(n)` above V8's on-heap limit
 * (64 bytes) gets its own off-heap backing store, which costs more than framing and checking a whole DSMR
 * telegram; carving payloads out of a shared 64 KiB block costs a view. A region is never handed out twice,
 * so a payload stays valid for as long as it is referenced (which keeps its block alive: the price is up to
 * one block of retained memory per kept payload). One arena per framer instance: no module-level state.
 */
export interface ByteArena {
  block: Uint8Array;
  used: number;
}

const BLOCK = 64 * 1024;
/** Larger payloads get their own array: they are rare and would waste most of a block. */
const LARGEST = BLOCK / 8;

export function createByteArena(): ByteArena {
  return { block: new Uint8Array(0), used: 0 };
}

/** A fresh, zero-filled region of n bytes. */
export function arenaAlloc(a: ByteArena, n: number): Uint8Array {
  if (n > LARGEST) return new Uint8Array(n);
  if (a.used + n > a.block.length) {
    a.block = new Uint8Array(BLOCK);
    a.used = 0;
  }
  const out = a.block.subarray(a.used, a.used + n);
  a.used += (n + 7) & ~7; // 8-byte aligned regions, so typed views on a payload stay possible
  return out;
}

/** A copy of src[from, to) in the arena. */
export function arenaCopy(a: ByteArena, src: Uint8Array, from = 0, to = src.length): Uint8Array {
  const out = arenaAlloc(a, to - from);
  out.set(from === 0 && to === src.length ? src : src.subarray(from, to));
  return out;
}

/** Joins byte arrays (segments, blocks) into one region of the arena. */
export function arenaConcat(a: ByteArena, parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = arenaAlloc(a, n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
