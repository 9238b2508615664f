/**
 * The energy cost engine (issue 9, "Costs"): pure functions from a validated `tariffs:` section, the store's
 * energy intervals and price series to costs per local day and month, capacity charges and live headroom.
 * No I/O: the caller loads price CSVs or MQTT price messages and passes them in (docs/costs.md).
 */
// parseTariffs (zod) is imported from './tariff-schema.js' where a config is validated; the engine needs no zod.
export { planFor } from './tariff-plan.js';
export type { DynamicSource, Plan, PriceSource, TariffsConfig, CapacityConfig, FlandersCapacity, NorwayCapacity } from './tariff-schema.js';
export { computeCosts, computeMeterCosts, computeExact, exactTotal } from './compute.js';
export type { CostRequest, ExactDay } from './compute.js';
export { parsePriceCsv, parsePriceUnit, parseZonedTime } from './price-csv.js';
export type { PriceCsv, PriceCsvOptions, PriceUnit } from './price-csv.js';
export { parsePriceJson } from './price-json.js';
export type { PriceJsonOptions } from './price-json.js';
export { checkSlotSpacing, mergePriceSlots, parsePricePayload } from './price-slots.js';
export type { PricePayloadFormat, PricePayloadOptions } from './price-slots.js';
export { flandersHeadroom, FLANDERS_MINIMUM_KW } from './capacity-flanders.js';
export type { FlandersHeadroom, FlandersLive } from './capacity-flanders.js';
export { norwayHeadroom } from './capacity-norway.js';
export type { NorwayHeadroom, NorwayLive } from './capacity-norway.js';
export { flandersLiveHeadroom, norwayLiveHeadroom } from './live.js';
export { createZone, isValidTimeZone } from './zone.js';
export type { Zone, LocalTime } from './zone.js';
export type * from './types.js';
