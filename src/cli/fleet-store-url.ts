/**
 * A fleet store URL may name its schema as the dashboard's store URLs do (`postgres://…/db?schema=fleet_a`), so
 * one URL serves `fleet worker|status|redecode|meters` and `dashboard --store`. `?schema=` is meterwire's, not the
 * driver's (pg would send it to the server as a setting and fail), so it is taken out of the URL here.
 */
import { meterError } from '../core/errors.js';

export const DEFAULT_FLEET_SCHEMA_NAME = 'meterwire_fleet';

export function splitFleetStoreUrl(url: string, schemaFlag: string): { url: string; schema: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, schema: schemaFlag }; // the driver says what is wrong with it
  }
  const inUrl = u.searchParams.get('schema');
  if (inUrl === null) return { url, schema: schemaFlag };
  if (schemaFlag !== DEFAULT_FLEET_SCHEMA_NAME && schemaFlag !== inUrl) {
    throw meterError('BAD_CONFIG', `--schema ${schemaFlag} and the store URL's ?schema=${inUrl} disagree: give one of them`);
  }
  u.searchParams.delete('schema');
  return { url: u.toString(), schema: inUrl };
}
