/** The fleet key store: envelope-encrypted meter keys in PostgreSQL and the worker's MeterDirectory over them. */
export { loadMasterKey, parseMasterKeyText, readMasterKeyFile, keyFingerprint, MASTER_KEY_ENV, type MasterKey } from './master-key.js';
export { KeyStoreError, isKeyStoreError, type KeyStoreErrorReason } from './key-store-error.js';
export { sealMeterKeys, openMeterKeys, type MeterKeys, type SealedKeys } from './envelope.js';
export { parseMetersCsv, DEFAULT_TIME_ZONE, type MeterRecord } from './meters-csv.js';
export { DEFAULT_SCHEMA, METERS_CHANNEL, metersChannel, REGISTRY_SCHEMA_VERSION, ensureRegistrySchema } from './registry-schema.js';
export { importMeters, listMeters, removeMeter, rotateMeterKeys, rewrapRegistry, type ImportResult, type ListedMeter } from './meter-registry.js';
export { createPgMeterDirectory, type PgMeterDirectory, type PgMeterDirectoryOptions, type DirectoryStats } from './pg-meter-directory.js';
export { openFleetMeterDirectory, type OpenDirectorySettings } from './open-directory.js';
