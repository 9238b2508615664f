/** Helpers shared by the framing tests: run a framer over chunks, and compare events in a readable form. */
import { bytesToHex } from '../src/core/bytes/hex.js';
import type { Framer, FramerEvent } from '../src/core/framing/types.js';

export function runFramer(framer: Framer, chunks: Uint8Array[]): FramerEvent[] {
  const events: FramerEvent[] = [];
  for (const c of chunks) events.push(...framer.push(c));
  events.push(...framer.flush());
  return events;
}

/** Splits `bytes` at the given cut points (any numbers; taken modulo the length). */
export function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length ? c % (bytes.length + 1) : 0)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** Events as plain strings: frames by kind, segments and payload hex; discards by size, reason and error code. */
export function describe(events: FramerEvent[]): string[] {
  return events.map((e) => e.type === 'frame'
    ? `frame ${e.kind} x${e.segments} ${bytesToHex(e.payload)}`
    : `discard ${e.kind ?? '-'} ${e.bytes} ${e.reason} ${e.error?.code ?? ''} ${e.partial ? bytesToHex(e.partial) : ''}`);
}

export const frames = (events: FramerEvent[]): Uint8Array[] =>
  events.flatMap((e) => (e.type === 'frame' ? [e.payload] : []));

export const hexFrames = (events: FramerEvent[]): string[] => frames(events).map((p) => bytesToHex(p));
