/** Numeric command-line flags: a wrong value is one BAD_CONFIG error naming the flag, never an INTERNAL one. */
import { meterError } from '../core/errors.js';

export function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
    throw meterError('BAD_CONFIG', `${flag} expects a positive whole number, got "${text}"`);
  }
  return n;
}

export function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw meterError('BAD_CONFIG', `${flag} expects a positive number, got "${text}"`);
  return n;
}
