/**
 * Database drivers are optional dependencies (package.json): a user who never writes to PostgreSQL need not
 * install pg. An output whose driver is missing is one clear configuration error at start, naming the package to
 * install, never a stack trace from a failed import nor an output that "reconnects" forever.
 */
import { createRequire } from 'node:module';
import { meterError } from '../core/errors.js';
import { redactUrl } from '../redact/index.js';

export interface OptionalDriver {
  /** The npm package the output imports. */
  readonly pkg: string;
  /** What a user calls it. */
  readonly label: string;
}

const PG: OptionalDriver = { pkg: 'pg', label: 'PostgreSQL' };
const MYSQL: OptionalDriver = { pkg: 'mysql2', label: 'MySQL/MariaDB' };
const MONGO: OptionalDriver = { pkg: 'mongodb', label: 'MongoDB' };

/** Output URL scheme → its optional driver (schemes not listed use hard dependencies). */
export const OPTIONAL_DRIVERS: Readonly<Record<string, OptionalDriver>> = {
  postgres: PG, postgresql: PG, mysql: MYSQL, mariadb: MYSQL, mongodb: MONGO, 'mongodb+srv': MONGO,
};

/** Whether a package can be imported from here; tests pass another one to simulate a missing package. */
export type PackageProbe = (pkg: string) => boolean;

const require = createRequire(import.meta.url);
// import.meta.resolve answers as the import will (ESM conditions); before Node 20.6 it needs a flag, and then the
// CommonJS resolution (all three drivers have it) answers instead.
const resolvers: ((pkg: string) => unknown)[] = [(pkg) => import.meta.resolve(pkg), (pkg) => require.resolve(pkg)];

export const packageInstalled: PackageProbe = (pkg) => resolvers.some((resolve) => {
  try {
    resolve(pkg);
    return true;
  } catch {
    return false;
  }
});

export function schemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase();
}

/** The optional driver a URL's output needs and `probe` does not find, if any. */
export function missingDriver(url: string, probe: PackageProbe = packageInstalled): OptionalDriver | undefined {
  const scheme = schemeOf(url);
  const driver = scheme === undefined ? undefined : OPTIONAL_DRIVERS[scheme];
  return driver && !probe(driver.pkg) ? driver : undefined;
}

/** What to tell the user: the driver and the command that installs it. */
export function driverHint(driver: OptionalDriver): string {
  return `the ${driver.label} driver is not installed: npm install ${driver.pkg} (npm install -g ${driver.pkg} where meterwire is installed with -g)`;
}

/** Throws BAD_CONFIG when the URL's output needs an optional driver that is not installed. */
export function assertDriverInstalled(url: string, probe: PackageProbe = packageInstalled): void {
  const driver = missingDriver(url, probe);
  if (driver) throw meterError('BAD_CONFIG', `output ${redactUrl(url)}: ${driverHint(driver)}`);
}
