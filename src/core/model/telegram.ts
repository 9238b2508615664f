/**
 * The decrypted DSMR telegram a message came from (Luxembourg Smarty, Steiermark T210-D-r, plain DSMR P1).
 * It rides along as a NON-enumerable property so that JSON output, MQTT payloads and database documents stay
 * exactly the message contract (DESIGN §4), while the DSMR proxy can still forward the meter's own telegram
 * byte for byte instead of a re-encoded one.
 */
import type { MeterMessage } from './message.js';

/** Attaches the telegram text (latin1, `/…!CRC\r\n`) to a message; returns the same message. */
export function attachTelegram<M extends MeterMessage>(msg: M, text: string): M {
  Object.defineProperty(msg, 'telegram', { value: text, enumerable: false, writable: true, configurable: true });
  return msg;
}

/** The attached telegram, when the message carried one. */
export function telegramOf(msg: MeterMessage): string | undefined {
  const t = (msg as { telegram?: unknown }).telegram;
  return typeof t === 'string' && t.length > 0 ? t : undefined;
}
