/**
 * Reader configuration: flags > environment > config file (YAML or JSON) > profile defaults. Validated with zod;
 * every message names the field and the fix. Keys are redacted whenever a configuration is printed or logged.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MeterError } from '../core/errors.js';
import { keyOptions } from './key-options.js';

const FORMATS = ['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'] as const;

export const configSchema = z.object({
  source: z.string().min(1, 'give a source URL, e.g. serial:///dev/ttyUSB0').optional(),
  key: z.string().optional(),
  authKey: z.string().optional(),
  profile: z.string().optional(),
  format: z.enum(FORMATS).optional(),
  watchdogSeconds: z.number().positive('must be a positive number of seconds').optional(),
  stateDir: z.string().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  outputs: z.array(z.string().min(1)).optional(),
}).strict();

export type FileConfig = z.infer<typeof configSchema>;

export interface ReadConfig extends FileConfig {
  /** Where the config came from, for reload. */
  configPath?: string;
}

function zodMessage(e: z.ZodError, path: string): string {
  return e.issues.map((i) => {
    const field = i.path.join('.') || '(top level)';
    if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}: check the spelling`;
    return `field "${field}": ${i.message}`;
  }).map((m) => `${path}: ${m}`).join('; ');
}

export function loadConfigFile(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MeterError('BAD_CONFIG', 'config', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new MeterError('BAD_CONFIG', 'config', `config file ${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = configSchema.safeParse(data ?? {});
  if (!parsed.success) throw new MeterError('BAD_CONFIG', 'config', zodMessage(parsed.error, path));
  return parsed.data;
}

/** Merges flags over environment over file. */
export function resolveReadConfig(flags: FileConfig & { config?: string }): ReadConfig {
  const file = flags.config ? loadConfigFile(flags.config) : {};
  const keys = keyOptions({ key: flags.key, authKey: flags.authKey });
  const merged: ReadConfig = { ...file };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && k !== 'config') (merged as Record<string, unknown>)[k] = v;
  if (keys.key ?? file.key) merged.key = keys.key ?? file.key;
  if (keys.authKey ?? file.authKey) merged.authKey = keys.authKey ?? file.authKey;
  if (flags.config) merged.configPath = flags.config;
  return merged;
}

/** A copy safe to print or log: keys replaced, URL passwords masked. */
export function redactConfig(c: ReadConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if (c.key) out.key = '***redacted***';
  if (c.authKey) out.authKey = '***redacted***';
  if (c.source) out.source = c.source.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  if (c.outputs) out.outputs = c.outputs.map((u) => u.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'));
  return out;
}
