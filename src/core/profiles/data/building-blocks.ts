/** Serial settings and positional-field helpers the built-in profiles share. */
import type { PositionalField, SerialSettings } from '../types.js';

export const P1_115200_8N1: SerialSettings = { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 };
export const DSMR22_9600_7E1: SerialSettings = { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 };
export const MBUS_2400_8E1: SerialSettings = { baudRate: 2400, dataBits: 8, parity: 'even', stopBits: 1 };
export const MBUS_2400_8N1: SerialSettings = { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 };
export const IR_9600_8N1: SerialSettings = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };

/** The message timestamp in a positional list (a COSEM date-time element). */
export const TIMESTAMP: PositionalField = { obis: '0-0:1.0.0', role: 'timestamp' };

/** A uint32 register value without scaler on the wire. */
export const u32 = (obis: string, unit: string, scaler = 0): PositionalField => ({ obis, scaler, unit, type: 'uint32' });
/** A uint16 register value without scaler on the wire. */
export const u16 = (obis: string, unit: string, scaler = 0): PositionalField => ({ obis, scaler, unit, type: 'uint16' });
