/**
 * The telegram variants the proxy synthesizes (`?spec=`), one per object set a DSMR tool looks for:
 * - `5`: the DSMR 5.0.2 P1 object set, as a Dutch meter sends it. Home Assistant "DSMR 5" (and "4"), dsmr_parser
 *   V5/V4, dsmr-reader "DSMR 4/5" read their energy from the tariff registers 1.8.1/1.8.2/2.8.1/2.8.2.
 * - `5L`: `5` plus the totals 1-0:1.8.0/2.8.0 and the logical device name 0-0:42.0.0, as the Luxembourg Smarty
 *   sends them: Home Assistant "DSMR 5L" keys the meter on 0-0:42.0.0 (setup fails without it) and makes its
 *   total import/export sensors from 1.8.0/2.8.0 (also what "5S" reads).
 * - `5B`: `5` with the Belgian version line 0-0:96.1.4 in place of 1-3:0.2.8, as Fluvius meters send it, for
 *   Home Assistant "DSMR 5B" and dsmr_parser BELGIUM_FLUVIUS (they read the same lines as `5`).
 */
import { meterError } from '../../core/errors.js';
import { redactUrl } from '../../redact/index.js';

export const DSMR_SPECS = ['5', '5L', '5B'] as const;
export type DsmrSpec = (typeof DSMR_SPECS)[number];

export const DEFAULT_DSMR_SPEC: DsmrSpec = '5';

export function isDsmrSpec(value: string): value is DsmrSpec {
  return (DSMR_SPECS as readonly string[]).includes(value);
}

/** The `spec` option of an output URL; BAD_URL naming the allowed values otherwise. */
export function parseDsmrSpec(raw: string | null, url: string): DsmrSpec {
  if (raw === null) return DEFAULT_DSMR_SPEC;
  if (isDsmrSpec(raw)) return raw;
  throw meterError('BAD_URL',
    `${redactUrl(url)}: spec must be one of ${DSMR_SPECS.join(', ')} (default ${DEFAULT_DSMR_SPEC}), got "${raw}"`);
}
