/**
 * `meterwire dashboard --store URL [--listen web://127.0.0.1:8080] [--config FILE]`: the dashboard's pages over a
 * store some reader (or a fleet) writes, without a reader of its own: history, energy and costs from the store;
 * the live view shows what the store's newest rows are, with no reader health. Same security as the web output:
 * loopback unless told otherwise, a token off loopback.
 */
import { join } from 'node:path';
import { meterError } from '../core/errors.js';
import { PRICE_STATE_FILE } from '../dashboard/price-state.js';
import { createDashboard } from '../dashboard/server.js';
import { checkStoreUrl } from '../dashboard/sql-history.js';
import { createStoreHistory } from '../dashboard/store-history.js';
import { parseWebUrl, redactWebUrl } from '../sinks/web/web-url.js';
import { DEFAULT_DASHBOARD, DEFAULT_STORE } from '../sinks/open-sink.js';
import { createLogger } from '../app/logger.js';
import { createRedactor, redactUrl, urlSecrets } from '../redact/index.js';
import { handleStopSignals } from './stop-signals.js';

export interface DashboardFlags { store?: string; listen?: string; config?: string; stateDir?: string }

export async function runDashboard(flags: DashboardFlags): Promise<number> {
  // zod (the config file's schema) loads only with a config file.
  const file = flags.config ? (await import('./config-file.js')).loadConfigFile(flags.config) : {};
  const listen = flags.listen ?? (typeof file.dashboard === 'string' ? file.dashboard : DEFAULT_DASHBOARD.replace(/\?.*$/, ''));
  const web = parseWebUrl(listen);
  const store = flags.store ?? web.store ?? DEFAULT_STORE;
  try {
    checkStoreUrl(store);
  } catch (e) {
    throw meterError('BAD_URL', `--store ${redactUrl(store)}: ${(e as Error).message}`);
  }
  const log = createLogger('info', 'auto', { redactor: createRedactor([...urlSecrets(listen), ...urlSecrets(store)]) });
  const { store: _ignored, ...server } = web;
  const dashboard = createDashboard({ ...server, history: createStoreHistory(store, { defaultTimeZone: server.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone }), tariffs: file.tariffs, log,
    priceStateFile: join(flags.stateDir ?? 'data', PRICE_STATE_FILE) });
  await dashboard.listen();
  log.info(`${redactWebUrl(listen)}: dashboard of ${redactUrl(store)} at ${dashboard.url()}${web.token ? ' (open it once with ?token=…)' : ''}`);
  await new Promise<void>((resolve) => {
    handleStopSignals({ stop: (reason) => { log.info(`${reason}: stopping`); resolve(); }, reload: () => undefined, log });
  });
  await dashboard.close();
  return 0;
}
