/**
 * How the fleet commands open the three seams and the admin queries. The CLI takes an implementation, so the
 * MQTT consumer and the PostgreSQL directory/store (built apart) are joined in one place.
 */
import type { MeterDirectory, FleetStore } from '../contracts.js';
import type { FleetAdmin } from './fleet-admin.js';
import type { PausableConsumer } from './fleet-worker.js';
import type { WorkerLog } from './error-log.js';

export interface ConsumerSettings {
  /** mqtt://… or mqtts://… */
  broker: string;
  /** The topic pattern without the share prefix, e.g. meters/+/raw; subscribed as $share/<group>/<topic>. */
  topic: string;
  group: string;
  /**
   * The MQTT client id: `meterwire-<group>-<worker id>`. It must be the same on every start of this worker: the
   * broker keeps the persistent session (and, on Mosquitto, the shared-subscription messages routed to it while it
   * was away) under this id, and delivers them when the same id returns. A new id each start would strand them.
   */
  clientId: string;
  /** Messages delivered but not yet acknowledged, at most (MQTT receive maximum). */
  maxInFlight: number;
  log: WorkerLog;
}

export interface StoreSettings {
  /** postgres://… */
  store: string;
  /** PostgreSQL schema of the fleet tables. */
  schema: string;
  log: WorkerLog;
}

export interface DirectorySettings extends StoreSettings {
  /** File with the master key; undefined: the directory reads METERWIRE_MASTER_KEY. Never logged. */
  masterKeyFile?: string;
}

export interface FleetBackends {
  openConsumer(s: ConsumerSettings): Promise<PausableConsumer>;
  openDirectory(s: DirectorySettings): Promise<MeterDirectory>;
  openStore(s: StoreSettings): Promise<FleetStore>;
  openAdmin(s: StoreSettings): Promise<FleetAdmin>;
}
