/**
 * The scanning engine behind every framer (DESIGN §3): one buffer, one position, and per link layer a `LinkReader`
 * that decides what starts at that position from the bytes present. Decisions only ever look at bytes already
 * buffered, so any split of the stream into chunks gives the same events. Runs of garbage are merged into one
 * `discarded` event, emitted at deterministic points (before the next event, every HUNT_REPORT bytes, at flush).
 */
import { MeterError } from '../errors.js';
import { DEFAULT_LIMITS, type FrameKind, type Framer, type FramerEvent, type FramerLimits } from './types.js';

/** What a reader found at a start byte. */
export type ScanStep =
  /** A complete link unit of `length` bytes; `checked` when a checksum vouched for it. */
  | { type: 'unit'; length: number; checked: boolean }
  /** The decision depends on bytes not buffered yet. */
  | { type: 'need' }
  /** Not a valid unit: drop `length` bytes. Without `reason` it is ordinary hunting for a start byte. */
  | { type: 'skip'; length: number; reason?: string; error?: MeterError }
  /** Fill or link-control bytes (HDLC flags, M-Bus ACK): drop without reporting. */
  | { type: 'quiet'; length: number };

export interface LinkReader {
  readonly kind: FrameKind;
  /** Largest unit scan() can return; auto-detection gives up on a kind after 2× this much garbage. */
  readonly maxUnit: number;
  isStart(byte: number): boolean;
  /** Decides what starts at `pos` (a start byte) from buf[pos..end). `eof`: no more bytes will come. */
  scan(buf: Uint8Array, pos: number, end: number, eof: boolean): ScanStep;
  /** Takes a unit scan() returned (a view: copy what is kept) and returns the frames/discards it completes. */
  accept(unit: Uint8Array): FramerEvent[];
  /** End of input: discards partially assembled messages and resets. */
  flush(): FramerEvent[];
}

export interface ScannerOptions {
  limits?: FramerLimits;
}

/** Garbage is reported in pieces of at most this size, so long noise still shows up in counters. */
export const HUNT_REPORT = 4096;
const HUNT_REASON = 'no frame start (hunting for the next start byte)';

/**
 * A framer over one or more link readers. With several (auto-detection) it sticks to the first kind that produced
 * a valid unit, until more than twice that kind's largest unit of garbage went by without one.
 */
