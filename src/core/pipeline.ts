/**
 * The decoding pipeline (DESIGN §1): bytes → framer → envelope/security → DSMR or DLMS decoder → profile →
 * normalised message. Pure: AES comes in through the AesGcm port. Every frame yields one message or one
 * error message; nothing here throws for bad input, so a long-running reader cannot be crashed by a meter.
 */
import { MeterError, type LayerOf } from './errors.js';
import { createFramer, type FramingFormat } from './framing/auto-framer.js';
import type { FrameEvent, FramerEvent } from './framing/types.js';
import type { AesGcm } from './security/aes-gcm.js';
import type { Profile } from './profiles/types.js';
import type { DecodeResult, ErrorMessage, MessageFormat } from './model/message.js';
import { decodeApdu, decodeDsmrFrame, type PayloadContext } from './decode-payload.js';
import { decodePartialApdu } from './decode-partial.js';
import { createReadingFactory } from './model/reading-factory.js';
import { hasTag } from './security/security-control.js';

export interface PipelineOptions {
  aes: AesGcm;
  key?: Uint8Array;
  authKey?: Uint8Array;
  /** Forces a profile; otherwise one is chosen per message from the system title and list shape. */
  profile?: Profile;
  /** Profiles to choose from automatically (builtin plus user files). */
  profiles?: readonly Profile[];
  format?: FramingFormat;
  /** Adds the decrypted APDU as hex to each message (diagnostics; contains meter data, never keys). */
  includeApdu?: boolean;
  /** Attaches a DSMR meter's telegram to its message as the non-enumerable `telegram` (for the DSMR proxy). */
  keepTelegram?: boolean;
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

export function decodeFrameEvent(ev: FrameEvent, ctx: PayloadContext): DecodeResult {
  const format: MessageFormat = ev.kind;
  try {
    return ev.kind === 'dsmr' ? decodeDsmrFrame(ev.payload, ctx) : decodeApdu(ev.payload, format, ctx);
  } catch (e) {
    return errorMessage(e, format);
  }
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const framer = createFramer(options.format ?? 'auto');
  const ctx: PayloadContext = {
    ...options, obisCache: new Map(), profileCache: new Map(), readingFactory: createReadingFactory(true),
  };
  const stats: PipelineStats = { frames: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0 };

  /** At end of input, a message cut short is decoded as far as it arrived (flagged), else reported. */
  function partialOrError(ev: FramerEvent & { type: 'discarded' }): DecodeResult | undefined {
    if (!ev.error) return undefined;
    if (ev.partial && ev.partial.length && ev.error.code === 'TRUNCATED' && ev.kind && ev.kind !== 'dsmr') {
      try {
        return decodePartialApdu(ev.partial, ev.kind, ctx, ev.reason);
      } catch (e) {
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
        result = decodeFrameEvent(ev, ctx);
      } else {
        stats.discardedBytes += ev.bytes;
        stats.resyncs++;
        result = atEnd ? partialOrError(ev) : ev.error && errorMessage(ev.error, ev.kind);
      }
      if (!result) continue;
      if ('error' in result) stats.errors[result.error.code] = (stats.errors[result.error.code] ?? 0) + 1;
      else {
        stats.messages++;
        if (result.security?.securityControl !== undefined && !result.security.authenticated && hasTag(result.security.securityControl)) stats.unverified++;
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
