/**
 * The `tariffs:` section of the config file (docs/costs.md shows a full example). Validated with zod; every
 * message names the field (tariffs.plans.home.import.t1 …) and what to write instead.
 */
import { z } from 'zod';
import { meterError } from '../core/errors.js';
import { isValidTimeZone } from './zone.js';
import { parsePriceUnit } from './price-csv.js';
import { DAY_NAMES } from './tariff-plan.js';

const price = z.number().finite('must be a finite number');
const nonNegative = z.number().finite('must be a finite number').nonnegative('must be 0 or more');
const positive = z.number().finite('must be a finite number').positive('must be more than 0');

const hhmm = /^([01]\d|2[0-4]):([0-5]\d)$/;
const monthDay = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const isoDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** "07:00-21:00" → [420, 1260); "22:00-06:00" wraps midnight; "00:00-24:00" is the whole day. */
const hourRange = z.string().regex(/^\d\d:\d\d-\d\d:\d\d$/, 'write local hours as "HH:MM-HH:MM", e.g. "07:00-21:00"')
  .refine((s) => s.split('-').every((t) => hhmm.test(t) && (t !== '24:00' || s.endsWith('24:00')) && t <= '24:00'),
    'hours run from 00:00 to 24:00 (24:00 only as an end)')
  .refine((s) => s.split('-')[0] !== s.split('-')[1], 'an hour range must not be empty (start equals end)');

const seasonRange = z.object({
  from: z.string().regex(monthDay, 'write a season bound as "MM-DD", e.g. "11-01"'),
  to: z.string().regex(monthDay, 'write a season bound as "MM-DD", e.g. "03-31"'),
}).strict();

const dateRange = z.object({
  from: z.string().regex(isoDate, 'write a date as "YYYY-MM-DD"'),
  to: z.string().regex(isoDate, 'write a date as "YYYY-MM-DD"'),
}).strict().refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] });

const touRule = z.object({
  price,
  days: z.array(z.enum([...DAY_NAMES, 'holiday'])).min(1, 'list at least one day, or leave "days" out').optional(),
  hours: z.array(hourRange).min(1, 'list at least one hour range, or leave "hours" out').optional(),
  seasons: z.array(seasonRange).min(1, 'list at least one season, or leave "seasons" out').optional(),
  /** Absolute local date ranges, inclusive (a promotion, a price valid until a date). */
  dates: z.array(dateRange).min(1, 'list at least one date range, or leave "dates" out').optional(),
}).strict();

const fixedSource = z.object({ type: z.literal('fixed'), price }).strict();
const registerSource = z.object({ type: z.literal('registers'), t1: price, t2: price }).strict();
const touSource = z.object({
  type: z.literal('timeOfUse'),
  rules: z.array(touRule).min(1, 'give at least one rule (the first that matches sets the price)'),
  holidays: z.array(z.string().regex(isoDate, 'write holidays as "YYYY-MM-DD"')).optional(),
}).strict();
/** mqtt[s]://[user:pass@]broker[:port]/topic[?clientId=…&ca=…]: one topic, no wildcards. */
const mqttPriceUrl = z.string()
  .regex(/^mqtts?:\/\/[^/?#]+\/[^?#]+/i, 'give the broker and the topic, e.g. "mqtt://broker:1883/prices/nl" (or mqtts://…)')
  .refine((u) => !/[+#]|%23|%2B/i.test(u.replace(/\?.*$/, '').replace(/^[^/]*\/\/[^/]*/, '')),
    'name one topic: the wildcards + and # would mix several price series');
const dynamicSource = z.object({
  type: z.literal('dynamic'),
  /** Name of the price series the caller loads (CSV file or MQTT topic) and passes in by this name. */
  series: z.string().min(1, 'name the price series, e.g. "belpex"'),
  /** A price CSV (parsePriceCsv) the dashboard loads for this series; the engine itself does no I/O. */
  file: z.string().min(1, 'give the path of the price CSV, or leave "file" out').optional(),
  /** An MQTT topic the dashboard subscribes to for this series (price-mqtt.ts); messages merge by slot start. */
  mqtt: mqttPriceUrl.optional(),
  /** What the MQTT messages hold: a JSON array of { start, price } slots (default) or the CSV a file holds. */
  format: z.enum(['json', 'csv'], { message: 'format is json or csv' }).optional(),
  /** Unit of the loaded prices when the data does not say (CSV without a unit in its header, JSON): e.g. "EUR/MWh". */
  unit: z.string().refine((u) => parsePriceUnit(u) !== undefined, 'write a price unit such as "EUR/MWh", "EUR/kWh" or "ct/kWh"').optional(),
  slotMinutes: z.union([z.literal(15), z.literal(60)], { message: 'slotMinutes is 15 or 60' }),
  /** price = spot × factor + adder (supplier margin, grid fees, taxes per kWh). */
  factor: price.optional(),
  adder: price.optional(),
}).strict().superRefine((v, ctx) => {
  if (v.file !== undefined && v.mqtt !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['mqtt'], message: 'give either "file" or "mqtt", not both (one source per series)' });
  }
  if (v.format !== undefined && v.mqtt === undefined) {
    ctx.addIssue({ code: 'custom', path: ['format'], message: 'format applies to MQTT prices: add "mqtt" or leave "format" out (a file is CSV)' });
  }
});

const priceSource = z.discriminatedUnion('type', [fixedSource, registerSource, touSource, dynamicSource], {
  message: 'type is one of fixed, registers, timeOfUse, dynamic',
});

const standingCharge = z.union([
  z.object({ perDay: nonNegative }).strict(),
  z.object({ perMonth: nonNegative }).strict(),
], { message: 'give either { perDay: <amount> } or { perMonth: <amount> }' });

const flanders = z.object({
  type: z.literal('flanders'),
  pricePerKwYear: nonNegative,
  minimumKw: nonNegative.optional(),
  months: z.number().int('must be a whole number').min(1).max(24).optional(),
}).strict();

const norwayStep = z.object({ fromKw: nonNegative, toKw: positive.optional(), pricePerMonth: nonNegative }).strict();
const norway = z.object({
  type: z.literal('norway'),
  steps: z.array(norwayStep).min(1, 'give the step table, lowest step first'),
}).strict().superRefine((v, ctx) => {
  v.steps.forEach((s, i) => {
    const next = v.steps[i + 1];
    if (i === 0 && s.fromKw !== 0) ctx.addIssue({ code: 'custom', path: ['steps', 0, 'fromKw'], message: 'the first step starts at 0' });
    if (next && s.toKw !== next.fromKw) {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'toKw'], message: `must equal the next step's fromKw (${next.fromKw})` });
    }
    if (s.toKw !== undefined && s.toKw <= s.fromKw) ctx.addIssue({ code: 'custom', path: ['steps', i, 'toKw'], message: 'must be above fromKw' });
    if (!next && s.toKw !== undefined) ctx.addIssue({ code: 'custom', path: ['steps', i, 'toKw'], message: 'leave toKw out on the last step (open-ended)' });
  });
});

