/**
 * The meters file the fleet simulator writes and `meterwire fleet meters import` reads:
 *   topic_id,meter_id,system_title,profile,guek,gak,time_zone
 * Keys as 32 hex digits (empty when the meter has none), system titles 16 hex digits upper case (empty for DSMR).
 * None of the fields contains a comma or quote, so the file is plain CSV without quoting.
 */
import { readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { MeterError } from '../../core/errors.js';
import type { FleetMeterSpec } from './fleet-meters.js';

export const METERS_HEADER = 'topic_id,meter_id,system_title,profile,guek,gak,time_zone';

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '');

export function formatMetersCsv(meters: readonly FleetMeterSpec[]): string {
  const lines = [METERS_HEADER];
  for (const m of meters) {
    lines.push([m.topicId, m.meterId, m.systemTitle ?? '', m.profile, hex(m.guek), hex(m.gak), m.timeZone].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function bad(file: string, line: number, what: string): never {
  // Never the line itself: it holds keys.
  throw new MeterError('BAD_CONFIG', 'config', `${file} line ${line}: ${what}`);
}

function key(text: string, file: string, line: number, role: string): Uint8Array | undefined {
  if (text === '') return undefined;
  if (!/^[0-9a-fA-F]{32}$/.test(text)) bad(file, line, `${role} is not 32 hex digits`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function parseMetersCsv(text: string, file = 'meters file'): FleetMeterSpec[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== METERS_HEADER) bad(file, 1, `the header must be ${METERS_HEADER}`);
  return lines.slice(1).map((l, i) => {
    const c = l.split(',').map((x) => x.trim());
    if (c.length !== 7) bad(file, i + 2, `expected 7 fields, got ${c.length}`);
    const [topicId, meterId, systemTitle, profile, guek, gak, timeZone] = c;
    if (!topicId || !meterId || !profile || !timeZone) bad(file, i + 2, 'topic_id, meter_id, profile and time_zone are required');
    if (systemTitle !== '' && !/^[0-9A-F]{16}$/.test(systemTitle)) bad(file, i + 2, 'system_title is not 16 upper-case hex digits');
    return {
      topicId, meterId, systemTitle: systemTitle || undefined, profile,
      guek: key(guek, file, i + 2, 'guek'), gak: key(gak, file, i + 2, 'gak'), timeZone,
    };
  });
}

export function readMetersFile(path: string): FleetMeterSpec[] {
  return parseMetersCsv(readFileSync(path, 'utf8'), path);
}

/** Written to a temporary name and renamed: a reader never sees half a file. Owner-only: it holds keys. */
export function writeMetersFile(path: string, meters: readonly FleetMeterSpec[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, formatMetersCsv(meters), { mode: 0o600 });
  renameSync(tmp, path);
}



/**
 * The meters of a run: the file's when it exists and matches (so a rerun publishes what was imported), else
 * new ones written to it. A file with another number of meters, or not made from the given seed and profiles,
 * is refused rather than overwritten: its keys may be all that matches a registry.
 */
export function loadOrCreateMeters(path: string, n: number, o: { seed?: number; profiles?: readonly string[] },
  generate: (n: number, o: { seed?: number; profiles?: readonly string[] }) => FleetMeterSpec[]): { meters: FleetMeterSpec[]; reused: boolean } {
  if (!existsSync(path)) {
    const meters = generate(n, o);
    writeMetersFile(path, meters);
    return { meters, reused: false };
  }
  const meters = readMetersFile(path);
  const refuse = (why: string): never => {
    throw new MeterError('BAD_CONFIG', 'config', `${path} ${why}: remove it or choose another --meters-file`);
  };
  if (meters.length !== n) refuse(`holds ${meters.length} meters, not ${n}`);
  if (o.seed !== undefined && formatMetersCsv(generate(n, o)) !== formatMetersCsv(meters)) {
    refuse(`was not made with --seed ${o.seed}${o.profiles ? ' and these --profiles' : ''}`);
  }
  if (o.profiles && meters.some((m) => !o.profiles!.includes(m.profile))) refuse('has meters of other profiles than --profiles');
  return { meters, reused: true };
}
