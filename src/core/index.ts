/**
 * meterwire's pure library entry (`meterwire/core`): the whole decoding core without node:crypto or any other
 * Node module, for browsers, workers and other runtimes. AES-128-GCM comes in as the `AesGcm` port:
 *
 *   import { createPipeline } from 'meterwire/core';
 *   const decoder = createPipeline({ aes: myAesGcm, key: parseKey('…', 'GUEK') });
 *   for (const msg of decoder.push(chunk)) …
 *
 * The Node entry (`meterwire`) is this plus `createDecoder`/`decode` with node:crypto plugged in.
 */
export { createPipeline, errorMessage, type Pipeline, type PipelineOptions, type PipelineStats } from './pipeline.js';
export type { AesGcm } from './security/aes-gcm.js';
export type { FramingFormat } from './framing/auto-framer.js';
export type {
  DecodeResult, ErrorMessage, MeterMessage, Reading, QualityFlag, MeterInfo, SecurityInfo, MessageIssue,
} from './model/message.js';
export { isErrorMessage } from './model/message.js';
export { ERROR_CODES, MeterError, isMeterError, type ErrorCode, type ErrorLayer } from './errors.js';
export type { Profile, PositionalField, PositionalLayout } from './profiles/types.js';
export { listProfiles, getProfile } from './profiles/builtin.js';
export { parseKey } from './security/keys.js';
export { hexToBytes, bytesToHex } from './bytes/hex.js';
export { formatObis, parseObis } from './obis/obis.js';
