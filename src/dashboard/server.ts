/**
 * The dashboard's HTTP server (fastify): read-only (GET and HEAD, anything else 405), every response with the
 * security headers and a strict Content-Security-Policy, a token required everywhere when one is configured
 * (security.ts), and no configuration in any response. The same server serves a reader's live state (the web
 * output) and, later, an existing store without a reader (`meterwire dashboard --store`).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { redactText } from '../redact/index.js';
import type { MeterMessage } from '../core/model/message.js';
import type { OutputStats, SinkHealth, SinkLog } from '../sinks/types.js';
import { loadAssets, type Asset } from './assets.js';
import { currentHealth, registerApi } from './api-routes.js';
import { createLiveHub, sseEvent, type LiveHub } from './live-hub.js';
import { createLiveState, type LiveState, type MeterSummary } from './live-state.js';
import { createMemoryHistory, type MemoryHistory } from './memory-history.js';
import type { HistoryStore } from './history.js';
import type { TariffsConfig } from '../costs/index.js';
import { createPriceFiles } from './price-files.js';
import { createPriceMqtt } from './price-mqtt.js';
import { createHeadroomPush } from './headroom-push.js';
import { meterKey } from './meter-key.js';
import { checkDashboardOptions, readTlsFiles } from './dashboard-options.js';
import { checkCredentials, checkToken, isLoopbackHostHeader, securityHeaders, sessionCookie } from './security.js';

export { checkDashboardOptions };

export interface DashboardOptions {
  host: string;
  port: number;
  /** Required unless `host` is a loopback address. */
  token?: string;
  /** PEM files for HTTPS. */
  tls?: { certFile: string; keyFile: string };
  log: SinkLog;
  /** The reader's health and outputs; absent when serving a store without a reader. */
  health?: () => SinkHealth;
  outputs?: () => OutputStats[];
  /** History for the charts; by default an in-memory store fed by record(). Closed with the dashboard. */
  history?: HistoryStore;
  /** Tariffs (the config file's validated `tariffs:` section) for /api/costs and /api/headroom. */
  tariffs?: TariffsConfig;
  /** Where the prices received over MQTT are kept across restarts (the state dir's dashboard-prices.json). */
  priceStateFile?: string;
  timeZone?: string;
  /** The clock of "today" and "this month" (tests and screenshots set it). */
  now?: () => number;
  /** Bytes a live client may have unsent before it is dropped (default 256 KiB). */
  maxBufferedBytes?: number;
  /** Live pages served at once (default 100); more get 503. */
  maxLiveClients?: number;
  /** How often live clients get the reader's health and the list of meters (default 5 s). */
  statusIntervalMs?: number;
  /** The least time between two live headroom computations of one meter (default 5 s). */
  headroomIntervalMs?: number;
}

export interface Dashboard {
  readonly app: FastifyInstance;
  readonly hub: LiveHub;
  /** Feeds the live state and the in-memory history. */
  record(messages: readonly MeterMessage[], receivedAtMs?: number): void;
  /** The meters seen, as /api/meters lists them. */
  meters(): MeterSummary[];
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  /** The page's URL (without any token) once listening. */
  url(): string | undefined;
}


function createApp(o: DashboardOptions): FastifyInstance {
  if (o.tls) {
    const https = readTlsFiles(o.tls);
    return Fastify({ https, logger: false, forceCloseConnections: true, return503OnClosing: false });
  }
  return Fastify({ logger: false, forceCloseConnections: true }) as unknown as FastifyInstance;
}

function sendAsset(req: FastifyRequest, reply: FastifyReply, a: Asset): FastifyReply {
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  reply.header('content-type', a.type).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
  if (gz) reply.header('content-encoding', 'gzip');
  return reply.send(gz ? a.gzip : a.body);
}

function unauthorized(req: FastifyRequest, reply: FastifyReply, why: 'missing' | 'wrong'): FastifyReply {
  const text = why === 'missing' ? 'this dashboard needs its token: open the URL with ?token=… once, or send Authorization: Bearer …'
    : 'wrong token';
  reply.code(401).header('www-authenticate', 'Bearer realm="meterwire"');
  if (req.url.startsWith('/api/')) return reply.send({ error: { code: 'UNAUTHORIZED', message: text } });
  return reply.type('text/plain; charset=utf-8').send(`${text}\n`);
}

