/**
 * The real seams of fleet mode, joined for the CLI: the MQTT consumer that acknowledges only on request
 * (src/fleet/mqtt), the PostgreSQL meter directory with envelope-encrypted keys (src/fleet/keys) and the
 * partitioned batch store (src/fleet/store). Each loads its driver when opened, so `meterwire fleet --help`
 * stays light.
 */
import type { FleetBackends } from './worker/backends.js';

export const LIVE_BACKENDS: FleetBackends = {
  async openConsumer(s) {
    const { createMqttFleetConsumer } = await import('./mqtt/index.js');
    const log = { info: (m: string) => s.log.info({}, m), warn: (m: string) => s.log.warn({}, m) };
    return createMqttFleetConsumer({ url: s.broker, topic: s.topic, group: s.group, clientId: s.clientId,
      receiveMaximum: s.maxInFlight, log });
  },
  async openDirectory(s) {
    const { openFleetMeterDirectory } = await import('./keys/index.js');
    // Preloaded: a worker's first frames need no query per meter, and a wrong master key stops it at start.
    return openFleetMeterDirectory({ store: s.store, schema: s.schema, preload: true,
      ...(s.masterKeyFile !== undefined ? { masterKeyFile: s.masterKeyFile } : {}) });
  },
  async openStore(s) {
    const { createPgFleetStore } = await import('./store/index.js');
    const store = createPgFleetStore({ connectionString: s.store, schema: s.schema });
    await store.ready();
    return store;
  },
  async openAdmin(s) {
    const { createPgFleetAdmin } = await import('./store/index.js');
    return createPgFleetAdmin({ connectionString: s.store, schema: s.schema });
  },
};
