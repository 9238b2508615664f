/**
 * M-Bus sub-meters added to a plaintext DSMR telegram (the simulator's DSMR recipes send none): per meter its
 * channel's device type (EN 13757-3: 3 gas, 7 water), equipment id and a timestamped volume in m3, inserted before
 * the `!` and the CRC recomputed, so the decoder gives the readings their ids by medium (gas_volume, water_volume).
 */
import { crc16ArcText } from '../../src/core/bytes/crc.js';

export interface MbusMeter { channel: number; deviceType: number; m3: number }

function dsmrStamp(timeMs: number): string {
  const d = new Date(timeMs);
  return [d.getUTCFullYear() % 100, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0')).join('');
}

export function withMbusMeters(bytes: Uint8Array, meters: readonly MbusMeter[], timeMs: number): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  const end = text.indexOf('!');
  if (end < 0) throw new Error('not a DSMR telegram');
  const lines = meters.map(({ channel: n, deviceType, m3 }) => `0-${n}:24.1.0(${String(deviceType).padStart(3, '0')})\r\n`
    + `0-${n}:96.1.0(47303033393030313735303035303131${String(n).padStart(2, '0')})\r\n`
    + `0-${n}:24.2.1(${dsmrStamp(timeMs)}W)(${m3.toFixed(3).padStart(9, '0')}*m3)\r\n`).join('');
  const body = `${text.slice(0, end)}${lines}!`;
  return new Uint8Array(Buffer.from(`${body}${crc16ArcText(body).toString(16).toUpperCase().padStart(4, '0')}\r\n`, 'latin1'));
}
