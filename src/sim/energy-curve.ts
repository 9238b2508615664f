/**
 * The simulated household's expected demand and solar production over a day, and the energy they add up to
 * since a fixed epoch. Counters derived from wall-clock time grow across restarts of the simulator like a real
 * meter's: a restarted demo meter never reports less energy than before (no negative deltas in rollups, no
 * "meter reset" for Home Assistant), with no state to keep.
 */

export const SIM_EPOCH_MS = Date.UTC(2024, 0, 1);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Central European standard time, roughly the meters' local time (DST is ignored for the curve). */
const LOCAL_OFFSET_MS = 3_600_000;
const SOLAR_CAPACITY_W = 3000;

/** Household demand in W for an hour of the day (0-24): night base, morning and evening peaks. */
export function demandCurve(h: number): number {
  const peak = (mid: number, width: number, height: number) => height * Math.exp(-((h - mid) ** 2) / (2 * width ** 2));
  return 250 + peak(7.5, 1, 900) + peak(12.5, 1.5, 500) + peak(19, 1.8, 1600);
}

/** Solar production in W (clear-sky bell between 6 and 20 h). */
export function solarCurve(h: number, capacityW = SOLAR_CAPACITY_W): number {
  return h < 6 || h > 20 ? 0 : capacityW * Math.sin(((h - 6) / 14) * Math.PI) ** 2;
}

/** DSMR tariff: 1 (low) at night, 2 (normal) from 7 to 23 h. */
export function tariffAt(h: number): 1 | 2 {
  return h >= 7 && h < 23 ? 2 : 1;
}

/** Local hour of the day (0-24) at a unix time. */
export function localHour(ms: number): number {
  return (((ms + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / 3_600_000;
}

/** Gas use in m³ per hour: heating and hot water by day, little at night. */
function gasRate(h: number): number {
  return h > 6 && h < 22 ? 0.2 : 0.05;
}

export interface Totals {
  importT1Wh: number; importT2Wh: number; exportT1Wh: number; exportT2Wh: number; gasM3: number;
}

const FIELDS = ['importT1Wh', 'importT2Wh', 'exportT1Wh', 'exportT2Wh', 'gasM3'] as const;

/** Cumulative totals at each minute of the day (1441 entries), integrated from the expected curves. */
function dayTable(): Totals[] {
  const table: Totals[] = [{ importT1Wh: 0, importT2Wh: 0, exportT1Wh: 0, exportT2Wh: 0, gasM3: 0 }];
  const steps = 6;
  for (let m = 0; m < 1440; m++) {
    const t = { ...table[m] };
    for (let s = 0; s < steps; s++) {
      const h = (m + (s + 0.5) / steps) / 60;
      const net = demandCurve(h) - 0.95 * solarCurve(h);
      const dtH = 1 / 60 / steps;
      if (tariffAt(h) === 1) { t.importT1Wh += Math.max(0, net) * dtH; t.exportT1Wh += Math.max(0, -net) * dtH; }
      else { t.importT2Wh += Math.max(0, net) * dtH; t.exportT2Wh += Math.max(0, -net) * dtH; }
      t.gasM3 += gasRate(h) * dtH;
    }
    table.push(t);
  }
  return table;
}

/**
 * The table in integer milli-units (mWh, 10⁻⁶ m³): sums of integers below 2⁵³ are exact and every other step
 * (interpolation, scaling) rounds monotonically, so the totals never step back by a rounding error.
 */
const SCALE: Record<keyof Totals, number> = { importT1Wh: 1e3, importT2Wh: 1e3, exportT1Wh: 1e3, exportT2Wh: 1e3, gasM3: 1e6 };
let table: Totals[] | undefined;

function integerTable(): Totals[] {
  return dayTable().map((t) => {
    const out = {} as Totals;
    for (const k of FIELDS) out[k] = Math.round(t[k] * SCALE[k]);
    return out;
  });
}

/** Energy (and gas) the household drew and fed in from SIM_EPOCH_MS to `ms`: strictly a function of time. */
export function totalsSinceEpoch(ms: number): Totals {
  table ??= integerTable();
  const elapsed = Math.max(0, ms - SIM_EPOCH_MS);
  // The epoch is midnight UTC; the curve's day starts at local midnight, one hour earlier: shift by the offset.
  const minute = (elapsed % DAY_MS + LOCAL_OFFSET_MS) / MINUTE_MS;
  const wrapped = minute >= 1440 ? minute - 1440 : minute;
  const fullDays = Math.floor(elapsed / DAY_MS) + (minute >= 1440 ? 1 : 0);
  const i = Math.floor(wrapped);
  const f = wrapped - i;
  const out = {} as Totals;
  for (const k of FIELDS) {
    // Less the part of the first local day before the epoch, so the totals start at 0 there.
    const whole = fullDays * table[1440][k] - table[LOCAL_OFFSET_MS / MINUTE_MS][k];
    out[k] = (whole + table[i][k] + (table[i + 1][k] - table[i][k]) * f) / SCALE[k];
  }
  return out;
}
