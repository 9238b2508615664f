/**
 * The scanning engine behind every binary framer (DESIGN §3): one buffer, one position, and per link layer a
 * `LinkReader` (link-reader.ts) that decides what starts at that position from the bytes present. Decisions only
 * ever look at bytes already buffered, so any split of the stream into chunks gives the same events. Discarded
 * bytes are reported through garbage-log.ts (merged, in bounded pieces).
 *
 * Bounded work (docs/decoding-bounds.md): the position only moves forward; a reader waiting for more bytes gets
 * back the state it left ('need' + resume) instead of starting over; the buffer is compacted only when that
 * frees at least half of it, so each byte is copied a bounded number of times.
 */
import { createGarbageLog } from './garbage-log.js';
import { skipError, type FormatWatch, type LinkReader, type ScanStep, type SkipCause } from './link-reader.js';
import { DEFAULT_LIMITS, type Framer, type FramerEvent, type FramerOptions } from './types.js';

export type { FormatWatch, LinkReader, ScanFault, ScanStep, SkipCause } from './link-reader.js';
export { concatBytes, discard } from './link-reader.js';
export { HUNT_REPORT } from './garbage-log.js';

/** Work of a reader that does not meter itself: what it returned, or all it was shown when it waits. */
const estimate = (s: ScanStep, shown: number): number => (s.type === 'need' ? shown : s.length);

export interface ScannerOptions {
  limits?: FramerOptions;
  /** For a framer forced to one format: says what a stream of another kind looks like (auto-framer.ts). */
  watch?: FormatWatch;
}

/**
 * A framer over one or more link readers. With several (auto-detection) it sticks to the first kind that produced
 * a checked unit, until more than twice that kind's largest unit of garbage went by without one.
 */
export function createScanningFramer(readers: LinkReader[], options: ScannerOptions = {}): Framer {
  const maxBuffer = Math.max(64, options.limits?.maxBuffer ?? DEFAULT_LIMITS.maxBuffer);
  const meter = options.limits?.meter;
  let buf = new Uint8Array(Math.min(4096, maxBuffer));
  let start = 0;
  let end = 0;
  let locked: LinkReader | undefined = readers.length === 1 ? readers[0] : undefined;
  let garbage = 0; // bytes discarded since the last valid unit, for re-detection
  let out: FramerEvent[] = [];
  const log = createGarbageLog((e) => out.push(e), options.watch);
  /** What the reader that said 'need' at `start` handed over, for its next scan() there. */
  let resumeReader: LinkReader | undefined;
  let resumeState: unknown;

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

  function huntFrom(pos: number): number {
    // Stop where re-detection would set in, so the bytes after it are judged unlocked whatever the chunking.
    const stop = Math.min(end, pos + Math.max(1, tolerance()));
    let next = pos + 1;
    while (next < stop && !readerFor(buf[next])) next++;
    if (meter) meter.steps += next - pos;
    log.hunt(buf, pos, next - pos, locked?.kind);
    countGarbage(next - pos);
    return next;
  }

  function falseStart(reader: LinkReader, pos: number, reason: string, cause: SkipCause): number {
    log.falseStart(buf, pos, reader.kind, reason, cause);
    countGarbage(1);
    return pos + 1;
  }

  /** Handles one step at `pos`; returns the new position, or -1 to wait for more bytes. */
  function step(pos: number, eof: boolean): number {
    const reader = readerFor(buf[pos]);
    const resume = reader !== undefined && reader === resumeReader ? resumeState : undefined;
    resumeReader = resumeState = undefined;
    if (!reader) return huntFrom(pos);
    const capped = end - pos > maxBuffer;
    const scanEnd = capped ? pos + maxBuffer : end;
    const s = reader.scan(buf, pos, scanEnd, eof && !capped, resume);
    if (meter) meter.steps += reader.metered ? 1 : estimate(s, scanEnd - pos);
    switch (s.type) {
      case 'need':
        if (end - pos >= maxBuffer) {
          return falseStart(reader, pos, `frame start at a unit larger than the ${maxBuffer}-byte limit`,
            { fault: { code: 'LIMIT_EXCEEDED', message: `${reader.kind} frame exceeds ${maxBuffer} bytes` } });
        }
        if (!eof) {
          resumeReader = reader;
          resumeState = s.resume;
          return -1;
        }
        log.hunt(buf, pos, 1, locked?.kind, 'incomplete frame at end of input');
        countGarbage(1);
        return pos + 1;
      case 'quiet':
        log.quiet(buf, pos, s.length);
        return pos + s.length;
      case 'skip':
        if (s.reason === undefined) {
          log.hunt(buf, pos, s.length, locked?.kind);
          countGarbage(s.length);
        } else if (s.length === 1) {
          falseStart(reader, pos, s.reason, s);
        } else {
          log.badUnit(buf, pos, s.length, reader.kind, s.reason, skipError(s));
          countGarbage(s.length);
        }
        return pos + s.length;
      case 'unit':
        return acceptUnit(reader, pos, s.length, s.checked);
    }
  }

  function acceptUnit(reader: LinkReader, pos: number, length: number, checked: boolean): number {
    log.emit();
    log.unit();
    if (meter) meter.steps += length;
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
      // Compacting moves the live bytes; do it only when that frees at least half the buffer, else grow.
      if ((live + chunk.length) * 2 <= buf.length) buf.copyWithin(0, start, end);
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
      log.reset();
      for (const r of readers) out.push(...r.flush());
      start = end = 0;
      resumeReader = resumeState = undefined;
      if (buf.length > 4096) buf = new Uint8Array(4096); // give back what one large chunk made it grow to
      locked = readers.length === 1 ? readers[0] : undefined;
      garbage = 0;
      return take();
    },
  };
}
