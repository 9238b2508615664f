/** What a simulated meter reports for an OBIS code (C.D.E, any B), in the unit given, from its state. */
import { parseObis } from '../core/obis/obis.js';
import type { MeterState } from './meter-model.js';

type Getter = (s: MeterState) => number;

/** Base-unit getters (Wh, W, varh, var, V, A) keyed by "C.D.E". */
const GETTERS: Record<string, Getter> = {
  '1.8.0': (s) => s.energyImportWh, '1.8.1': (s) => s.energyImportT1Wh, '1.8.2': (s) => s.energyImportT2Wh,
  '2.8.0': (s) => s.energyExportWh, '2.8.1': (s) => s.energyExportT1Wh, '2.8.2': (s) => s.energyExportT2Wh,
  '3.8.0': (s) => s.reactiveImportVarh, '3.8.1': (s) => s.reactiveImportVarh,
  '4.8.0': (s) => s.reactiveExportVarh, '4.8.1': (s) => s.reactiveExportVarh,
  '1.7.0': (s) => s.powerImportW, '2.7.0': (s) => s.powerExportW,
  '3.7.0': (s) => s.reactivePowerImportVar, '4.7.0': (s) => s.reactivePowerExportVar,
  '21.7.0': (s) => s.powerImportW / 3, '41.7.0': (s) => s.powerImportW / 3, '61.7.0': (s) => s.powerImportW / 3,
  '22.7.0': (s) => s.powerExportW / 3, '42.7.0': (s) => s.powerExportW / 3, '62.7.0': (s) => s.powerExportW / 3,
  '32.7.0': (s) => s.voltage[0], '52.7.0': (s) => s.voltage[1], '72.7.0': (s) => s.voltage[2],
  '31.7.0': (s) => s.current[0], '51.7.0': (s) => s.current[1], '71.7.0': (s) => s.current[2],
  '13.7.0': (s) => s.powerFactor, '14.7.0': () => 50, '96.14.0': (s) => s.tariff, '24.2.1': (s) => s.gasM3,
};

/** Units whose value is the base unit divided by 1000. */
const KILO: Record<string, true> = { kWh: true, kW: true, kvar: true, kvarh: true };

/** Rounds to what a meter with this scaler can send (e.g. scaler -1 → 0.1 steps), without float noise. */
export function quantize(x: number, scaler: number): number {
  return scaler < 0 ? Math.round(x * 10 ** -scaler) / 10 ** -scaler : Math.round(x / 10 ** scaler) * 10 ** scaler;
}

/** The value for `obis` in `unit`, quantised to `scaler`; undefined when the model has no such quantity. */
export function stateValue(s: MeterState, obis: string, unit: string | undefined, scaler: number): number | undefined {
  return stateGetter(obis, unit, scaler)?.(s);
}

/** `stateValue` with the code parsed once, for callers that read the same codes from many states (fleet). */
export function stateGetter(obis: string, unit: string | undefined, scaler: number): ((s: MeterState) => number) | undefined {
  const g = parseObis(obis);
  const get = GETTERS[`${g[2]}.${g[3]}.${g[4]}`];
  if (!get) return undefined;
  const kilo = unit !== undefined && KILO[unit] === true;
  return (s) => quantize(kilo ? get(s) / 1000 : get(s), scaler);
}
