export { createPgFleetStore, type PgFleetStore, type PgFleetStoreOptions, type RedecodeCommit } from './pg-fleet-store.js';
export type { RefreshResult } from './rollup-job.js';
export { FLEET_COLUMNS, LEGACY_COLUMNS, WRITTEN_COLUMNS, isFleetColumn, splitReadings, type FleetColumnName } from './columns.js';
export { DEFAULT_FLEET_SCHEMA, FLEET_SCHEMA_VERSION, ensureFleetSchema } from './schema.js';
export { verdictOf, type Verdict } from './replay-policy.js';
export type { StoredDeadLetter, DeadLetterPageQuery } from './dead-letters.js';
export type { RetentionResult } from './partitions.js';
export { createPgFleetAdmin, type PgFleetAdminOptions } from './pg-fleet-admin.js';
