/**
 * "A wrong `format` gives no message": a framer forced to one format (createFramer('mbus'), …) on a stream of
 * another kind only hunts. The watch shows the bytes such a framer discards to a probe, a scanning framer over
 * the other formats' readers, and once more than twice the forced format's largest unit went by without a
 * valid unit, the framer reports one NO_FRAME error saying what the stream looks like ("this looks like M-Bus
 * frames: use format mbus or auto"). The probe sees only discarded bytes, at most `threshold` of them per
 * stretch, fed in fixed-size batches (so its cost is bounded and chunking does not change what it finds).
 */
import { MeterError } from '../errors.js';
import type { FormatWatch, LinkReader } from './link-reader.js';
import { createScanningFramer } from './link-scanner.js';
import type { FrameKind, Framer, FramerEvent, FramerOptions, WorkMeter } from './types.js';

const NAMES: Record<FrameKind, string> = {
  dsmr: 'DSMR telegrams', mbus: 'M-Bus frames', hdlc: 'HDLC frames', apdu: 'bare DLMS APDUs',
};

/** Bytes handed to the probe at once; the probe's own buffer is kept small too. */
const BATCH = 1024;
const PROBE_BUFFER = 16 * 1024;

/**
 * A watch for a framer forced to `kind`, whose largest unit is `maxUnit`. `others(limits)` builds fresh readers
 * of the other formats for the probe; its work goes to the forced framer's `meter`.
 */
export function createFormatWatch(kind: FrameKind, maxUnit: number, others: (limits: FramerOptions) => LinkReader[],
  meter?: WorkMeter): FormatWatch {
  let probe: Framer | undefined;
  const batch = new Uint8Array(BATCH);
  let batched = 0;
  let found: Partial<Record<FrameKind, number>> = {};

  function feed(bytes: Uint8Array): void {
    if (!probe) {
      const limits: FramerOptions = meter ? { maxBuffer: PROBE_BUFFER, meter } : { maxBuffer: PROBE_BUFFER };
      probe = createScanningFramer(others(limits), { limits });
    }
    for (const e of probe.push(bytes)) if (e.type === 'frame') found[e.kind] = (found[e.kind] ?? 0) + 1;
  }

  return {
    threshold: 2 * maxUnit,
    observe(bytes) {
      let o = 0;
      while (o < bytes.length) {
        const n = Math.min(bytes.length - o, BATCH - batched);
        batch.set(bytes.subarray(o, o + n), batched);
        batched += n;
        o += n;
        if (batched === BATCH) {
          feed(batch);
          batched = 0;
        }
      }
    },
    notice(bytes) {
      if (batched > 0) feed(batch.subarray(0, batched));
      batched = 0;
      probe = undefined; // not needed before the next stretch
      let best: FrameKind | undefined;
      for (const k of Object.keys(found) as FrameKind[]) if (k !== kind && (!best || found[k]! > found[best]!)) best = k;
      const what = `no ${NAMES[kind].replace(/s$/, '')} in ${bytes} bytes`;
      return new MeterError('NO_FRAME', 'framing', best
        ? `${what}, but this looks like ${NAMES[best]} (${found[best]} found): use format ${best} or auto`
        : `${what}, and no other framing recognised either: check the format, the serial settings (baud rate, parity) and that the meter's customer interface is on`);
    },
    reset() {
      probe = undefined;
      batched = 0;
      found = {};
    },
  };
}

/**
 * The watch of a framer forced to DSMR. The DSMR framer is a state machine of its own, faster than the scanning
 * engine for text, and it reports its discards in byte order with exact byte counts: the watch adds them up and,
 * when more than `threshold` bytes went by without a telegram, gives the discard that crosses it one NO_FRAME error
 * — unless an error of the stretch (a broken or overlong telegram) already said what was wrong. It shows no probe
 * the bytes (the framer does not hand out where its garbage lies in each chunk), so what it reports depends on the
 * bytes only, never on how they were chunked.
 */
export function watchDsmrFramer(inner: Framer, threshold: number): Framer {
  let stretch = 0;
  let noticed = false;
  let explained = false;
  const reset = (): void => { stretch = 0; noticed = false; explained = false; };
  function watch(events: FramerEvent[]): FramerEvent[] {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.type === 'frame') { reset(); continue; }
      if (noticed) continue;
      if (e.error) explained = true;
      stretch += e.bytes;
      if (stretch <= threshold) continue;
      noticed = true;
      if (explained) continue;
      const error = new MeterError('NO_FRAME', 'framing', `no DSMR telegram in ${threshold + 1} bytes: if the meter is ` +
        'not a DSMR meter, use format auto (it recognises M-Bus, HDLC and bare DLMS APDUs); otherwise check the serial ' +
        "settings (baud rate, parity) and that the meter's customer interface is on");
      events[i] = { ...e, reason: error.message, error };
    }
    return events;
  }
  return {
    push: (chunk) => watch(inner.push(chunk)),
    flush() {
      const events = watch(inner.flush());
      reset();
      return events;
    },
  };
}
