// Numbers and units for people: W below 10 kW, kW above; grouping and decimals by language.
const formats = new Map();

function nf(lang, digits) {
  const k = `${lang}/${digits}`;
  if (!formats.has(k)) formats.set(k, new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  return formats.get(k);
}

const BASE = { kW: ['W', 1e3], MW: ['W', 1e6], kWh: ['Wh', 1e3], MWh: ['Wh', 1e6], kvar: ['var', 1e3], kvarh: ['varh', 1e3], kVA: ['VA', 1e3], kV: ['V', 1e3], mA: ['A', 1e-3] };

/** A reading's value in its base unit (as the server's toBaseUnit, for the few units the page shows). */
export function toBase(value, unit) {
  const b = BASE[unit];
  return b ? { value: value * b[1], unit: b[0] } : { value, unit: unit ?? '' };
}

export function formatPower(lang, watts) {
  if (typeof watts !== 'number' || !Number.isFinite(watts)) return '–';
  if (Math.abs(watts) >= 10_000) return `${nf(lang, 2).format(watts / 1000)} kW`;
  return `${nf(lang, 0).format(watts)} W`;
}

export function formatValue(lang, value, unit) {
  if (typeof value !== 'number') return String(value);
  const { value: v, unit: u } = toBase(value, unit);
  if (u === 'W' || u === 'var' || u === 'VA') return Math.abs(v) >= 10_000 ? `${nf(lang, 2).format(v / 1000)} k${u}` : `${nf(lang, 0).format(v)} ${u}`;
  if (u === 'Wh' || u === 'varh' || u === 'VAh') return `${nf(lang, 3).format(v / 1000)} k${u}`;
  const digits = u === 'V' || u === 'Hz' ? (u === 'Hz' ? 2 : 1) : u === 'A' ? 2 : u === '' ? 3 : Number.isInteger(v) ? 0 : 3;
  return `${nf(lang, digits).format(v)}${u ? ` ${u}` : ''}`;
}

export function formatAge(lang, ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  const s = Math.max(0, ms / 1000);
  if (s < 90) return `${nf(lang, s < 10 ? 1 : 0).format(s)} s`;
  if (s < 5400) return `${nf(lang, 0).format(s / 60)} min`;
  return `${nf(lang, 1).format(s / 3600)} h`;
}

export function formatTime(lang, iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB');
}

/**
 * A chart tick (seconds since 1970) as local clock time (the browser's, or `timeZone`'s), 24-hour in both languages;
 * with seconds when the ticks are less than a minute apart (a few minutes of data would repeat each minute's label).
 */
export function formatClock(lang, seconds, timeZone, withSeconds = false) {
  return new Date(seconds * 1000).toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB',
    { hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}), timeZone });
}

/** kWh with 3 decimals (the page's energy figures). */
export function formatKwh(lang, kwh) {
  return typeof kwh === 'number' && Number.isFinite(kwh) ? `${nf(lang, 3).format(kwh)} kWh` : '–';
}

/** m³ with 3 decimals (gas and water volumes). */
export function formatM3(lang, m3) {
  return typeof m3 === 'number' && Number.isFinite(m3) ? `${nf(lang, 3).format(m3)} m³` : '–';
}

export function formatKw(lang, kw) {
  return typeof kw === 'number' && Number.isFinite(kw) ? `${nf(lang, 2).format(kw)} kW` : '–';
}

/** An axis tick in kWh (or another unit): as few decimals as the tick spacing needs. */
export function formatKwhAxis(lang, kwh, ticks, unit = 'kWh') {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
  return `${nf(lang, digits).format(kwh)} ${unit}`;
}

const money = new Map();
export function formatMoney(lang, amount, currency) {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return '–';
  const k = `${lang}/${currency}`;
  if (!money.has(k)) money.set(k, new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  return money.get(k).format(amount);
}

export function formatPercent(lang, ratio) {
  if (!Number.isFinite(ratio)) return '';
  const pct = Math.round(ratio * 100);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${nf(lang, 0).format(Math.abs(pct))} %`;
}

/** A date (and time, for ranges within a day) in the browser's zone, or `timeZone`'s. */
export function formatDate(lang, ms, withTime = false, timeZone = undefined) {
  const o = withTime ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', year: 'numeric' };
  return new Date(ms).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', { ...o, timeZone });
}
