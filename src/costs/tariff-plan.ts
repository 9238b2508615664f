/**
 * The zod-free part of the tariffs: what the cost engine needs at run time. The schema (tariff-schema.ts, with
 * zod) is loaded only where a config file is validated, so a dashboard without one never loads zod (~14 MB).
 */
import { meterError } from '../core/errors.js';
import type { Plan, TariffsConfig } from './tariff-schema.js';

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * The plan a meter is billed on: its mapping, else the default, else the only plan. A meter that matches none of
 * several plans is a BAD_CONFIG error, not a guess.
 */
export function planFor(config: TariffsConfig, meterId: string): Plan {
  const names = Object.keys(config.plans);
  const name = config.meters?.[meterId] ?? config.default ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw meterError('BAD_CONFIG', `meter "${meterId}" has no tariff plan: map it under tariffs.meters or set tariffs.default`);
  }
  return config.plans[name];
}
