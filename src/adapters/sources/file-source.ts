/**
 * file:capture.bin, file:///abs/path (binary, or hex text) for replaying captures:
 *  ?pace=fast (default)        everything as fast as the reader takes it, then 'ended';
 *  ?pace=baud&baud=2400        at the byte rate a serial line of that speed has (start, data, parity, stop bits),
 *                              so timing-dependent code (inter-frame gaps, watchdogs) sees realistic chunks;
 *  ?loop=1                     start over at the end, forever (soak tests).
 */
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCaptureFile } from './payload-encoding.js';
import { errorText } from './reconnecting-source.js';
import { choiceParam, configError, flagParam, intParam, splitQuery } from '../../net/url.js';
import { createStateReporter, type StateReporter } from './state-reporter.js';
import { DEFAULT_SERIAL, type SerialLineSettings, type Source, type SourceHandlers, type SourceOptions } from './types.js';

const FAST_CHUNK = 64 * 1024;
const TICK_MS = 20;

export interface FileTarget {
  path: string;
  /** Bytes per second, or undefined for as fast as possible. */
  bytesPerSecond: number | undefined;
  loop: boolean;
}

/** Bits on the wire per byte: start + data + parity + stop. */
export function bitsPerByte(s: SerialLineSettings): number {
  return 1 + s.dataBits + (s.parity === 'none' ? 0 : 1) + s.stopBits;
}

export function parseFileUrl(url: string, serial: SerialLineSettings = DEFAULT_SERIAL): FileTarget {
  const { base, params } = splitQuery(url);
  const rest = base.slice('file:'.length);
  let path: string;
  try {
    path = rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : resolvePath(decodeURIComponent(rest));
  } catch (err) {
    throw configError(`cannot use ${base} as a file path (${errorText(err)}): expected file:capture.bin or file:///abs/capture.bin`);
  }
  if (!rest) throw configError('a file source needs a path, e.g. file:capture.bin');
  const pace = choiceParam(params, 'pace', ['fast', 'baud'] as const) ?? 'fast';
  const baud = intParam(params, 'baud') ?? serial.baudRate;
  return {
    path,
    bytesPerSecond: pace === 'baud' ? baud / bitsPerByte(serial) : undefined,
    loop: flagParam(params, 'loop'),
  };
}

export function createFileSource(url: string, description: string, options: SourceOptions = {}): Source {
  const target = parseFileUrl(url, options.serial);
  let reporter: StateReporter | undefined;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let stopped = false;

  function finish(r: StateReporter, detail: string): void {
    r.set('ended', detail);
  }

  // Chunks go out on setImmediate so a looping replay never starves the event loop (or stop()).
  function emitFast(r: StateReporter, bytes: Uint8Array, offset: number): void {
    if (stopped) return;
    const end = Math.min(bytes.length, offset + FAST_CHUNK);
    r.data(bytes.subarray(offset, end));
    if (end < bytes.length) immediate = setImmediate(() => emitFast(r, bytes, end));
    else if (target.loop) immediate = setImmediate(() => emitFast(r, bytes, 0));
    else finish(r, `end of ${target.path}`);
  }

  // Sends what the line would have carried since the start, so timer jitter never drifts the average rate.
  function emitPaced(r: StateReporter, bytes: Uint8Array, rate: number): void {
    const startedAt = performance.now();
    let sent = 0;
    const tick = (): void => {
      if (stopped) return;
      const due = Math.floor(((performance.now() - startedAt) * rate) / 1000);
      const total = target.loop ? due : Math.min(due, bytes.length);
      while (sent < total) {
        const offset = sent % bytes.length;
        const n = Math.min(total - sent, bytes.length - offset);
        r.data(bytes.subarray(offset, offset + n));
        sent += n;
      }
      if (!target.loop && sent >= bytes.length) finish(r, `end of ${target.path}`);
      else timer = setTimeout(tick, TICK_MS);
    };
    timer = setTimeout(tick, TICK_MS);
  }

  async function run(r: StateReporter): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = decodeCaptureFile(new Uint8Array(await readFile(target.path)));
    } catch (err) {
      return finish(r, `cannot read ${target.path}: ${errorText(err)}`);
    }
    if (stopped) return;
    r.set('connected', `${target.path}: ${bytes.length} bytes`);
    if (bytes.length === 0) return finish(r, `${target.path} is empty`);
    if (target.bytesPerSecond === undefined) emitFast(r, bytes, 0);
    else emitPaced(r, bytes, target.bytesPerSecond);
  }

  return {
    description,
    start(handlers: SourceHandlers) {
      if (reporter || stopped) return;
      reporter = createStateReporter(handlers);
      reporter.set('connecting', description);
      void run(reporter);
    },
    async stop() {
      stopped = true;
      reporter?.silence();
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
    recycle() {
      // A file has no connection to drop; the replay simply continues.
    },
  };
}
