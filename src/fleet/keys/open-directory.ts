/**
 * The one call a fleet command needs: master key from a file or METERWIRE_MASTER_KEY, then the directory over the
 * registry in `schema` (optionally preloaded). Matches the worker's DirectorySettings (store, schema, masterKeyFile).
 */
import { loadMasterKey } from './master-key.js';
import { createPgMeterDirectory, type PgMeterDirectory, type PgMeterDirectoryOptions } from './pg-meter-directory.js';

export interface OpenDirectorySettings extends Omit<PgMeterDirectoryOptions, 'masterKey' | 'connectionString' | 'pool'> {
  /** postgres://… */
  store: string;
  /** File with the master key; undefined: METERWIRE_MASTER_KEY. */
  masterKeyFile?: string;
  /** Load every meter before returning (a worker's first frames then need no query). */
  preload?: boolean;
}

export async function openFleetMeterDirectory(s: OpenDirectorySettings): Promise<PgMeterDirectory> {
  const { store, masterKeyFile, preload, ...options } = s;
  const masterKey = loadMasterKey(masterKeyFile !== undefined ? { file: masterKeyFile } : {});
  const directory = await createPgMeterDirectory({ ...options, connectionString: store, masterKey });
  if (preload) {
    try {
      await directory.preload();
    } catch (e) {
      await directory.close();
      throw e;
    }
  }
  return directory;
}
