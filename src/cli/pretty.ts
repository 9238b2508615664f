/** Human-readable rendering of messages for `--pretty`. */
import { formatSecurityControl } from '../core/security/security-control.js';
import type { DecodeResult, MeterMessage } from '../core/model/message.js';

function formatValue(v: number | string): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function header(m: MeterMessage): string {
  const parts = [`meter ${m.meter.id ?? '?'}`];
  if (m.meter.manufacturer) parts.push(m.meter.manufacturer);
  if (m.meter.profile) parts.push(`profile ${m.meter.profile}`);
  parts.push(m.format);
  if (m.timestamp) parts.push(m.timestamp);
  if (m.security?.securityControl !== undefined) {
    const s = m.security;
    parts.push(`SC ${formatSecurityControl(s.securityControl as number)} FC ${s.frameCounter} ${s.authenticated ? 'authenticated' : 'not authenticated'}`);
  }
  return parts.join(' · ');
}

export function renderPretty(r: DecodeResult): string {
  if ('error' in r) return `✗ ${r.error.code}: ${r.error.message}`;
  const rows = r.readings.map((x) => [x.obis, x.id, formatValue(x.value) + (x.unit ? ` ${x.unit}` : ''),
    [x.name, x.timestamp ? `@ ${x.timestamp}` : '', x.quality.length ? `[${x.quality.join(',')}]` : ''].filter(Boolean).join(' ')]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 0));
  const lines = [header(r), ...rows.map((row) => `  ${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2].padStart(widths[2])}  ${row[3]}`)];
  for (const i of r.issues) lines.push(`  ! ${i.code}: ${i.message}`);
  return lines.join('\n');
}
