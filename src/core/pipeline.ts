/**
 * The decoding pipeline (DESIGN §1): bytes → framer → envelope/security → DSMR or DLMS decoder → profile →
 * normalised message. Pure: AES comes in through the AesGcm port. Every frame yields one message or one
 * error message; nothing here throws for bad input, so a long-running reader cannot be crashed by a meter.
 */
import { MeterError, type LayerOf } from './errors.js';
import { createFramer, type FramingFormat } from './framing/auto-framer.js';
import type { FrameEvent, FramerEvent } from './framing/types.js';
import type { DecodeResult, ErrorMessage, MessageFormat } from './model/message.js';
import { createDecodeConfig, createDecodeState, type DecodeConfig, type DecodeConfigInput, type DecodeState } from './decode-config.js';
import { decodeUnit } from './decode-unit.js';
import { decodePartialApdu } from './decode-partial.js';
import { hasTag } from './security/security-control.js';

export interface PipelineOptions extends DecodeConfigInput {
  format?: FramingFormat;
}

export interface PipelineStats {
  frames: number;
  messages: number;
  errors: Record<string, number>;
  discardedBytes: number;
  /** Discard events: each is a resync of the framer on garbage, a bad checksum or a cut frame. */
  resyncs: number;
  unverified: number;
}

export interface Pipeline {
  push(chunk: Uint8Array): DecodeResult[];
  flush(): DecodeResult[];
  readonly stats: PipelineStats;
}

export function errorMessage(e: unknown, format?: MessageFormat): ErrorMessage {
  if (e instanceof MeterError) {
    const error: ErrorMessage['error'] = { code: e.code, layer: e.layer, message: e.message };
    if (e.offset !== undefined) error.offset = e.offset;
    return format ? { error, format } : { error };
  }
  // A bug, not bad input: report it as a message so the reader keeps running (property tests hunt these).
  const message = e instanceof Error ? e.message : String(e);
  return { error: { code: 'INTERNAL', layer: 'internal', message: `internal error: ${message}` }, ...(format ? { format } : {}) };
}

/** Decodes one frame event into a message or an error message; never throws. */
export function decodeFrameEvent(ev: FrameEvent, config: DecodeConfig, state: DecodeState): DecodeResult {
  try {
    return decodeUnit(ev.kind, ev.payload, config, state);
  } catch (e) {
    return errorMessage(e, ev.kind);
  }
}

/** Errors of the security layer say what to do about the keys; a cut capture must not hide them. */
const KEPT_ON_PARTIAL: ReadonlySet<string> = new Set(['WRONG_KEY', 'MISSING_KEY', 'AUTH_REQUIRED', 'UNSUPPORTED_SECURITY']);

export function createPipeline(options: PipelineOptions): Pipeline {
  const framer = createFramer(options.format ?? 'auto');
  const config = createDecodeConfig(options);
  const state = createDecodeState(config);
  const stats: PipelineStats = { frames: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0 };

  /** At end of input, a message cut short is decoded as far as it arrived (flagged), else reported. */
  function partialOrError(ev: FramerEvent & { type: 'discarded' }): DecodeResult | undefined {
    if (!ev.error) return undefined;
    if (ev.partial && ev.partial.length && ev.error.code === 'TRUNCATED' && ev.kind && ev.kind !== 'dsmr') {
      try {
        return decodePartialApdu(ev.partial, ev.kind, config, state, ev.reason);
      } catch (e) {
        if (e instanceof MeterError && KEPT_ON_PARTIAL.has(e.code)) return errorMessage(e, ev.kind);
        const why = e instanceof Error ? e.message : String(e);
        return errorMessage(new MeterError('TRUNCATED', ev.error.layer as LayerOf<'TRUNCATED'>,
          `${ev.error.message}; the part that arrived holds no readable values (${why})`, ev.error.offset), ev.kind);
      }
    }
    return errorMessage(ev.error, ev.kind);
  }

  function handle(events: FramerEvent[], atEnd = false): DecodeResult[] {
    const out: DecodeResult[] = [];
    for (const ev of events) {
      let result: DecodeResult | undefined;
      if (ev.type === 'frame') {
        stats.frames++;
        result = decodeFrameEvent(ev, config, state);
      } else {
        stats.discardedBytes += ev.bytes;
        stats.resyncs++;
        result = atEnd ? partialOrError(ev) : ev.error && errorMessage(ev.error, ev.kind);
      }
      if (!result) continue;
      if ('error' in result) stats.errors[result.error.code] = (stats.errors[result.error.code] ?? 0) + 1;
      else {
        stats.messages++;
        const sc = result.security?.securityControl;
        if (sc !== undefined && !result.security?.authenticated && hasTag(sc)) stats.unverified++;
      }
      out.push(result);
    }
    return out;
  }

  return {
    push: (chunk) => {
      try {
        return handle(framer.push(chunk));
      } catch (e) {
        return [errorMessage(e)];
      }
    },
    flush: () => {
      try {
        return handle(framer.flush(), true);
      } catch (e) {
        return [errorMessage(e)];
      }
    },
    stats,
  };
}
