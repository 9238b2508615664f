/**
 * The dashboard as an output (`--output web://127.0.0.1:8080`): open() starts the server, write() feeds its live
 * state and in-memory history (pushed to every open page at once), close() stops it. Not durable: a page shows
 * what is current, and the history of record is the SQL store.
 */
import { createDashboard, type Dashboard, type DashboardOptions } from '../../dashboard/server.js';
import { join } from 'node:path';
import { PRICE_STATE_FILE } from '../../dashboard/price-state.js';
import { createStoreHistory } from '../../dashboard/store-history.js';
import type { Sink, SinkContext } from '../types.js';
import { parseWebUrl, redactWebUrl } from './web-url.js';

export interface WebSink extends Sink {
  /** The dashboard (for embedding and tests); its server listens once open() resolved. */
  readonly dashboard: Dashboard;
}

/** What the URL cannot carry: tariffs (default: the config file's, from the sink context), a store object, a clock. */
export type WebSinkOptions = Pick<DashboardOptions, 'history' | 'tariffs' | 'now'>;

export function createWebSink(url: string, ctx: SinkContext, options: WebSinkOptions = {}): WebSink {
  const { store, ...opts } = parseWebUrl(url);
  const name = redactWebUrl(url);
  const history = options.history ?? (store === undefined ? undefined : createStoreHistory(store, { defaultTimeZone: opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone }));
  const tariffs = options.tariffs ?? ctx.tariffs;
  const dashboard = createDashboard({ ...opts, ...options, history, tariffs, log: ctx.log, health: ctx.health, outputs: ctx.outputs,
    priceStateFile: join(ctx.stateDir, PRICE_STATE_FILE) });
  let open = false;
  return {
    name,
    durable: false,
    dashboard,
    async open() {
      if (open) return;
      await dashboard.listen();
      open = true;
      ctx.log.info(`${name}: dashboard at ${dashboard.url()}${opts.token ? ' (open it once with ?token=… from the output URL)' : ''}`);
    },
    async write(messages) {
      dashboard.record(messages);
    },
    async close() {
      if (!open) return;
      open = false;
      await dashboard.close();
    },
  };
}