export function createScanningFramer(readers: LinkReader[], options: ScannerOptions = {}): Framer {
  const maxBuffer = Math.max(64, options.limits?.maxBuffer ?? DEFAULT_LIMITS.maxBuffer);
  let buf = new Uint8Array(Math.min(4096, maxBuffer));
  let start = 0;
  let end = 0;
  let locked: LinkReader | undefined = readers.length === 1 ? readers[0] : undefined;
  let garbage = 0; // bytes discarded since the last valid unit, for re-detection
  let pending = 0; // merged hunting discard not yet reported
  let pendingReason = HUNT_REASON;
  let pendingKind: FrameKind | undefined;
  let out: FramerEvent[] = [];

  function emitPending(): void {
    if (pending === 0) return;
    out.push(discard(pendingKind, pending, pendingReason));
    pending = 0;
  }

  /** Adds hunted bytes to the merged discard, reporting it in pieces of HUNT_REPORT. */
  function hunt(n: number, reason = HUNT_REASON): void {
    while (n > 0) {
      if (pending === 0) {
        pendingReason = reason;
        pendingKind = locked?.kind;
      }
      const take = Math.min(n, HUNT_REPORT - pending);
      pending += take;
      n -= take;
      countGarbage(take);
      if (pending === HUNT_REPORT) emitPending();
    }
  }

  /** Garbage bytes a locked auto-detection still tolerates before it detects afresh. */
  const tolerance = (): number => (readers.length > 1 && locked ? 2 * locked.maxUnit + 1 - garbage : Infinity);

  function countGarbage(n: number): void {
    garbage += n;
    if (tolerance() <= 0) {
      locked = undefined; // sustained garbage: detect the framing afresh
      garbage = 0;
    }
  }

  function readerFor(byte: number): LinkReader | undefined {
    if (locked) return locked.isStart(byte) ? locked : undefined;
    for (const r of readers) if (r.isStart(byte)) return r;
    return undefined;
  }

  /** Handles one step at `pos`; returns the new position, or -1 to wait for more bytes. */
  function step(pos: number, eof: boolean): number {
    const reader = readerFor(buf[pos]);
    if (!reader) {
      // Stop where re-detection would set in, so the bytes after it are judged unlocked whatever the chunking.
      const stop = Math.min(end, pos + Math.max(1, tolerance()));
      let next = pos + 1;
      while (next < stop && !readerFor(buf[next])) next++;
      hunt(next - pos);
      return next;
    }
    const capped = end - pos > maxBuffer;
    const s = reader.scan(buf, pos, capped ? pos + maxBuffer : end, eof && !capped);
    switch (s.type) {
      case 'need':
        if (end - pos >= maxBuffer) {
          emitPending();
          countGarbage(1);
          out.push(discard(reader.kind, 1, `frame start at a unit larger than the ${maxBuffer}-byte limit`,
            new MeterError('LIMIT_EXCEEDED', 'framing', `${reader.kind} frame exceeds ${maxBuffer} bytes`)));
          return pos + 1;
        }
        if (!eof) return -1;
        hunt(1, 'incomplete frame at end of input');
        return pos + 1;
      case 'quiet':
        return pos + s.length;
      case 'skip':
        if (s.reason === undefined) hunt(s.length);
        else {
          emitPending();
          countGarbage(s.length);
          out.push(discard(reader.kind, s.length, s.reason, s.error));
        }
        return pos + s.length;
      case 'unit':
        return acceptUnit(reader, pos, s.length, s.checked);
    }
  }

  function acceptUnit(reader: LinkReader, pos: number, length: number, checked: boolean): number {
    emitPending();
    const events = reader.accept(buf.subarray(pos, pos + length));
    // Only a checksum-verified unit locks auto-detection onto its kind: a bare APDU has no checksum, and a few
    // noise bytes that happen to parse as one must not make the framer ignore the real frames that follow.
    if (checked) {
      locked = reader;
      garbage = 0;
    } else if (locked === reader && events.some((e) => e.type === 'frame')) {
      garbage = 0;
    }
    for (const e of events) {
      if (e.type === 'discarded') countGarbage(e.bytes);
      out.push(e);
    }
    return pos + length;
  }

  function run(eof: boolean): void {
    let pos = start;
    while (pos < end) {
      const next = step(pos, eof);
      if (next < 0) break;
      pos = next;
    }
    start = pos;
  }

  function append(chunk: Uint8Array): void {
    const live = end - start;
    if (end + chunk.length > buf.length) {
      if (live + chunk.length <= buf.length && start > 0) buf.copyWithin(0, start, end);
      else {
        const grown = new Uint8Array(Math.max(buf.length * 2, live + chunk.length));
        grown.set(buf.subarray(start, end));
        buf = grown;
      }
      start = 0;
      end = live;
    }
    buf.set(chunk, end);
    end += chunk.length;
  }

  function take(): FramerEvent[] {
    const events = out;
    out = [];
    return events;
  }

  return {
    push(chunk: Uint8Array): FramerEvent[] {
      if (chunk.length > 0) {
        append(chunk);
        run(false);
      }
      return take();
    },
    flush(): FramerEvent[] {
      run(true);
      emitPending();
      for (const r of readers) out.push(...r.flush());
      start = end = 0;
      if (buf.length > 4096) buf = new Uint8Array(4096); // give back what one large chunk made it grow to
      locked = readers.length === 1 ? readers[0] : undefined;
      garbage = 0;
      return take();
    },
  };
}

export function discard(kind: FrameKind | undefined, bytes: number, reason: string, error?: MeterError,
  partial?: Uint8Array): FramerEvent {
  const e: FramerEvent = { type: 'discarded', bytes, reason };
  if (kind) e.kind = kind;
  if (error) e.error = error;
  if (partial) e.partial = partial;
  return e;
}

/** Joins byte arrays (segments, blocks) into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
