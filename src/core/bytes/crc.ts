/**
 * Checksums of the framings we read:
 * - DSMR P1 (NEN-EN 62056-21 / DSMR 5.0.2 §6.2): CRC-16/ARC, polynomial 0x8005 reflected (0xA001), init 0.
 * - HDLC HCS/FCS (IEC 62056-46, RFC 1662): CRC-16/X.25, poly 0x1021 reflected (0x8408), init/xorout 0xFFFF.
 * - M-Bus long frame (EN 13757-2): 8-bit arithmetic sum of C..user data.
 */

function makeTable(poly: number): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  return t;
}

const ARC_TABLE = makeTable(0xa001);
const X25_TABLE = makeTable(0x8408);

export function crc16Arc(bytes: Uint8Array, start = 0, end = bytes.length, init = 0): number {
  let crc = init;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ ARC_TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

/** CRC-16/ARC over the char codes of a string (DSMR telegrams are ASCII). */
export function crc16ArcText(text: string, start = 0, end = text.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ ARC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff];
  return crc;
}

export function crc16X25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ X25_TABLE[(crc ^ bytes[i]) & 0xff];
  return (crc ^ 0xffff) & 0xffff;
}

export function mbusChecksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i];
  return sum & 0xff;
}
