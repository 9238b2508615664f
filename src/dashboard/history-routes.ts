/**
 * The history API: series with the resolution chosen from the range, energy per local bucket, costs (today, this
 * month, any range) through the cost engine, and the capacity tariff's live headroom. Days and months are local
 * to ?tz=, else the meter's zone as the store recorded it, else the dashboard's zone.
 */
import type { FastifyInstance } from 'fastify';
import { isMeterError } from '../core/errors.js';
import { planFor } from '../costs/index.js';
import type { ApiDeps } from './api-routes.js';
import { BadRequest, meterParam, notFound, rangeQuery, READING, timeParam, type Query } from './api-params.js';
import { currentCosts, headroom, priceRange, type PricedRange } from './costs-view.js';
import { ENERGY_BUCKETS, energyBuckets, type EnergyBucket } from './energy.js';
import { bucketStart, checkTimeZone } from './local-time.js';
import { volumeKind } from './volume-kinds.js';

const DAY = 86_400_000;
/** The most buckets one energy answer holds per bucket size (a chart never needs more). */
const MAX_SPAN: Record<EnergyBucket, number> = { quarter: 32 * DAY, hour: 93 * DAY, day: 3660 * DAY, month: 3660 * DAY };

async function zoneParam(q: Query, d: ApiDeps, meter: string): Promise<string> {
  const tz = q.tz;
  if (tz !== undefined && tz !== '') {
    try {
      checkTimeZone(tz);
    } catch {
      throw new BadRequest(`?tz= must be an IANA time zone, e.g. Europe/Vienna (got "${tz.slice(0, 64)}")`);
    }
    return tz;
  }
  return (await d.history.timeZone?.(meter)) ?? d.timeZone;
}

const kwh = (wh: number | null | undefined): number | null => (wh === null || wh === undefined ? null : Number((wh / 1000).toPrecision(12)));

function pricedView(p: PricedRange) {
  const { period } = p;
  return {
    from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), bucket: p.bucket,
    importKwh: kwh(period.importWh), exportKwh: kwh(period.exportWh), energyCost: period.energyCost, feedInCredit: period.feedInCredit,
    standingCharge: period.standingCharge, capacityCharge: period.capacityCharge, total: period.total, complete: period.complete,
    flags: p.flags.map((f) => ({ ...f, from: new Date(f.from).toISOString(), to: new Date(f.to).toISOString() })),
  };
}

/** A tariff problem the user can fix (a meter without a plan, a range too long) is theirs, not INTERNAL. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isMeterError(e)) throw new BadRequest(`${e.code}: ${e.message}`);
    throw e;
  }
}

export function registerHistoryApi(app: FastifyInstance, d: ApiDeps): void {
  app.get('/api/history', async (req) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    if (!q.reading || !READING.test(q.reading)) throw new BadRequest('?reading= must be a reading id, e.g. power_import');
    const range = await rangeQuery(q, d.history, meter, d.now());
    const s = await d.history.series({ meter, reading: q.reading, ...range });
    return { ...s, from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() };
  });

  app.get('/api/energy', async (req) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    const bucket = (q.bucket ?? 'hour') as EnergyBucket;
    if (!ENERGY_BUCKETS.includes(bucket)) throw new BadRequest(`?bucket= must be one of ${ENERGY_BUCKETS.join(', ')}`);
    const timeZone = await zoneParam(q, d, meter);
    const now = d.now();
    const toMs = timeParam(q, 'to', now);
    const fromMs = timeParam(q, 'from', bucketStart(now, 'day', timeZone));
    if (!(fromMs < toMs)) throw new BadRequest('?from= must be before ?to=');
    if (toMs - fromMs > MAX_SPAN[bucket]) throw new BadRequest(`?bucket=${bucket} covers at most ${MAX_SPAN[bucket] / DAY} days: choose a larger bucket`);
    const e = await energyBuckets(d.history, meter, fromMs, toMs, bucket, timeZone);
    return {
      meter, bucket, timeZone, source: e.source, volumeReadings: e.volumeReadings, volumes: e.volumeReadings.map(volumeKind),
      buckets: e.rows.map((r) => ({
        start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString(), importKwh: kwh(r.importWh), exportKwh: kwh(r.exportWh),
        ...(r.volumes ? { volumesM3: r.volumes } : {}),
      })),
    };
  });

  app.get('/api/costs', async (req, reply) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    const tariffs = d.tariffs;
    if (!tariffs) return reply.code(404).send({ error: { code: 'NO_TARIFFS', message: 'no tariffs are configured for this dashboard' } });
    const timeZone = q.tz ? await zoneParam(q, d, meter) : tariffs.timeZone;
    const now = d.now();
    return userErrors(async () => {
      const prices = (await d.prices?.()) ?? {};
      const { today, month } = await currentCosts(d.history, tariffs, meter, timeZone, now, prices);
      // `capacity`: the plan's capacity tariff, so a page knows whether /api/headroom has an answer.
      const capacity = planFor(tariffs, meter).capacity?.type ?? null;
      const out: Record<string, unknown> = { meter, currency: tariffs.currency, timeZone, capacity, today: pricedView(today), month: pricedView(month) };
      if (q.from !== undefined || q.to !== undefined) {
        const toMs = timeParam(q, 'to', now);
        const fromMs = timeParam(q, 'from', toMs - DAY);
        if (!(fromMs < toMs)) throw new BadRequest('?from= must be before ?to=');
        out.range = pricedView(await priceRange(d.history, tariffs, meter, fromMs, toMs, timeZone, now, prices));
      }
      return out;
    });
  });

  app.get('/api/headroom', async (req, reply) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    if (!d.tariffs) return notFound(reply, 'no tariffs are configured for this dashboard');
    const tariffs = d.tariffs;
    const h = await userErrors(() => headroom(d.history, tariffs, meter, d.now()));
    if (!h) return notFound(reply, `the tariff plan of meter ${meter} has no capacity charge`);
    return { meter, ...h };
  });
}
