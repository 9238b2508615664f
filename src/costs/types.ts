/** What the cost engine reads (the store's rollups, price series) and what it returns to the dashboard. */

/** Energy of one meter over [start, end) (epoch ms), as the SQL rollups provide it. */
export interface EnergyInterval {
  readonly start: number;
  readonly end: number;
  readonly importWh: number;
  readonly exportWh: number;
  /** Import split by register (1-0:1.8.1 / 1-0:1.8.2 advances), when the rollup keeps it. */
  readonly importWhByTariff?: { readonly t1: number; readonly t2: number };
  /** Export split by register (1-0:2.8.1 / 1-0:2.8.2). */
  readonly exportWhByTariff?: { readonly t1: number; readonly t2: number };
  /** The meter's tariff indicator (0-0:96.14.0) throughout the interval, when the rollup keeps it. */
  readonly tariff?: 1 | 2;
}

/** One slot of a dynamic price series: the price per kWh (in the plan's currency) from `start`. */
export interface PriceSlot {
  readonly start: number;
  readonly price: number;
}

/** A 15-minute average import demand (Flanders capacity tariff); the quarter starts at `start`. */
export interface QuarterDemand {
  readonly start: number;
  readonly kw: number;
}

/** A month's peak known from elsewhere (e.g. the meter's 0-0:98.1.0 history), for the 12-month mean. */
export interface KnownMonthlyPeak {
  /** "YYYY-MM" in the plan's time zone. */
  readonly month: string;
  readonly kw: number;
}

export type Direction = 'import' | 'export';

export type UnknownReason =
  /** No dynamic price slot covers the time. */
  | 'missing-price'
  /** No time-of-use rule matches the time. */
  | 'no-matching-rule'
  /** Register prices, but the interval has neither a split by register nor a tariff indicator. */
  | 'unknown-register'
  /** No demand data in the months the capacity charge depends on. */
  | 'no-capacity-data';

/** A stretch whose cost could not be computed: it is left out of the amounts, never counted as 0. */
export interface CostFlag {
  readonly reason: UnknownReason;
  readonly direction?: Direction;
  readonly from: number;
  readonly to: number;
  /** Energy left unpriced in that stretch. */
  readonly wh?: number;
}

/** Amounts for one local day, one local month or the whole range; currency units rounded to 6 decimals. */
export interface CostPeriod {
  /** "YYYY-MM-DD", "YYYY-MM" or "total". */
  readonly label: string;
  readonly from: number;
  readonly to: number;
  readonly importWh: number;
  readonly exportWh: number;
  readonly energyCost: number;
  readonly feedInCredit: number;
  readonly standingCharge: number;
  readonly capacityCharge: number;
  /** energyCost − feedInCredit + standingCharge + capacityCharge. */
  readonly total: number;
  /** False when some of the period's energy or its capacity charge could not be priced (see flags). */
  readonly complete: boolean;
}

export interface CapacityMonth {
  readonly month: string;
  /** Highest 15-minute average (Flanders) or mean of the three daily hourly peaks (Norway), kW. */
  readonly peakKw: number | null;
  /** Flanders: the rolling mean the month is billed on (each month floored at the minimum), kW. */
  readonly billedKw?: number | null;
  /** Flanders: how many months the rolling mean used. */
  readonly monthsInMean?: number;
  /** Norway: index of the step (0 = first). */
  readonly step?: number | null;
  /** Norway: the days (YYYY-MM-DD) whose hourly peaks made the mean. */
  readonly peakDays?: readonly string[];
  /** The month's full capacity charge (before pro rata for a partial range). */
  readonly monthCharge: number | null;
  /** True while the month is not over (`now` given and before the month's end): the peak can still rise. */
  readonly provisional: boolean;
}

export interface CostReport {
  readonly currency: string;
  readonly timeZone: string;
  readonly total: CostPeriod;
  readonly days: readonly CostPeriod[];
  readonly months: readonly CostPeriod[];
  readonly capacity: readonly CapacityMonth[];
  readonly flags: readonly CostFlag[];
}
