/**
 * DLMS general-block-transfer (IEC 62056-5-3 §9.3.10, APDU tag 0xE0): a long APDU sent as numbered blocks
 * `E0 | block-control | block-number u16 | block-number-ack u16 | raw-data (A-XDR length + bytes)`.
 * block-control: bit 7 last-block, bit 6 streaming, bits 0-5 window size. Push meters (Landis+Gyr E450) stream
 * blocks 1..n; this assembler joins them in order and reports gaps instead of guessing.
 */
import { MeterError } from '../errors.js';
import { AXDR_LENGTH_MAX, axdrLengthSize, LENGTH_NEED, readAxdrLength } from '../bytes/axdr-length.js';
import { discard } from './link-scanner.js';
import { arenaConcat, arenaCopy, createByteArena } from './byte-arena.js';
import type { FrameKind, FramerEvent } from './types.js';

export const GBT_TAG = 0xe0;

export interface GbtBlock {
  lastBlock: boolean;
  streaming: boolean;
  window: number;
  blockNumber: number;
  blockNumberAck: number;
  rawData: Uint8Array;
}

/** A message given up on: what had arrived of it. */
export interface GbtDrop {
  reason: string;
  partial: Uint8Array;
  blocks: number;
}

export type GbtStep =
  | { done: Uint8Array; blocks: number; dropped?: GbtDrop }
  | { pending: true; dropped?: GbtDrop }
  | { discarded: string; error?: MeterError; dropped?: GbtDrop };

export interface GbtAssembler {
  push(apdu: Uint8Array): GbtStep;
  /** Gives up the unfinished message, if any (end of input); the assembler is empty afterwards. */
  flush(): GbtDrop | undefined;
}

/** Reads one block; throws MeterError BAD_FRAME when it is not a well-formed general-block-transfer APDU. */
export function decodeGbtBlock(apdu: Uint8Array): GbtBlock {
  const bad = (why: string): MeterError => new MeterError('BAD_FRAME', 'framing', `general-block-transfer: ${why}`);
  if (apdu.length < 7 || apdu[0] !== GBT_TAG) throw bad('too short or not tag 0xE0');
  const len = readAxdrLength(apdu, 6, apdu.length, AXDR_LENGTH_MAX);
  if (len < 0) throw bad(len === LENGTH_NEED ? 'raw-data length cut short' : 'invalid raw-data length');
  const o = 6 + axdrLengthSize(apdu[6]);
  if (o + len !== apdu.length) throw bad(`raw-data length ${len} does not match the ${apdu.length - o} bytes present`);
  const bc = apdu[1];
  return {
    lastBlock: (bc & 0x80) !== 0,
    streaming: (bc & 0x40) !== 0,
    window: bc & 0x3f,
    blockNumber: (apdu[2] << 8) | apdu[3],
    blockNumberAck: (apdu[4] << 8) | apdu[5],
    rawData: apdu.subarray(o),
  };
}

export function createGbtAssembler(maxBytes = 64 * 1024): GbtAssembler {
  const arena = createByteArena();
  let parts: Uint8Array[] = [];
  let size = 0;

  function drop(reason: string): GbtDrop | undefined {
    if (parts.length === 0) return undefined;
    const d = { reason, partial: arenaConcat(arena, parts), blocks: parts.length };
    parts = [];
    size = 0;
    return d;
  }

  return {
    push(apdu: Uint8Array): GbtStep {
      let block: GbtBlock;
      try {
        block = decodeGbtBlock(apdu);
      } catch (e) {
        return { discarded: (e as MeterError).message, error: e as MeterError };
      }
      let dropped: GbtDrop | undefined;
      if (block.blockNumber === 1) {
        dropped = drop(`GBT message incomplete: ${parts.length} block(s) received, a new message started`);
      } else if (block.blockNumber !== parts.length + 1 || parts.length === 0) {
        const d = drop(`GBT message incomplete: block ${block.blockNumber} arrived after block ${parts.length}`);
        return { discarded: `GBT block ${block.blockNumber} out of sequence (expected ${parts.length + 1})`, dropped: d };
      }
      if (size + block.rawData.length > maxBytes) {
        const d = drop(`GBT message exceeds ${maxBytes} bytes`);
        return { discarded: 'GBT message too large', error: new MeterError('LIMIT_EXCEEDED', 'framing',
          `general-block-transfer message exceeds ${maxBytes} bytes`), dropped: d ?? dropped };
      }
      parts.push(arenaCopy(arena, block.rawData));
      size += block.rawData.length;
      if (!block.lastBlock) return dropped ? { pending: true, dropped } : { pending: true };
      const blocks = parts.length;
      const done = arenaConcat(arena, parts);
      parts = [];
      size = 0;
      return dropped ? { done, blocks, dropped } : { done, blocks };
    },
    flush(): GbtDrop | undefined {
      return drop(`GBT message incomplete at end of input: ${parts.length} block(s) received, last-block flag missing`);
    },
  };
}

/**
 * Turns a reassembled link-layer APDU into events: plain APDUs become a frame; 0xE0 blocks go through the
 * assembler and become a frame once the last block is in. `frames` counts link frames behind this APDU.
 */
export interface ApduDelivery {
  deliver(payload: Uint8Array, frames: number, bytes: number): FramerEvent[];
  flush(): FramerEvent[];
}

export function createApduDelivery(kind: FrameKind, maxBytes: number): ApduDelivery {
  const gbt = createGbtAssembler(maxBytes);
  let gbtFrames = 0; // link frames behind the blocks held by the assembler
  let gbtBytes = 0;

  const dropEvent = (d: GbtDrop, bytes: number): FramerEvent => discard(kind, bytes, d.reason,
    new MeterError('TRUNCATED', 'framing', d.reason), d.partial);

  return {
    deliver(payload, frames, bytes) {
      if (payload.length === 0) return [discard(kind, bytes, 'empty information field')];
      if (payload[0] !== GBT_TAG) return [{ type: 'frame', kind, payload, segments: frames }];
      const r = gbt.push(payload);
      const events: FramerEvent[] = [];
      if (r.dropped) events.push(dropEvent(r.dropped, gbtBytes));
      if (r.dropped || 'discarded' in r) gbtFrames = gbtBytes = 0;
      if ('discarded' in r) {
        events.push(discard(kind, bytes, r.discarded, r.error));
      } else if ('done' in r) {
        events.push({ type: 'frame', kind, payload: r.done, segments: gbtFrames + frames });
        gbtFrames = gbtBytes = 0;
      } else {
        gbtFrames += frames;
        gbtBytes += bytes;
      }
      return events;
    },
    flush() {
      const d = gbt.flush();
      const events = d ? [dropEvent(d, gbtBytes)] : [];
      gbtFrames = gbtBytes = 0;
      return events;
    },
  };
}
