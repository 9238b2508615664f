/**
 * A simulated household meter: energy counters grow with the power drawn, power follows a daily curve with
 * noise (and midday solar export), voltages wander around 230 V. Pure: time and the seed come in, so a test
 * replays the exact same readings.
 */

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

/** Household demand in W for an hour of the day (0-24): night base, morning and evening peaks. */
function demandCurve(h: number): number {
  const peak = (mid: number, width: number, height: number) => height * Math.exp(-((h - mid) ** 2) / (2 * width ** 2));
  return 250 + peak(7.5, 1, 900) + peak(12.5, 1.5, 500) + peak(19, 1.8, 1600);
}

/** Solar production in W (clear-sky bell between 6 and 20 h). */
function solarCurve(h: number, capacityW: number): number {
  return h < 6 || h > 20 ? 0 : capacityW * Math.sin(((h - 6) / 14) * Math.PI) ** 2;
}

export interface MeterModelOptions {
  seed?: number;
  /** Start time (unix ms). */
  startMs: number;
  solarCapacityW?: number;
  /** Initial import counter (Wh). */
  energyImportWh?: number;
}

export interface MeterModel {
  /** Advances the model to `nowMs` (monotonic) and returns the state. */
  step(nowMs: number): MeterState;
}

export function createMeterModel(o: MeterModelOptions): MeterModel {
  const rnd = prng(o.seed ?? 1);
  const solar = o.solarCapacityW ?? 3000;
  const s: MeterState = {
    timeMs: o.startMs,
    energyImportWh: 0, energyImportT1Wh: (o.energyImportWh ?? 4_215_000) * 0.4, energyImportT2Wh: (o.energyImportWh ?? 4_215_000) * 0.6,
    energyExportWh: 0, energyExportT1Wh: 310_000, energyExportT2Wh: 880_000,
    reactiveImportVarh: 152_000, reactiveExportVarh: 1_023_000,
    powerImportW: 0, powerExportW: 0, reactivePowerImportVar: 0, reactivePowerExportVar: 0,
    voltage: [230, 230, 230], current: [0, 0, 0], powerFactor: 1, gasM3: 1523.412, tariff: 2,
  };
  s.energyImportWh = s.energyImportT1Wh + s.energyImportT2Wh;
  s.energyExportWh = s.energyExportT1Wh + s.energyExportT2Wh;
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

  return {
    step(nowMs) {
      const dtH = Math.max(0, nowMs - s.timeMs) / 3_600_000;
      s.timeMs = Math.max(nowMs, s.timeMs);
      const d = new Date(s.timeMs);
      const hour = d.getUTCHours() + 1 + d.getUTCMinutes() / 60; // roughly Central European local time
      s.tariff = hour >= 7 && hour < 23 ? 2 : 1;
      const net = demandCurve(hour % 24) * (0.85 + 0.3 * rnd()) - solarCurve(hour % 24, solar) * (0.9 + 0.1 * rnd());
      s.powerImportW = Math.round(Math.max(0, net));
      s.powerExportW = Math.round(Math.max(0, -net));
      s.reactivePowerImportVar = Math.round(s.powerImportW * 0.12 * rnd());
      s.reactivePowerExportVar = Math.round(80 + 40 * rnd());
      const importWh = s.powerImportW * dtH, exportWh = s.powerExportW * dtH;
      if (s.tariff === 1) { s.energyImportT1Wh += importWh; s.energyExportT1Wh += exportWh; } else { s.energyImportT2Wh += importWh; s.energyExportT2Wh += exportWh; }
      s.energyImportWh = s.energyImportT1Wh + s.energyImportT2Wh;
      s.energyExportWh = s.energyExportT1Wh + s.energyExportT2Wh;
      s.reactiveImportVarh += s.reactivePowerImportVar * dtH;
      s.reactiveExportVarh += s.reactivePowerExportVar * dtH;
      s.gasM3 += (hour > 6 && hour < 22 ? 0.4 : 0.1) * dtH * rnd();
      s.voltage = [0, 1, 2].map(() => round(229 + 4 * rnd() - (s.powerImportW / 3000), 1)) as [number, number, number];
      const perPhase = (s.powerImportW + s.powerExportW) / 3;
      s.current = [0, 1, 2].map((i) => round(Math.max(0, perPhase * (0.7 + 0.6 * rnd()) / s.voltage[i]), 2)) as [number, number, number];
      s.powerFactor = round(0.9 + 0.1 * rnd(), 3);
      return { ...s, voltage: [...s.voltage], current: [...s.current] };
    },
  };
}
