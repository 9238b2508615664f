/**
 * The JSON API: meters, latest message, health, the live stream (SSE), series and CSV export. Every parameter is
 * checked: a bad one is a 400 with a message saying what is expected, never a stack trace.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OutputStats, SinkHealth } from '../sinks/types.js';
import type { HistoryStore } from './history.js';
import { healthView } from './health-view.js';
import type { LiveHub } from './live-hub.js';
import type { LiveState } from './live-state.js';
import { chooseResolution, RESOLUTIONS, type Resolution } from './resolution.js';
import { seriesCsv } from './csv.js';

export interface ApiDeps {
  live: LiveState;
  hub: LiveHub;
  history: HistoryStore;
  health?: () => SinkHealth;
  outputs?: () => OutputStats[];
  headers: Record<string, string>;
  /** The status event (health and meters) as sent to every live client. */
  statusEvent(): Uint8Array;
}

type Query = Record<string, string | undefined>;

class BadRequest extends Error {
  readonly statusCode = 400;
}

const METER = /^[\x21-\x7e]{1,64}$/;
const READING = /^[a-z0-9_]{1,64}$/;

function meterParam(q: Query, required: boolean): string | undefined {
  const m = q.meter;
  if (m === undefined || m === '') {
    if (required) throw new BadRequest('?meter= is required (a meter id from /api/meters)');
    return undefined;
  }
  if (!METER.test(m)) throw new BadRequest('?meter= must be a meter id from /api/meters');
  return m;
}

function timeParam(q: Query, name: string, fallback: number): number {
  const v = q[name];
  if (v === undefined || v === '') return fallback;
  const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new BadRequest(`?${name}= must be milliseconds since 1970 or an ISO 8601 time, e.g. 2026-03-29T00:00:00Z`);
  return t;
}

async function rangeQuery(q: Query, history: HistoryStore, meter: string) {
  const now = Date.now();
  const toMs = timeParam(q, 'to', now);
  const fromMs = timeParam(q, 'from', toMs - 15 * 60_000);
  if (!(fromMs < toMs)) throw new BadRequest('?from= must be before ?to=');
  let resolution: Resolution;
  if (q.resolution !== undefined && q.resolution !== '') {
    if (!(RESOLUTIONS as readonly string[]).includes(q.resolution)) throw new BadRequest(`?resolution= must be one of ${RESOLUTIONS.join(', ')}`);
    resolution = q.resolution as Resolution;
  } else {
    resolution = chooseResolution(fromMs, toMs, { rawIntervalMs: await history.rawIntervalMs(meter) });
  }
  return { fromMs, toMs, resolution };
}

export function currentHealth(d: Pick<ApiDeps, 'health' | 'outputs' | 'hub'>) {
  return healthView(d.health?.(), d.outputs?.() ?? [], { clients: d.hub.clients(), dropped: d.hub.dropped() });
}

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).send({ error: { code: 'NOT_FOUND', message } });
}

export function registerApi(app: FastifyInstance, d: ApiDeps): void {
  app.get('/api/meters', async () => ({ meters: d.live.meters() }));

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
    const range = await rangeQuery(q, d.history, meter);
    return d.history.series({ meter, reading: q.reading, ...range });
  });

  app.get('/api/export.csv', async (req, reply) => {
    const q = req.query as Query;
    const meter = meterParam(q, true) as string;
    const range = await rangeQuery(q, d.history, meter);
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
    // The latest message first, so a page that (re)connects shows values at once.
    const latest = meter === undefined ? undefined : d.live.latestEvent(meter);
    const remove = d.hub.add(res, meter, latest ? [d.statusEvent(), latest] : [d.statusEvent()]);
    req.raw.on('close', remove);
    return reply;
  });
}
