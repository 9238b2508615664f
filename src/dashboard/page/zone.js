// Calendar arithmetic in a named IANA zone (the meter's, not necessarily the browser's), with Intl only: local
// days, weeks (Monday first), months and years as [from, to) instants, DST-correct (23- and 25-hour days).
const formats = new Map();

/** The wall clock in `zone` at `ms`: { y, mo, d, h, mi, s, wd } (mo 1–12, wd 0 = Sunday). */
export function wallClock(zone, ms) {
  if (!formats.has(zone)) {
    formats.set(zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', year: 'numeric',
      month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }));
  }
  const p = Object.fromEntries(formats.get(zone).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour) % 24, mi: Number(p.minute), s: Number(p.second),
    wd: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday) };
}

function offsetMs(zone, ms) {
  const w = wallClock(zone, ms);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant the wall clock in `zone` shows local midnight of y-mo-d (day and month may overflow, as Date.UTC). */
export function localMidnight(zone, y, mo, d) {
  const wall = Date.UTC(y, mo - 1, d);
  const first = wall - offsetMs(zone, wall);
  return wall - offsetMs(zone, first);
}

/** [from, to) of the local day, week (Monday first), month or year holding `ms` in `zone`. */
export function periodRange(period, ms, zone) {
  const w = wallClock(zone, ms);
  let [y, mo, d] = [w.y, w.mo, w.d];
  if (period === 'week') d -= (w.wd + 6) % 7;
  if (period === 'month') d = 1;
  if (period === 'year') [mo, d] = [1, 1];
  const from = localMidnight(zone, y, mo, d);
  if (period === 'day') return [from, localMidnight(zone, y, mo, d + 1)];
  if (period === 'week') return [from, localMidnight(zone, y, mo, d + 7)];
  if (period === 'month') return [from, localMidnight(zone, y, mo + 1, 1)];
  return [from, localMidnight(zone, y + 1, 1, 1)];
}
