/**
 * The import CSV of the meter registry: a header row, then one meter per line.
 *
 *   topic_id (or topic, gateway, gateway_id) — required; meter_id (defaults to the topic id); system_title;
 *   profile; guek; gak; time_zone (defaults to --tz, else Europe/Vienna)
 *
 * Every row is validated before anything is written and all errors are reported with their line numbers. Error
 * texts name the column and what is wrong with it, never a key's value.
 */
import { meterError } from '../../core/errors.js';
import { getProfile } from '../../core/profiles/index.js';
import { parseKey } from '../../core/security/keys.js';

export const DEFAULT_TIME_ZONE = 'Europe/Vienna';
const MAX_ERRORS_SHOWN = 20;
const MAX_ID_LENGTH = 128;

export interface MeterRecord {
  /** Line of the CSV file, for messages (1 = header). */
  line: number;
  meterId: string;
  topicId: string;
  systemTitle?: string;
  profile?: string;
  timeZone: string;
  guek?: Uint8Array;
  gak?: Uint8Array;
}

type Column = 'topicId' | 'meterId' | 'systemTitle' | 'profile' | 'guek' | 'gak' | 'timeZone';

const HEADER_NAMES: Record<string, Column> = {
  topic: 'topicId', topic_id: 'topicId', gateway: 'topicId', gateway_id: 'topicId',
  meter: 'meterId', meter_id: 'meterId',
  system_title: 'systemTitle',
  profile: 'profile',
  guek: 'guek', key: 'guek',
  gak: 'gak', auth_key: 'gak',
  time_zone: 'timeZone', timezone: 'timeZone', tz: 'timeZone',
};

/** RFC 4180 fields (quotes, doubled quotes, CRLF) with the line each record starts on. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = (): void => {
    fields.push(field);
    if (any || fields.length > 1 || field !== '') records.push({ line: start, fields });
    fields = [];
    field = '';
    any = false;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; field += c; }
      continue;
    }
    if (c === '"') { quoted = true; any = true; }
    else if (c === ',') { fields.push(field); field = ''; any = true; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) throw meterError('BAD_INPUT', `line ${start}: a quoted field is not closed`);
  endRecord();
  return records;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function keyProblem(value: string, role: 'GUEK' | 'GAK'): string | undefined {
  try {
    parseKey(value, role);
    return undefined;
  } catch {
    const digits = value.replace(/0x/gi, '').replace(/[\s:,-]/g, '');
    const what = /^[0-9a-fA-F]*$/.test(digits) ? `${digits.length} hex digits` : `${value.length} characters, not hex`;
    return `${role.toLowerCase()} is malformed (${what}); expected 32 hex digits or 16 characters`;
  }
}

function idProblem(name: string, value: string, topic: boolean): string | undefined {
  if (value === '') return `${name} is empty`;
  if (value.length > MAX_ID_LENGTH) return `${name} is longer than ${MAX_ID_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) return `${name} contains control characters`;
  if (topic && /[/+#]/.test(value)) return `${name} "${value}" contains /, + or #: it must be one MQTT topic level`;
  return undefined;
}

/** Validates the whole file; throws one BAD_INPUT listing every problem by line, or returns every meter. */
export function parseMetersCsv(text: string, { defaultTimeZone = DEFAULT_TIME_ZONE }: { defaultTimeZone?: string } = {}): MeterRecord[] {
  if (!validTimeZone(defaultTimeZone)) throw meterError('BAD_CONFIG', `--tz "${defaultTimeZone}" is not an IANA time zone`);
  const records = parseCsv(text);
  const header = records.shift();
  if (header === undefined) throw meterError('BAD_INPUT', 'the CSV file is empty: expected a header row (topic_id,meter_id,system_title,profile,guek,gak,time_zone)');
  const columns = header.fields.map((h) => HEADER_NAMES[h.trim().toLowerCase().replace(/[\s-]+/g, '_')]);
  const unknown = header.fields.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0) {
    throw meterError('BAD_INPUT', `line ${header.line}: unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}; ` +
      `known: ${Object.keys(HEADER_NAMES).join(', ')}`);
  }
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (twice.length > 0) throw meterError('BAD_INPUT', `line ${header.line}: column ${twice[0]} appears twice`);
  if (!columns.includes('topicId')) throw meterError('BAD_INPUT', `line ${header.line}: no topic column (topic_id, topic, gateway or gateway_id)`);

  const errors: string[] = [];
  const out: MeterRecord[] = [];
  const seen = { meterId: new Map<string, number>(), topicId: new Map<string, number>(), systemTitle: new Map<string, number>() };
  for (const { line, fields } of records) {
    const problems: string[] = [];
    if (fields.length !== columns.length) {
      errors.push(`line ${line}: ${fields.length} fields, the header has ${columns.length}`);
      continue;
    }
    const get = (c: Column): string => { const i = columns.indexOf(c); return i < 0 ? '' : fields[i].trim(); };
    const topicId = get('topicId');
    const meterId = get('meterId') || topicId;
    const p1 = idProblem('topic id', topicId, true);
    if (p1) problems.push(p1);
    const p2 = get('meterId') === '' ? undefined : idProblem('meter id', meterId, false);
    if (p2) problems.push(p2);
    let systemTitle: string | undefined = get('systemTitle').replace(/[\s:]/g, '').toUpperCase() || undefined;
    if (systemTitle !== undefined && !/^[0-9A-F]{16}$/.test(systemTitle)) {
      problems.push(`system title must be 16 hex digits, got ${systemTitle.length} characters`);
      systemTitle = undefined;
    }
    const profileText = get('profile');
    const profile = profileText === '' || profileText.toLowerCase() === 'auto' ? undefined : profileText;
    if (profile !== undefined && getProfile(profile) === undefined) problems.push(`unknown profile "${profile}" (see \`meterwire profiles\`)`);
    const timeZone = get('timeZone') || defaultTimeZone;
    if (!validTimeZone(timeZone)) problems.push(`time zone "${timeZone}" is not an IANA time zone`);
    const guekText = get('guek');
    const gakText = get('gak');
    const guekProblem = guekText === '' ? undefined : keyProblem(guekText, 'GUEK');
    const gakProblem = gakText === '' ? undefined : keyProblem(gakText, 'GAK');
    if (guekProblem) problems.push(guekProblem);
    if (gakProblem) problems.push(gakProblem);
    for (const [name, value, label] of [['meterId', meterId, 'meter id'], ['topicId', topicId, 'topic id'],
      ['systemTitle', systemTitle, 'system title']] as const) {
      if (value === undefined || value === '') continue;
      const first = seen[name].get(value);
      if (first !== undefined) problems.push(`${label} "${value}" is also on line ${first}`);
      else seen[name].set(value, line);
    }
    if (problems.length > 0) {
      errors.push(`line ${line}: ${problems.join('; ')}`);
      continue;
    }
    out.push({
      line, meterId, topicId, timeZone,
      ...(systemTitle !== undefined ? { systemTitle } : {}),
      ...(profile !== undefined ? { profile } : {}),
      ...(guekText !== '' ? { guek: parseKey(guekText, 'GUEK') } : {}),
      ...(gakText !== '' ? { gak: parseKey(gakText, 'GAK') } : {}),
    });
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_ERRORS_SHOWN);
    const more = errors.length > shown.length ? `\n  … and ${errors.length - shown.length} more` : '';
    throw meterError('BAD_INPUT', `${errors.length} invalid row(s), nothing imported:\n  ${shown.join('\n  ')}${more}`);
  }
  return out;
}
