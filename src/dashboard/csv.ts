/** CSV export of series (RFC 4180: comma, CRLF, fields quoted when needed), one row per point and reading. */
import type { Series } from './history.js';

function field(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function seriesCsv(series: readonly Series[]): string {
  const rows = ['time,meter,reading,unit,resolution,value,min,max,delta'];
  for (const s of series) {
    for (const p of s.points) {
      rows.push([new Date(p.t).toISOString(), s.meter, s.reading, s.unit, s.resolution, p.value, p.min, p.max, p.delta]
        .map(field).join(','));
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
