/**
 * A small expander of Grafana's SQL macros, for tests: the semantics Grafana documents for its PostgreSQL and
 * MySQL datasources. Template variables (`$meter`, `${meter}`, `$__interval`) are interpolated first, as Grafana's
 * SQL datasources do it: a single value with its quotes doubled, a multi-value one as 'a','b'; then the macros: $__timeFilter(col), $__timeFrom(), $__timeTo(), $__timeGroup(col, i)
 * and $__timeGroupAlias(col, i). Anything else starting with `$__` is an error, so a dashboard cannot use a macro
 * this test does not know.
 */
export type GrafanaFlavour = 'postgres' | 'mysql';
export interface TimeRange { from: number; to: number }

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

function seconds(interval: string): number {
  const m = /^'?(\d+)([smhdw])'?$/.exec(interval.trim());
  if (!m) throw new Error(`bad interval ${interval}`);
  return Number(m[1]) * UNIT_S[m[2]];
}

/** Grafana's automatic interval: the range over ~1000 points, rounded up to a round step. */
export function autoInterval(range: TimeRange): string {
  const steps = [1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400];
  const want = (range.to - range.from) / 1000 / 1000;
  const s = steps.find((x) => x >= want) ?? 86_400;
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const epoch = (ms: number): number => Math.floor(ms / 1000);

function macro(name: string, args: string[], flavour: GrafanaFlavour, range: TimeRange): string {
  const pgTime = (ms: number): string => `'${rfc3339(ms)}'`;
  const myTime = (ms: number): string => `FROM_UNIXTIME(${epoch(ms)})`;
  const time = flavour === 'postgres' ? pgTime : myTime;
  const group = (): string => {
    const s = seconds(args[1]);
    return flavour === 'postgres' ? `floor(extract(epoch from ${args[0]})/${s})*${s}` : `UNIX_TIMESTAMP(${args[0]}) DIV ${s} * ${s}`;
  };
  switch (name) {
    case 'timeFilter': return `${args[0]} BETWEEN ${time(range.from)} AND ${time(range.to)}`;
    case 'timeFrom': return time(range.from);
    case 'timeTo': return time(range.to);
    case 'timeGroup': return group();
    case 'timeGroupAlias': return `${group()} AS "time"`;
    default: throw new Error(`unknown macro $__${name}`);
  }
}

export function expandGrafanaSql(sql: string, flavour: GrafanaFlavour, range: TimeRange, vars: Record<string, string | string[]>, interval = autoInterval(range)): string {
  const all: Record<string, string> = { __interval: interval, __interval_ms: String(seconds(interval) * 1000) };
  const escape = (v: string): string => v.replace(/'/g, "''");
  for (const [k, v] of Object.entries(vars)) all[k] = Array.isArray(v) ? v.map((x) => `'${escape(x)}'`).join(',') : escape(v);
  const interpolated = sql.replace(/\$\{(\w+)\}|\$(\w+)(?!\s*\()/g, (whole, a: string | undefined, b: string | undefined) => all[a ?? b!] ?? whole);
  return interpolated.replace(/\$__(\w+)\(([^)]*)\)/g, (_, name: string, args: string) => macro(name, args.split(',').map((a) => a.trim()).filter(Boolean), flavour, range));
}
