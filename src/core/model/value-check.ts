/**
 * Can a value be what its OBIS code measures? (DESIGN §7 "plausible"). One check for DSMR lines and DLMS
 * registers: a number is needed for energy, power, voltage, current, frequency, power factor, volumes and angles
 * (text there means the line or list was misread), and a number must be within its quantity's plausible range.
 * The registry lookup is made once per interned code.
 */
import { describeObis } from '../obis/registry.js';
import type { Quantity } from '../obis/registry-types.js';
import { describeRange, judgeValue } from '../obis/plausibility.js';
import type { ReadingValue } from './message.js';
import type { ObisCode } from './reading-factory.js';

export type ValueVerdict = 'ok' | 'not-a-number' | 'implausible';

/** Quantities whose value must be a number. */
const NUMERIC: ReadonlySet<Quantity> = new Set<Quantity>(['energy', 'reactive_energy', 'apparent_energy', 'power',
  'reactive_power', 'apparent_power', 'voltage', 'current', 'frequency', 'power_factor', 'volume', 'angle']);

export function quantityOfCode(code: ObisCode): Quantity {
  const info = code.info ?? (code.info = describeObis(code.obis));
  return info.quantity;
}

export function checkValue(code: ObisCode, value: ReadingValue, unit: string | undefined): ValueVerdict {
  const quantity = quantityOfCode(code);
  if (!NUMERIC.has(quantity)) return 'ok';
  if (typeof value !== 'number') return 'not-a-number';
  return judgeValue(quantity, value, unit) === 'implausible' ? 'implausible' : 'ok';
}

/** The issue text for a verdict other than 'ok'. */
export function describeVerdict(code: ObisCode, verdict: Exclude<ValueVerdict, 'ok'>, value: ReadingValue, unit: string | undefined,
  what?: string): { code: string; message: string } {
  const quantity = quantityOfCode(code).replace('_', ' ');
  if (verdict === 'not-a-number') {
    return { code: 'VALUE_TYPE_MISMATCH', message: `${code.obis}: a ${quantity} register holds ${what ?? JSON.stringify(value)}, ` +
      'not a number: value not read' };
  }
  return { code: 'IMPLAUSIBLE_VALUE', message: `${code.obis}: ${value}${unit ? ` ${unit}` : ''} is outside the plausible range of ` +
    `a ${quantity} (${describeRange(quantityOfCode(code))})` };
}
