/** Checking the API's query parameters: a bad one is a 400 saying what is expected. */
import type { FastifyReply } from 'fastify';
import type { HistoryStore } from './history.js';
import { chooseResolution, RESOLUTIONS, type Resolution } from './resolution.js';

export type Query = Record<string, string | undefined>;

export class BadRequest extends Error {
  readonly statusCode = 400;
}

const METER = /^[\x21-\x7e]{1,64}$/;
export const READING = /^[a-z0-9_]{1,64}$/;

export function meterParam(q: Query, required: boolean): string | undefined {
  const m = q.meter;
  if (m === undefined || m === '') {
    if (required) throw new BadRequest('?meter= is required (a meter id from /api/meters)');
    return undefined;
  }
  if (!METER.test(m)) throw new BadRequest('?meter= must be a meter id from /api/meters');
  return m;
}

export function timeParam(q: Query, name: string, fallback: number): number {
  const v = q[name];
  if (v === undefined || v === '') return fallback;
  const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new BadRequest(`?${name}= must be milliseconds since 1970 or an ISO 8601 time, e.g. 2026-03-29T00:00:00Z`);
  return t;
}

export async function rangeQuery(q: Query, history: HistoryStore, meter: string, now = Date.now()) {
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

export function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).send({ error: { code: 'NOT_FOUND', message } });
}
