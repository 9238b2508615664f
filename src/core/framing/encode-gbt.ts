/**
 * Encoder for DLMS general-block-transfer (IEC 62056-5-3 §9.3.10): splits an APDU into 0xE0 blocks the way
 * push meters stream them (streaming bit set, window 0, block-number-ack 0, last-block flag on the final block).
 * Used for the project's own fixtures and the simulator.
 */
import { MeterError } from '../errors.js';
import { encodeAxdrLength } from '../bytes/axdr-length.js';

/** One block per `blockSize` bytes of raw data (at least one block, even for an empty APDU). */
export function encodeGbtBlocks(apdu: Uint8Array, blockSize: number): Uint8Array[] {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new MeterError('BAD_VALUE', 'framing', `GBT block size must be a positive integer, got ${blockSize}`);
  }
  const count = Math.max(1, Math.ceil(apdu.length / blockSize));
  if (count > 0xffff) throw new MeterError('LIMIT_EXCEEDED', 'framing', `APDU needs ${count} GBT blocks (max 65535)`);
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const raw = apdu.subarray(i * blockSize, (i + 1) * blockSize);
    const len = encodeAxdrLength(raw.length);
    const block = new Uint8Array(6 + len.length + raw.length);
    const last = i === count - 1;
    block.set([0xe0, last ? 0xc0 : 0x40, (i + 1) >> 8, (i + 1) & 0xff, 0, 0]);
    block.set(len, 6);
    block.set(raw, 6 + len.length);
    blocks.push(block);
  }
  return blocks;
}
