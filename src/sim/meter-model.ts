/**
 * A simulated household meter: energy counters grow with the power drawn, power follows a daily curve with
 * noise (and midday solar export), voltages wander around 230 V. Pure: time and the seed come in, so a test
 * replays the exact same readings.
 */
import { demandCurve, localHour, SIM_EPOCH_MS, solarCurve, tariffAt, totalsSinceEpoch } from './energy-curve.js';

export interface MeterState {
  /** Unix milliseconds of this sample. */
  timeMs: number;
  energyImportWh: number;
  energyImportT1Wh: number;
  energyImportT2Wh: number;
  energyExportWh: number;
  energyExportT1Wh: number;
  energyExportT2Wh: number;
  reactiveImportVarh: number;
  reactiveExportVarh: number;
  powerImportW: number;
  powerExportW: number;
  reactivePowerImportVar: number;
  reactivePowerExportVar: number;
  voltage: [number, number, number];
  current: [number, number, number];
  powerFactor: number;
  gasM3: number;
  /** 1 (low/night) or 2 (normal/day) tariff, DSMR style. */
  tariff: 1 | 2;
}

/** mulberry32: a tiny seeded PRNG, good enough for plausible noise (and for tests that want repeatable data). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MeterModelOptions {
  seed?: number;
  /** Start time (unix ms). */
  startMs: number;
  solarCapacityW?: number;
}

export interface MeterModel {
  /** Advances the model to `nowMs` (monotonic) and returns the state. */
  step(nowMs: number): MeterState;
}

/** Counters when the epoch began: a meter with some years of history. */
const BASE = { importT1Wh: 1_686_000, importT2Wh: 2_529_000, exportT1Wh: 310_000, exportT2Wh: 880_000,
  reactiveImportVarh: 152_000, reactiveExportVarh: 1_023_000, gasM3: 1523.412 };

export function createMeterModel(o: MeterModelOptions): MeterModel {
  const rnd = prng(o.seed ?? 1);
  const solar = o.solarCapacityW ?? 3000;
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  let timeMs = o.startMs;

  return {
    step(nowMs) {
      timeMs = Math.max(nowMs, timeMs);
      const hour = localHour(timeMs);
      // Counters are the expected curves integrated since a fixed epoch (energy-curve.ts): a function of the time
      // alone, so they keep growing across restarts; the noise below only moves the instantaneous values.
      const t = totalsSinceEpoch(timeMs);
      const hours = Math.max(0, timeMs - SIM_EPOCH_MS) / 3_600_000;
      const net = demandCurve(hour) * (0.85 + 0.3 * rnd()) - solarCurve(hour, solar) * (0.9 + 0.1 * rnd());
      const powerImportW = Math.round(Math.max(0, net));
      const powerExportW = Math.round(Math.max(0, -net));
      const energyImportT1Wh = BASE.importT1Wh + t.importT1Wh, energyImportT2Wh = BASE.importT2Wh + t.importT2Wh;
      const energyExportT1Wh = BASE.exportT1Wh + t.exportT1Wh, energyExportT2Wh = BASE.exportT2Wh + t.exportT2Wh;
      const importWh = energyImportT1Wh + energyImportT2Wh;
      const voltage = [0, 1, 2].map(() => round(229 + 4 * rnd() - (powerImportW / 3000), 1)) as [number, number, number];
      const perPhase = (powerImportW + powerExportW) / 3;
      const current = [0, 1, 2].map((i) => round(Math.max(0, perPhase * (0.7 + 0.6 * rnd()) / voltage[i]), 2)) as [number, number, number];
      return {
        timeMs, tariff: tariffAt(hour),
        energyImportWh: importWh, energyImportT1Wh, energyImportT2Wh,
        energyExportWh: energyExportT1Wh + energyExportT2Wh, energyExportT1Wh, energyExportT2Wh,
        // Reactive energy: the mean of the reactive power below (6 % of the import, about 100 var fed in).
        reactiveImportVarh: BASE.reactiveImportVarh + 0.06 * (t.importT1Wh + t.importT2Wh),
        reactiveExportVarh: BASE.reactiveExportVarh + 100 * hours,
        powerImportW, powerExportW,
        reactivePowerImportVar: Math.round(powerImportW * 0.12 * rnd()),
        reactivePowerExportVar: Math.round(80 + 40 * rnd()),
        voltage, current, powerFactor: round(0.9 + 0.1 * rnd(), 3), gasM3: BASE.gasM3 + t.gasM3,
      };
    },
  };
}
