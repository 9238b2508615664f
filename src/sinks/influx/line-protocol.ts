/**
 * InfluxDB line protocol, written by hand (`measurement,tag=v field=1.5 <ms>`), for 1.x `/write` and the v2
 * `/api/v2/write` alike. Escaping follows the line-protocol reference and what influxd 1.6 was measured to
 * accept (research notes): in names and tags a backslash escapes only "," " " "=", and 1.x and 2.x read "\\"
 * differently, so a backslash in a tag cannot be written portably and becomes "/". Newlines are not allowed in
 * tag or field values: they become spaces. Pure: no I/O.
 */

export interface Point {
  measurement: string;
  /** Tags with empty values are left out (InfluxDB rejects empty tag values). */
  tags: Record<string, string>;
  /** Numbers are written as floats (never `i`): a field keeps one type per measurement. */
  fields: Record<string, number | string>;
  /** Unix time in milliseconds (the write request says precision=ms). */
  timeMs: number;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** A measurement name: "," and " " escaped. */
export function escapeMeasurement(name: string): string {
  return name.replace(CONTROL, ' ').replace(/\\/g, '/').replace(/[, ]/g, (c) => `\\${c}`);
}

/** A tag key, tag value or field key: "," "=" " " escaped. */
export function escapeKey(text: string): string {
  return text.replace(CONTROL, ' ').replace(/\\/g, '/').replace(/[,= ]/g, (c) => `\\${c}`);
}

/** A string field value, quoted: '"' and '\' escaped. */
export function quoteString(text: string): string {
  return `"${text.replace(/\r\n|[\r\n]/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A float field value. JavaScript's shortest round-trip form (`1e+21`, `-2.5e-7`) is what InfluxDB parses. */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`line protocol has no float for ${value}`);
  return String(value);
}

/** One line, without the newline; tags sorted by key (the order InfluxDB stores them in). */
export function formatLine(p: Point): string {
  let line = escapeMeasurement(p.measurement);
  for (const key of Object.keys(p.tags).sort()) {
    const value = p.tags[key];
    if (value !== '') line += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  const fields = Object.entries(p.fields).map(([k, v]) => `${escapeKey(k)}=${typeof v === 'number' ? formatFloat(v) : quoteString(v)}`);
  if (fields.length === 0) throw new RangeError('a point needs at least one field');
  return `${line} ${fields.join(',')} ${Math.trunc(p.timeMs)}`;
}
