/**
 * Reader configuration: flags > environment > config file (config-file.ts) > profile defaults. Keys are redacted
 * whenever a configuration is printed or logged.
 */
import { redactConfig as redactFields, type Redactor } from '../redact/index.js';
import { keyOptions } from './key-options.js';
import type { FileConfig } from './config-file.js';

export type { FileConfig } from './config-file.js';

export interface ReadConfig extends FileConfig {
  /** Where the config came from, for reload. */
  configPath?: string;
  /** Where the keys came from (a flag, an environment variable, the file), for logs and errors. */
  keyFrom?: string;
  authKeyFrom?: string;
}

/** Merges flags over environment over file (keys: key-options.ts, KEY/AAD last). */
export async function resolveReadConfig(flags: FileConfig & { config?: string }): Promise<ReadConfig> {
  const file = flags.config ? (await import('./config-file.js')).loadConfigFile(flags.config) : {};
  const keys = keyOptions({ key: flags.key, authKey: flags.authKey }, file, flags.config);
  const merged: ReadConfig = { ...file };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && k !== 'config') (merged as Record<string, unknown>)[k] = v;
  delete merged.key;
  delete merged.authKey;
  if (keys.key) merged.key = keys.key;
  if (keys.authKey) merged.authKey = keys.authKey;
  if (keys.keyFrom) merged.keyFrom = keys.keyFrom;
  if (keys.authKeyFrom) merged.authKeyFrom = keys.authKeyFrom;
  if (flags.config) merged.configPath = flags.config;
  return merged;
}

/** A copy safe to print or log: keys replaced, URL passwords and secret options masked (src/redact). */
export function redactConfig(c: ReadConfig): Record<string, unknown> {
  return redactFields({ ...c }) as Record<string, unknown>;
}

/** What `--print-config` prints: the effective configuration with the source actually read, redacted. */
export function formatPrintConfig(c: ReadConfig, source: string, redactor?: Redactor): string {
  const safe = redactConfig({ ...c, source });
  return `${JSON.stringify(redactor ? redactor.value(safe) : safe, null, 2)}\n`;
}
