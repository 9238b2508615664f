/**
 * `meterwire profiles`: the profile ids --profile accepts. The table fits a terminal (at most 100 columns, the
 * meter models wrapped); `--wide` adds the operators on one line per profile, `--json` gives everything.
 */
import { listProfiles } from '../core/profiles/builtin.js';
import type { Profile } from '../core/profiles/types.js';

export interface ProfilesFlags { json?: boolean; wide?: boolean }

const MAX_WIDTH = 100;
const MIN_WIDTH = 80;

function serialText(p: Profile): string {
  return `${p.serial.baudRate} ${p.serial.dataBits}${p.serial.parity[0].toUpperCase()}${p.serial.stopBits}`;
}

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let w = word; w.length > 0;) {
      const sep = line ? ' ' : '';
      if (line.length + sep.length + w.length <= width) { line += sep + w; w = ''; }
      else if (!line) { lines.push(w.slice(0, width)); w = w.slice(width); }
      else { lines.push(line); line = ''; }
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** Rows of cells as aligned text; the last column is wrapped so no line is longer than `width` (when given). */
export function formatTable(head: string[], rows: string[][], width?: number): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const lead = w.slice(0, -1).reduce((n, x) => n + x + 2, 0);
  const lastWidth = width === undefined ? w[w.length - 1] : Math.max(12, width - lead);
  const out: string[] = [];
  for (const r of [head, ...rows]) {
    const wrapped = wrapText(r[r.length - 1], lastWidth);
    out.push([...r.slice(0, -1).map((c, i) => c.padEnd(w[i])), wrapped[0]].join('  ').trimEnd());
    for (const more of wrapped.slice(1)) out.push(`${' '.repeat(lead)}${more}`);
  }
  return out.join('\n') + '\n';
}

export function profilesTable(profiles: readonly Profile[], flags: ProfilesFlags, columns?: number): string {
  const keys = (p: Profile) => (p.keys.length ? p.keys.join('+') : 'none');
  if (flags.wide) {
    return formatTable(['profile', 'operator', 'meter', 'framing', 'serial', 'keys'],
      profiles.map((p) => [p.id, `${p.operator} (${p.country})`, p.meter, p.framing, serialText(p), keys(p)]));
  }
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, columns ?? MAX_WIDTH));
  return formatTable(['profile', 'country', 'framing', 'serial', 'keys', 'meter'],
    profiles.map((p) => [p.id, p.country, p.framing, serialText(p), keys(p), p.meter]), width) +
    '(--wide adds the operators, --json everything)\n';
}

export function runProfiles(flags: ProfilesFlags): void {
  const profiles = listProfiles();
  if (flags.json) {
    process.stdout.write(JSON.stringify(profiles, null, 2) + '\n');
    return;
  }
  process.stdout.write(profilesTable(profiles, flags, process.stdout.isTTY ? process.stdout.columns : undefined));
}
