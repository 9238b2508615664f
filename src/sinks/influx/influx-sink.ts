/**
 * InfluxDB output (`influx://…` for 1.x, `influx2://…` for the v2 write API), over Node's fetch: no driver.
 * Durable: one HTTP request per write() (the batch as line protocol); a server that is down, busy or refuses the
 * credentials makes write() throw, so the fan-out spools the messages and retries them in order. A retried point
 * has the same time (the meter's; without one, a receive time kept per message object), so InfluxDB overwrites it
 * rather than doubling it. The credentials live in request headers only; names and errors are redacted.
 */
import type { MeterMessage } from '../../core/model/message.js';
import { redactText } from '../../redact/index.js';
import type { Sink, SinkContext } from '../types.js';
import { linesFor } from './points.js';
import { receiveClock } from '../receive-clock.js';
import { outcomeOf, serverMessage } from './responses.js';
import { parseInfluxUrl } from './target.js';

export interface InfluxSinkOptions {
  /** Wall clock (ms), for the receive time of messages without a timestamp. */
  now?: () => number;
  /** Per request (default 15 s): a server that accepts connections but never answers counts as down. */
  timeoutMs?: number;
}

/** Why fetch failed, without a stack: `ECONNREFUSED 127.0.0.1:8086`, `timed out after 15000 ms`. */
function describeFailure(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.message === 'string' && cause.message !== '') return redactText(cause.message);
  return redactText(e instanceof Error ? e.message : String(e));
}

export function createInfluxSink(url: string, ctx: SinkContext, options: InfluxSinkOptions = {}): Sink {
  const target = parseInfluxUrl(url);
  const { name } = target;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const receivedAt = receiveClock(options.now ?? Date.now);
  let serverVersion: string | undefined;
  let announced = false;

  async function request(input: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw new Error(`${name}: cannot reach InfluxDB (${describeFailure(e, timeoutMs)})`);
    }
  }

  async function post(lines: readonly string[]): Promise<void> {
    const res = await request(target.writeUrl, { method: 'POST', headers: target.headers, body: lines.join('\n') });
    const body = await res.text().catch(() => '');
    const outcome = outcomeOf(res.status, serverMessage(body, res.headers.get('x-influxdb-error')), {
      version: target.version, destination: target.destination, serverVersion,
    });
    if (outcome.kind === 'ok') return;
    if (outcome.kind === 'retry') throw new Error(`${name}: ${outcome.reason}`);
    if (outcome.kind === 'split' && lines.length > 1) {
      const half = Math.ceil(lines.length / 2);
      await post(lines.slice(0, half));
      await post(lines.slice(half));
      return;
    }
    // Refused for good (or one point alone is too large): retrying would block every later message.
    ctx.log.error(`${name}: ${outcome.kind === 'rejected' ? outcome.reason : 'InfluxDB refused a single point as too large (HTTP 413), it is not retried'}`);
  }

  return {
    name,
    durable: true,
    async open() {
      // Any HTTP answer means the server is there; what a write needs (auth, database) shows in the write.
      const res = await request(target.pingUrl, { method: 'GET' });
      await res.arrayBuffer().catch(() => undefined);
      serverVersion = res.headers.get('x-influxdb-version') ?? undefined;
      if (!announced) ctx.log.info(`${name}: writing to ${target.destination}${serverVersion ? ` (InfluxDB ${serverVersion})` : ''}`);
      announced = true;
    },
    async write(messages: readonly MeterMessage[]) {
      const lines = linesFor(messages, target.measurement, receivedAt);
      if (lines.length > 0) await post(lines);
    },
    async close() {
      // Nothing held open: fetch's keep-alive sockets close on their own.
    },
  };
}
