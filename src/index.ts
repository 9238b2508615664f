/**
 * meterwire library entry point.
 *
 *   const decoder = createDecoder({ key: 'GUEK hex', authKey: 'GAK hex' });
 *   for (const msg of decoder.push(chunk)) console.log(msg);
 *
 * `push` takes any slice of the byte stream; `decode` decodes a complete capture (bytes, hex or DSMR text).
 * Without Node (browsers, workers): `meterwire/core`, the same decoder with AES-GCM passed in (src/core/index.ts).
 */
import { createPipeline, type Pipeline, type PipelineStats } from './core/pipeline.js';
import { nodeAesGcm } from './crypto/node-aes-gcm.js';
import { resolveDecoderOptions, type DecoderOptions } from './decoder-options.js';
import { inputToBytes } from './input-bytes.js';
import type { DecodeResult } from './core/model/message.js';

export type { DecoderOptions } from './decoder-options.js';
// Everything the pure entry (meterwire/core) offers, plus the Node decoder below.
export * from './core/index.js';

export interface Decoder {
  /** Feeds any slice of the byte stream; returns the messages (and error messages) it completed. */
  push(chunk: Uint8Array): DecodeResult[];
  /** End of input: completes what the framing allows (e.g. a final HDLC frame without closing flag). */
  flush(): DecodeResult[];
  readonly stats: PipelineStats;
}

/** Creates a streaming decoder. Throws MeterError (BAD_KEY, UNKNOWN_PROFILE) for bad options. */
export function createDecoder(options: DecoderOptions = {}): Decoder {
  const pipeline: Pipeline = createPipeline({ ...resolveDecoderOptions(options), aes: nodeAesGcm });
  return pipeline;
}

/** Decodes a complete capture: bytes, a hex string, or DSMR telegram text. */
export function decode(input: Uint8Array | string, options: DecoderOptions = {}): DecodeResult[] {
  const decoder = createDecoder(options);
  return [...decoder.push(inputToBytes(input)), ...decoder.flush()];
}