export function createDashboard(o: DashboardOptions): Dashboard {
  checkDashboardOptions(o);
  const app = createApp(o);
  const tls = o.tls !== undefined;
  const headers = securityHeaders(tls);
  const hub = createLiveHub({ maxBufferedBytes: o.maxBufferedBytes, maxClients: o.maxLiveClients });
  const live: LiveState = createLiveState(hub);
  const memory: MemoryHistory | undefined = o.history ? undefined : createMemoryHistory({ timeZone: o.timeZone });
  const history: HistoryStore = o.history ?? (memory as MemoryHistory);
  const assets = loadAssets();
  let listening: AddressInfo | undefined;

  app.addHook('onRequest', async (req, reply) => {
    reply.headers(headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply.code(405).header('allow', 'GET, HEAD').send({ error: { code: 'METHOD_NOT_ALLOWED', message: 'the dashboard is read-only' } });
    }
    if (o.token === undefined && !isLoopbackHostHeader(req.headers.host)) {
      return reply.code(421).send({ error: { code: 'MISDIRECTED', message: 'without a token the dashboard answers to 127.0.0.1, [::1] and localhost only' } });
    }
    const url = new URL(req.url, 'http://dashboard');
    const given = url.searchParams.get('token');
    if (given !== null && o.token !== undefined) {
      // The one place a token comes in the URL: swap it for a cookie and drop it from the address bar.
      if (!checkToken(o.token, given)) return unauthorized(req, reply, 'wrong');
      url.searchParams.delete('token');
      const rest = url.searchParams.toString();
      return reply.code(303).header('set-cookie', sessionCookie(o.token, tls))
        // "//host/…" would be a redirect to another site: the path always stays on this one.
        .header('location', `/${url.pathname.replace(/^\/+/, '')}${rest ? `?${rest}` : ''}`).send();
    }
    const auth = checkCredentials(o.token, { authorization: req.headers.authorization, cookie: req.headers.cookie });
    if (auth !== 'ok') return unauthorized(req, reply, auth);
    return undefined;
  });

  for (const [path, a] of assets) app.get(path, (req, reply) => sendAsset(req, reply, a));
  // Health and the meter list reach the pages on the stream too (one serialisation for all of them), no polling.
  const statusEvent = (): Uint8Array => sseEvent(JSON.stringify({ health: currentHealth({ health: o.health, outputs: o.outputs, hub }),
    meters: live.meters() }), 'status');
  let statusTimer: NodeJS.Timeout | undefined;
  const timeZone = o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const priceFiles = createPriceFiles(o.tariffs, o.log);
  const priceMqtt = createPriceMqtt(o.tariffs, o.log, o.priceStateFile);
  // Disjoint by construction: a series has one source, a file or a topic.
  const prices = async () => ({ ...(await priceFiles.prices()), ...priceMqtt.prices() });
  const now = o.now ?? Date.now;
  const headroomPush = createHeadroomPush({ hub, history, tariffs: o.tariffs, now, log: o.log, intervalMs: o.headroomIntervalMs });
  registerApi(app, { live, hub, history, health: o.health, outputs: o.outputs, headers, statusEvent, tariffs: o.tariffs, timeZone,
    prices, now, headroomEvents: headroomPush.latestEvents });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no ${req.method} ${req.url.split('?')[0]}` } }));
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) o.log.error(`dashboard: ${redactText(err.message ?? String(err))}`);
    return reply.code(status).send({ error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: status === 500 ? 'internal error' : err.message } });
  });

  return {
    app,
    hub,
    record(messages, receivedAtMs = Date.now()) {
      live.record(messages, receivedAtMs);
      memory?.record(messages, receivedAtMs);
      for (const meter of new Set(messages.map((m) => meterKey(m.meter)))) headroomPush.note(meter);
    },
    meters: () => live.meters(),
    async listen() {
      await app.listen({ host: o.host, port: o.port });
      statusTimer ??= setInterval(() => { if (hub.clients() > 0) hub.broadcastAll(statusEvent()); }, o.statusIntervalMs ?? 5000);
      statusTimer.unref();
      listening = app.server.address() as AddressInfo;
      return { host: listening.address, port: listening.port };
    },
    async close() {
      clearInterval(statusTimer);
      statusTimer = undefined;
      headroomPush.close();
      hub.close();
      await app.close();
      await priceMqtt.close();
      await o.history?.close?.();
      listening = undefined;
    },
    url() {
      if (!listening) return undefined;
      const host = listening.family === 'IPv6' ? `[${listening.address}]` : listening.address;
      return `${tls ? 'https' : 'http'}://${host}:${listening.port}/`;
    },
  };
}
