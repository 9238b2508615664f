/** The dashboard: server, API, live stream and page (issue 9). */
export { createDashboard, checkDashboardOptions, type Dashboard, type DashboardOptions } from './server.js';
export type { HistoryStore, Series, SeriesPoint, SeriesQuery, StoredMeter } from './history.js';
export { createMemoryHistory, type MemoryHistory } from './memory-history.js';
export { chooseResolution, RESOLUTIONS, MAX_POINTS, type Resolution } from './resolution.js';
export { loadAssets, gzippedSize } from './assets.js';
export { createSqlHistory, type SqlHistory } from './sql-history.js';
export { energyBuckets, type EnergyBucket, type EnergyResult, type EnergyRow } from './energy.js';
