/** `meterwire profiles`: the profile ids --profile accepts, with meter, operator, framing, serial settings and keys. */
import { listProfiles } from '../core/profiles/builtin.js';

export function runProfiles(flags: { json?: boolean }): void {
  const profiles = listProfiles();
  if (flags.json) {
    process.stdout.write(JSON.stringify(profiles, null, 2) + '\n');
    return;
  }
  const rows = profiles.map((p) => [
    p.id, `${p.operator} (${p.country})`, p.meter, p.framing,
    `${p.serial.baudRate} ${p.serial.dataBits}${p.serial.parity[0].toUpperCase()}${p.serial.stopBits}`,
    p.keys.length ? p.keys.join('+') : 'none',
  ]);
  const head = ['profile', 'operator', 'meter', 'framing', 'serial', 'keys'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd() + '\n');
}
