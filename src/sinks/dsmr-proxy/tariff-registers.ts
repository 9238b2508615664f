/**
 * DSMR 5 has no total energy register: tools read import from 1.8.1 + 1.8.2 and export from 2.8.1 + 2.8.2.
 * A meter with exactly those two tariff registers keeps its own; any other meter (one total, or tariffs 3 and
 * 4 the pair would miss) gets tariff 1 = its total and tariff 2 = 0, so the pair always sums to the total. The
 * choice depends only on which codes the meter sends, never on their values, so it cannot flip between two
 * telegrams of a meter and make a register jump.
 */
import type { MessageValues } from './message-values.js';

export interface TariffPair {
  t1: number;
  t2: number;
  /** True when t1 is the meter's total and t2 the filler 0. */
  fromTotal: boolean;
}

/** The Wh of tariffs 1 and 2 for import (`c` = 1) or export (`c` = 2), or undefined when the meter has neither. */
export function tariffPair(values: MessageValues, c: 1 | 2): TariffPair | undefined {
  const wh = (tariff: number): number | undefined => values.number(`1-0:${c}.8.${tariff}`, 'Wh');
  const t1 = wh(1), t2 = wh(2);
  const more = values.reading(`1-0:${c}.8.3`) !== undefined || values.reading(`1-0:${c}.8.4`) !== undefined;
  if (t1 !== undefined && t2 !== undefined && !more) return { t1, t2, fromTotal: false };
  const total = wh(0);
  return total === undefined ? undefined : { t1: total, t2: 0, fromTotal: true };
}

/**
 * 0-0:96.14.0 as S4 (`0002`): the meter's indicator with its own tariff registers; `0001` when tariff 1
 * carries the totals (the only register that counts); nothing when it cannot be known.
 */
export function tariffIndicator(values: MessageValues, pairs: ReadonlyArray<TariffPair | undefined>): string | undefined {
  const present = pairs.filter((p): p is TariffPair => p !== undefined);
  if (present.length === 0) return undefined;
  if (present.every((p) => p.fromTotal)) return '0001';
  if (present.some((p) => p.fromTotal)) return undefined; // one direction split by the meter, one not: no single indicator
  const raw = values.reading('0-0:96.14.0')?.value;
  const text = raw === undefined ? '' : String(raw);
  return /^\d{1,4}$/.test(text) ? text.padStart(4, '0') : undefined;
}