const capacity = z.discriminatedUnion('type', [flanders, norway], { message: 'type is flanders or norway' });

const plan = z.object({
  import: priceSource,
  export: priceSource.optional(),
  standingCharge: standingCharge.optional(),
  capacity: capacity.optional(),
}).strict();

export const tariffsSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'write the ISO 4217 code, e.g. EUR or NOK'),
  timeZone: z.string().refine(isValidTimeZone, 'not an IANA time zone (e.g. Europe/Brussels)'),
  plans: z.record(z.string().min(1), plan).refine((p) => Object.keys(p).length > 0, 'define at least one plan'),
  /** Plan for meters not listed in `meters`. */
  default: z.string().optional(),
  /** Meter id → plan name. */
  meters: z.record(z.string().min(1), z.string()).optional(),
}).strict().superRefine((v, ctx) => {
  const names = Object.keys(v.plans);
  if (v.default !== undefined && !names.includes(v.default)) {
    ctx.addIssue({ code: 'custom', path: ['default'], message: `no plan "${v.default}" (plans: ${names.join(', ')})` });
  }
  for (const [meter, name] of Object.entries(v.meters ?? {})) {
    if (!names.includes(name)) ctx.addIssue({ code: 'custom', path: ['meters', meter], message: `no plan "${name}" (plans: ${names.join(', ')})` });
  }
  if (v.default === undefined && v.meters === undefined && names.length > 1) {
    ctx.addIssue({ code: 'custom', path: ['default'], message: 'several plans: name the default plan or map meters to plans' });
  }
});

export type TariffsConfig = z.infer<typeof tariffsSchema>;
export type Plan = z.infer<typeof plan>;
export type PriceSource = z.infer<typeof priceSource>;
export type TouRule = z.infer<typeof touRule>;
export type TouSource = z.infer<typeof touSource>;
export type DynamicSource = z.infer<typeof dynamicSource>;
export type StandingCharge = z.infer<typeof standingCharge>;
export type CapacityConfig = z.infer<typeof capacity>;
export type FlandersCapacity = z.infer<typeof flanders>;
export type NorwayCapacity = z.infer<typeof norway>;
export type DayName = (typeof DAY_NAMES)[number];
export { DAY_NAMES };

function issueText(i: z.ZodError['issues'][number], prefix: string): string {
  const field = [prefix, ...i.path.map(String)].join('.');
  if (i.code === 'unrecognized_keys') return `${field}: unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}: check the spelling`;
  return `field "${field}": ${i.message}`;
}

/**
 * Validates the `tariffs:` section (already parsed from YAML or JSON). Throws MeterError BAD_CONFIG listing
 * every problem with its field path.
 */
export function parseTariffs(section: unknown, where = 'tariffs'): TariffsConfig {
  const parsed = tariffsSchema.safeParse(section);
  if (!parsed.success) throw meterError('BAD_CONFIG', parsed.error.issues.map((i) => issueText(i, where)).join('; '));
  return parsed.data;
}
