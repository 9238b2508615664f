/**
 * User profile files (DESIGN §3: users can add a profile): a JSON file of the `Profile` shape, validated with
 * zod. Errors name the field, what was wrong and how to fix it, e.g.
 *   profile file ./my-meter.json: serial.parity: expected one of "none", "even", "odd" (got "e") — use "even".
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MeterError } from '../core/errors.js';
import type { Profile } from '../core/profiles/types.js';
import type { FieldType } from '../core/profiles/field-types.js';

const OBIS = /^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}(\.\d{1,3})?$/;
const obis = z.string().regex(OBIS, { message: 'expected an OBIS code like "1-0:1.8.0" (A-B:C.D.E, optional .F)' });
const frameKind = z.enum(['dsmr', 'mbus', 'hdlc', 'apdu'], { message: 'expected one of "dsmr", "mbus", "hdlc", "apdu"' });

const serialSchema = z.strictObject({
  baudRate: z.number().int().positive({ message: 'expected a positive baud rate such as 2400, 9600 or 115200' }),
  dataBits: z.union([z.literal(7), z.literal(8)], { message: 'expected 7 or 8 data bits' }),
  parity: z.enum(['none', 'even', 'odd'], { message: 'expected "none", "even" or "odd" (8E1 → "even", 8N1 → "none")' }),
  stopBits: z.union([z.literal(1), z.literal(2)], { message: 'expected 1 or 2 stop bits' }),
});

const FIELD_TYPES = ['null', 'boolean', 'bit-string', 'bcd', 'enum', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
  'uint32', 'uint64', 'float32', 'float64', 'octet-string', 'visible-string', 'utf8-string', 'date-time', 'date', 'time',
  'array', 'structure', 'compact-array', 'integer', 'unsigned', 'number', 'text', 'datetime', 'any'];
const fieldType = z.string().refine((t) => FIELD_TYPES.includes(t) || /^(octet-string|visible-string|utf8-string)\[\d+\]$/.test(t), {
  message: `expected an A-XDR type: ${FIELD_TYPES.join(', ')}, or a sized string such as "octet-string[12]"`,
}) as z.ZodType<FieldType>;

const positionalFieldSchema = z.strictObject({
  obis,
  scaler: z.number().int().min(-12).max(12).optional(),
  unit: z.string().min(1).optional(),
  skip: z.boolean().optional(),
  role: z.enum(['timestamp', 'time', 'date', 'meter-id'], {
    message: 'expected "timestamp", "time", "date" or "meter-id"',
  }).optional(),
  type: z.union([fieldType, z.array(fieldType).min(1)]).optional(),
});

const layoutSchema = z.strictObject({
  elements: z.number().int().positive(),
  fields: z.array(positionalFieldSchema).min(1),
}).refine((l) => l.fields.length === l.elements, {
  message: 'fields must list exactly `elements` entries (one per element; use {"obis": …, "skip": true} for padding)',
  path: ['fields'],
});

export const profileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected a lower-case id like "at-my-meter" (a-z, 0-9, -)' }),
  meter: z.string().min(1),
  operator: z.string().min(1),
  country: z.string().regex(/^[A-Z]{2}$/, { message: 'expected a two-letter ISO country code like "AT"' }),
  framing: frameKind,
  serial: serialSchema,
  keys: z.array(z.enum(['GUEK', 'GAK'], { message: 'expected "GUEK" (encryption key) or "GAK" (authentication key)' })),
  payload: z.enum(['dsmr', 'obis-structures', 'obis-flat', 'positional', 'self-describing'], {
    message: 'expected "dsmr", "obis-structures", "obis-flat", "positional" or "self-describing"',
  }),
  intervalMs: z.number().int().positive({ message: 'expected the push interval in milliseconds, e.g. 5000' }),
  timezone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, {
    message: 'expected an IANA time zone like "Europe/Vienna"',
  }),
  layouts: z.array(layoutSchema).optional(),
  scalers: z.record(obis, z.strictObject({ scaler: z.number().int().min(-12).max(12), unit: z.string().optional() }))
    .optional(),
  match: z.strictObject({
    manufacturers: z.array(z.string().regex(/^[A-Za-z]{3}$/, {
      message: 'expected three-letter manufacturer ids from the system title, like "KFM"',
    })).optional(),
    dsmrHeader: z.string().refine((s) => {
      try { new RegExp(s); return true; } catch { return false; }
    }, { message: 'expected a valid regular expression source, like "^/FLU"' }).optional(),
    elements: z.array(z.number().int().positive()).optional(),
    framing: z.array(frameKind).optional(),
    pushSetup: z.array(obis).optional(),
    attributeList: z.boolean().optional(),
  }).optional(),
  securityControls: z.array(z.number().int().min(0).max(255)).optional(),
  defaultAuthKey: z.string().regex(/^[0-9A-Fa-f]{32}$/, { message: 'expected the published GAK as 32 hex digits' }).optional(),
  dsmrCrc: z.boolean().optional(),
  notes: z.string().optional(),
}).superRefine((p, ctx) => {
  if (p.payload === 'positional' && (!p.layouts || p.layouts.length === 0)) {
    ctx.addIssue({
      code: 'custom', path: ['layouts'],
      message: 'a "positional" profile needs layouts: [{ "elements": N, "fields": [ … ] }]',
    });
  }
});

function describePath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : (s ? `.${String(k)}` : String(k));
  return s || '(root)';
}

/** Validates an already-parsed value as a profile; throws MeterError('BAD_CONFIG', 'config') naming each field. */
export function parseProfile(value: unknown, source = 'profile'): Profile {
  const r = profileSchema.safeParse(value);
  if (r.success) return r.data as Profile;
  const lines = r.error.issues.slice(0, 10).map((i) => i.code === 'unrecognized_keys'
    ? `${describePath(i.path)}: unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}: remove or fix the spelling`
    : `${describePath(i.path)}: ${i.message}`);
  const more = r.error.issues.length > 10 ? ` (and ${r.error.issues.length - 10} more)` : '';
  throw new MeterError('BAD_CONFIG', 'config', `${source}: ${lines.join('; ')}${more}`);
}

/** Reads and validates a profile JSON file. */
export function loadProfileFile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MeterError('BAD_CONFIG', 'config',
      `profile file ${path}: cannot read it (${code ?? String(e)}): check the path`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MeterError('BAD_CONFIG', 'config',
      `profile file ${path}: not valid JSON (${(e as Error).message}): fix the syntax`);
  }
  return parseProfile(json, `profile file ${path}`);
}
