/**
 * Reader configuration: flags > environment > config file (YAML or JSON) > profile defaults. Validated with zod;
 * every message names the field and the fix. Keys are redacted whenever a configuration is printed or logged,
 * and a file that does not parse is reported by line and column, never by quoting it.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { meterError } from '../core/errors.js';
import { redactConfig as redactFields, type Redactor } from '../redact/index.js';
import { keyOptions } from './key-options.js';
import { parseTariffs, type TariffsConfig } from '../costs/index.js';

const FORMATS = ['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'] as const;

export const configSchema = z.object({
  source: z.string().min(1, 'give a source URL, e.g. serial:///dev/ttyUSB0').optional(),
  key: z.string().optional(),
  authKey: z.string().optional(),
  allowUnauthenticated: z.boolean().optional(),
  profile: z.string().optional(),
  format: z.enum(FORMATS).optional(),
  watchdogSeconds: z.number().positive('must be a positive number of seconds').optional(),
  stateDir: z.string().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  outputs: z.array(z.string().min(1)).optional(),
  /** The dashboard's output URL (web://…), or false: no dashboard, also not the built-in simulated meter's. */
  dashboard: z.union([z.string().regex(/^web:\/\//i, 'give a web:// URL, e.g. web://127.0.0.1:8080, or false'), z.literal(false)]).optional(),
  /** Prices for the dashboard's costs (docs/costs.md), validated by src/costs. */
  tariffs: z.unknown().optional(),
}).strict();

export type FileConfig = Omit<z.infer<typeof configSchema>, 'tariffs'> & { tariffs?: TariffsConfig };

export interface ReadConfig extends FileConfig {
  /** Where the config came from, for reload. */
  configPath?: string;
  /** Where the keys came from (a flag, an environment variable, the file), for logs and errors. */
  keyFrom?: string;
  authKeyFrom?: string;
}

function zodMessage(e: z.ZodError, path: string): string {
  return e.issues.map((i) => {
    const field = i.path.join('.') || '(top level)';
    if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}: check the spelling`;
    return `field "${field}": ${i.message}`;
  }).map((m) => `${path}: ${m}`).join('; ');
}

/** "line L, column C" of a character offset, so a parse error can point at the spot without quoting it. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * Where a JSON or YAML file stops parsing, never what is there: parsers quote the text near the error, and a
 * config file's text near an error is often a key.
 */
function parseErrorMessage(e: unknown, text: string, json: boolean): string {
  if (json) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    return at ? `at ${lineColumn(text, Number(at[1]))}` : '(check quotes, commas and braces)';
  }
  const y = e as { code?: string; linePos?: Array<{ line: number; col: number }> };
  const pos = y.linePos?.[0];
  return `${pos ? `at line ${pos.line}, column ${pos.col}` : ''}${y.code ? ` (${y.code})` : ''}`.trim() || '(check the indentation)';
}

/** Optional fields may be written as null (the README's `authKey: null`): the same as leaving them out. */
function withoutNulls(data: unknown): unknown {
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null));
}

export function loadConfigFile(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw meterError('BAD_CONFIG', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const json = /\.json$/i.test(path);
  let data: unknown;
  try {
    data = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw meterError('BAD_CONFIG', `config file ${path} is not valid ${json ? 'JSON' : 'YAML'} ${parseErrorMessage(e, text, json)}`);
  }
  const parsed = configSchema.safeParse(withoutNulls(data));
  if (!parsed.success) throw meterError('BAD_CONFIG', zodMessage(parsed.error, path));
  const { tariffs, ...rest } = parsed.data;
  if (tariffs === undefined) return rest;
  try {
    return { ...rest, tariffs: parseTariffs(tariffs) };
  } catch (e) {
    throw meterError('BAD_CONFIG', `${path}: ${(e as Error).message}`);
  }
}

/** Merges flags over environment over file (keys: key-options.ts, KEY/AAD last). */
export function resolveReadConfig(flags: FileConfig & { config?: string }): ReadConfig {
  const file = flags.config ? loadConfigFile(flags.config) : {};
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
