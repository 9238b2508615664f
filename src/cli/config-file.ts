/**
 * The config file (YAML or JSON), validated with zod: every message names the field and the fix, and a file that
 * does not parse is reported by line and column, never by quoting it (a config file's text near an error is often
 * a key). Loaded only when a config file is given, so a reader without one does not load zod (~14 MB).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { meterError } from '../core/errors.js';
import { parseTariffs } from '../costs/tariff-schema.js';
import type { TariffsConfig } from '../costs/index.js';

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
