/**
 * The JSON API: meters, latest message, health, the live stream (SSE), series and CSV export. Every parameter is
 * checked: a bad one is a 400 with a message saying what is expected, never a stack trace.
 */
import type { FastifyInstance } from 'fastify';
import type { OutputStats, SinkHealth } from '../sinks/types.js';
import type { HistoryStore } from './history.js';
import { healthView } from './health-view.js';
import type { LiveHub } from './live-hub.js';
import type { LiveState } from './live-state.js';
import { seriesCsv } from './csv.js';
import type { TariffsConfig } from '../costs/index.js';
import type { PriceSeries } from './price-files.js';
import { registerHistoryApi } from './history-routes.js';
import { BadRequest, meterParam, notFound, rangeQuery, READING, type Query } from './api-params.js';

export interface ApiDeps {
  live: LiveState;
  hub: LiveHub;
  history: HistoryStore;
  health?: () => SinkHealth;
  outputs?: () => OutputStats[];
  headers: Record<string, string>;
  /** The status event (health and meters) as sent to every live client. */
  statusEvent(): Uint8Array;
  tariffs?: TariffsConfig;
  /** Dynamic price series loaded from the tariffs' price files (price-files.ts), by series name. */
  prices?: () => Promise<PriceSeries>;
  /** Zone of local days and months when neither the page (?tz=) nor the store names one. */
  timeZone: string;
  now: () => number;
  /** The latest live headroom events of a meter (undefined: of all meters). */
  headroomEvents?: (meter: string | undefined) => Uint8Array[];
}

export function currentHealth(d: Pick<ApiDeps, 'health' | 'outputs' | 'hub'>) {
  return healthView(d.health?.(), d.outputs?.() ?? [], { clients: d.hub.clients(), dropped: d.hub.dropped() });
}

export function registerApi(app: FastifyInstance, d: ApiDeps): void {
  app.get('/api/meters', async () => {
    const live = d.live.meters();
    // A store without a reader (or meters that are silent now) still lists its meters, after the live ones.
    const known = new Set(live.map((m) => m.meter));
    const stored = (await d.history.meters?.()) ?? [];
    // Every meter's zone (the store's record of it, else the dashboard's): the page cuts its History periods in it.
    const zoned = await Promise.all(live.map(async (m) => ({ ...m, timeZone: (await d.history.timeZone?.(m.meter)) ?? d.timeZone })));
    // `costs`: whether /api/costs and the page's costs panel have tariffs to work with.
    return { meters: [...zoned, ...stored.filter((m) => !known.has(m.meter)).map((m) => ({ ...m, timeZone: m.timeZone ?? d.timeZone }))],
      timeZone: d.timeZone, costs: d.tariffs !== undefined };
  });

  app.get('/api/latest', async (req, reply) => {
    const meter = meterParam(req.query as Query, false) ?? d.live.meters()[0]?.meter;
    const json = meter === undefined ? undefined : d.live.latestJson(meter);
    if (json === undefined) return notFound(reply, meter === undefined ? 'no message yet' : `no message from meter ${meter}`);
    return reply.type('application/json; charset=utf-8').send(json);
  });

  app.get('/api/health', async () => currentHealth(d));

  app.get('/api/readings', async (req) => {
    const meter = meterParam(req.query as Query, true) as string;
    return { meter, readings: await d.history.readings(meter) };
  });

  app.get('/api/series', async (req) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    if (!q.reading || !READING.test(q.reading)) throw new BadRequest('?reading= must be a reading id, e.g. power_import');
    const range = await rangeQuery(q, d.history, meter, d.now());
    return d.history.series({ meter, reading: q.reading, ...range });
  });

  registerHistoryApi(app, d);

  app.get('/api/export.csv', async (req, reply) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    const range = await rangeQuery(q, d.history, meter, d.now());
    const wanted = q.readings ? q.readings.split(',') : (await d.history.readings(meter)).map((r) => r.id);
    if (wanted.some((r) => !READING.test(r))) throw new BadRequest('?readings= must be reading ids separated by commas');
    const series = await Promise.all(wanted.map((reading) => d.history.series({ meter, reading, ...range })));
    const name = `meterwire-${meter.replace(/[^A-Za-z0-9_-]/g, '_')}-${new Date(range.fromMs).toISOString().slice(0, 10)}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(seriesCsv(series));
  });

  app.get('/api/live', (req, reply) => {
    const meter = meterParam(req.query as Query, false);
    if (req.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send();
    if (d.hub.full()) {
      return reply.code(503).header('retry-after', '30').send({ error: { code: 'TOO_MANY_CLIENTS', message: 'too many live pages are open' } });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...d.headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store',
      'x-accel-buffering': 'no', connection: 'keep-alive',
    });
    res.write(': meterwire live\n\n');
    // The latest message first, so a page that (re)connects shows values at once; a stream of all meters (the one
    // that all tabs of a browser share) gets every meter's.
    const latest = meter === undefined ? d.live.latestEvents() : [d.live.latestEvent(meter)].filter((e) => e !== undefined);
    const remove = d.hub.add(res, meter, [d.statusEvent(), ...latest, ...(d.headroomEvents?.(meter) ?? [])]);
    req.raw.on('close', remove);
    return reply;
  });
}
