/* global document, fetch, queueMicrotask */
// The History view and the Costs panel: a day (power from the 5/15-minute rollups, energy per hour), a week
// or a month (energy per day), a year (energy per month), gas and water in m³ per bucket where the meter has them,
// in the meter's time zone (from /api/meters; passed as ?tz=, so the server cuts the same local days); the
// previous period for comparison; a dragged range priced by the API.
import { t } from './i18n.js';
import { formatClock, formatDate, formatKw, formatKwh, formatM3, formatMoney, formatPercent } from './format.js';
import { createHistoryChart } from './history-chart.js';
import { periodRange, wallClock } from './zone.js';

const BUCKET = { day: 'hour', week: 'day', month: 'day', year: 'month' };

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) { const e = new Error(`${r.status}`); e.status = r.status; throw e; }
  return r.json();
}

const sum = (list, key) => list.reduce((a, b) => a + (b[key] ?? 0), 0);

/** getZone(): the meter's IANA zone, by which the periods are cut and the times shown. */
export function createHistoryView($, getLang, getMeter, getZone) {
  let period = 'day';
  let anchor = Date.now();
  let hasCosts = false;
  let currency = 'EUR';
  let loadId = 0;
  const lang = () => getLang();
  const labels = () => ({ import: t(lang(), 'import'), export: t(lang(), 'export') });
  const q = (extra) => `meter=${encodeURIComponent(getMeter())}&tz=${encodeURIComponent(getZone())}&${extra}`;
  const range = (p, ms) => periodRange(p, ms, getZone());
  const locale = () => (lang() === 'de' ? 'de-DE' : 'en-GB');

  const xLabel = (s, incr = Infinity) => {
    const ms = s * 1000;
    const zone = getZone();
    const w = wallClock(zone, ms);
    // A week of power: the date at midnight, the clock time between.
    if (period === 'day' || (period === 'week' && (w.h !== 0 || w.mi !== 0))) return formatClock(lang(), s, zone, incr < 60);
    if (period === 'year') return new Date(ms).toLocaleDateString(locale(), { month: 'short', timeZone: zone });
    return new Date(ms).toLocaleDateString(locale(), { day: 'numeric', month: 'short', timeZone: zone });
  };
  const power = createHistoryChart($('power-chart'), 'power', lang, labels, xLabel, (a, b) => void select(a, b));
  const energy = createHistoryChart($('energy-chart'), 'energy', lang, labels, xLabel, (a, b) => void select(a, b));

  // One bar chart per volume counter (gas, water) the meter has; none, and the block stays hidden.
  let volumeCharts = new Map();
  const volumeName = (v) => (v.kind ? `${t(lang(), v.kind)}${v.index > 1 ? ` ${v.index}` : ''}`
    : v.channel ? t(lang(), 'volumeChannel', v.channel) : t(lang(), 'volume'));
  function showVolumes(volumes, buckets, mids, half) {
    const box = $('volume-charts');
    const key = volumes.map((v) => `${v.id}:${v.kind}`).join(',');
    if (box.dataset.key !== key) {
      for (const c of volumeCharts.values()) c.chart.destroy();
      volumeCharts = new Map();
      box.textContent = '';
      box.dataset.key = key;
      for (const v of volumes) {
        const section = document.createElement('section');
        section.className = 'volume';
        section.dataset.kind = v.kind ?? 'volume';
        const h = document.createElement('h2');
        const el = document.createElement('div');
        el.className = 'chart';
        el.setAttribute('role', 'img');
        const total = document.createElement('p');
        total.className = 'volume-total';
        section.append(h, el, total);
        box.append(section);
        const chart = createHistoryChart(el, v.kind === 'gas' || !v.kind ? 'gas' : 'water', lang, () => ({ volume: volumeName(v) }), xLabel, (a, b) => void select(a, b));
        volumeCharts.set(v.id, { v, h, el, total, chart });
      }
    }
    box.hidden = volumes.length === 0;
    for (const { v, h, el, total, chart } of volumeCharts.values()) {
      h.textContent = volumeName(v);
      el.setAttribute('aria-label', t(lang(), 'volumeChartLabel', volumeName(v)));
      const values = buckets.map((b) => b.volumesM3?.[v.id] ?? null);
      chart.set(mids, values, null, half);
      total.textContent = values.some((x) => x !== null)
        ? `${t(lang(), 'periodTotal')}: ${formatM3(lang(), values.reduce((a, x) => a + (x ?? 0), 0))}` : t(lang(), 'noData');
    }
  }

  async function loadPower(from, to, id) {
    const u = (reading) => `api/history?${q(`reading=${reading}&from=${from}&to=${to}`)}`;
    const [imp, exp] = await Promise.all([u('power_import'), u('power_export')].map((x) => json(x).catch(() => ({ points: [] }))));
    if (id !== loadId) return;
    const expAt = new Map(exp.points.map((p) => [p.t, p.value]));
    power.set(imp.points.map((p) => p.t / 1000), imp.points.map((p) => p.value), imp.points.map((p) => expAt.get(p.t) ?? null));
  }

  async function load() {
    const id = ++loadId;
    const meter = getMeter();
    const zone = getZone();
    const [from, to] = range(period, anchor);
    const [pFrom, pTo] = range(period, from - 1);
    $('period-label').textContent = period === 'day' ? formatDate(lang(), from, false, zone)
      : `${formatDate(lang(), from, false, zone)} – ${formatDate(lang(), to - 1, false, zone)}`;
    for (const b of document.querySelectorAll('[data-period]')) b.setAttribute('aria-pressed', String(b.dataset.period === period));
    $('power-section').hidden = period !== 'day' && period !== 'week';
    $('selection').hidden = true;
    if (!meter) return;
    const bucket = BUCKET[period];
    const [cur, prev] = await Promise.all([
      json(`api/energy?${q(`bucket=${bucket}&from=${from}&to=${to}`)}`),
      json(`api/energy?${q(`bucket=${bucket}&from=${pFrom}&to=${pTo}`)}`).catch(() => ({ buckets: [] })),
    ]).catch(() => [{ buckets: [] }, { buckets: [] }]);
    if (id !== loadId) return;
    const mids = cur.buckets.map((b) => (Date.parse(b.start) + Date.parse(b.end)) / 2000);
    const half = cur.buckets.length ? (Date.parse(cur.buckets[0].end) - Date.parse(cur.buckets[0].start)) / 2000 : 0;
    energy.set(mids, cur.buckets.map((b) => b.importKwh), cur.buckets.map((b) => b.exportKwh), half);
    showVolumes(cur.volumes ?? [], cur.buckets, mids, half);
    const [ci, ce, pi] = [sum(cur.buckets, 'importKwh'), sum(cur.buckets, 'exportKwh'), sum(prev.buckets, 'importKwh')];
    const known = cur.buckets.some((b) => b.importKwh !== null);
    $('period-total').textContent = known ? formatKwh(lang(), ci) : t(lang(), 'noData');
    $('period-export').textContent = known ? `${t(lang(), 'export')} ${formatKwh(lang(), ce)}` : '';
    $('period-compare').textContent = prev.buckets.some((b) => b.importKwh !== null)
      ? `${formatKwh(lang(), pi)}${pi > 0 && known ? ` (${formatPercent(lang(), (ci - pi) / pi)})` : ''}` : t(lang(), 'noData');
    if (period === 'day' || period === 'week') await loadPower(from, to, id);
    // Which period the charts show now (tests and screenshots wait for it).
    if (id === loadId) $('view-history').dataset.shown = `${period}:${from}`;
  }

  /** The API prices whole quarters (hours beyond 62 days): the range it answers for is what the page shows. */
  async function select(fromMs, toMs) {
    const meter = getMeter();
    if (!meter || !(fromMs < toMs)) return;
    const box = $('selection');
    let shown;
    if (hasCosts) {
      try {
        const c = await json(`api/costs?meter=${encodeURIComponent(meter)}&from=${fromMs}&to=${toMs}`);
        currency = c.currency;
        shown = { ...c.range, cost: formatMoney(lang(), c.range.total, c.currency) };
      } catch (e) { if (e.status === 404) hasCosts = false; else return; }
    }
    if (!shown) {
      const span = toMs - fromMs;
      const e = await json(`api/energy?${q(`bucket=${span <= 30 * 86_400_000 ? 'quarter' : 'day'}&from=${fromMs}&to=${toMs}`)}`).catch(() => undefined);
      if (!e?.buckets.length) return;
      shown = { from: e.buckets[0].start, to: e.buckets[e.buckets.length - 1].end, importKwh: sum(e.buckets, 'importKwh'), exportKwh: sum(e.buckets, 'exportKwh') };
    }
    box.hidden = false;
    box.dataset.from = shown.from;
    box.dataset.to = shown.to;
    box.dataset.importKwh = String(shown.importKwh);
    if (shown.total !== undefined) box.dataset.total = String(shown.total);
    $('selection-value').textContent = `${formatKwh(lang(), shown.importKwh)}${shown.cost ? ` · ${shown.cost}` : ''}`;
    $('selection-export').textContent = `${t(lang(), 'export')} ${formatKwh(lang(), shown.exportKwh)}`;
    const [a, b] = [Date.parse(shown.from), Date.parse(shown.to)];
    $('selection-range').textContent = `${formatDate(lang(), a, true, getZone())} – ${formatDate(lang(), b, true, getZone())}${shown.complete === false ? ` · ${t(lang(), 'incomplete')}` : ''}`;
  }

  /** The capacity tariff's room in the running quarter (Flanders) or hour (Norway), from the API or the live stream. */
  let shownHeadroom = {};
  function showHeadroom(h) {
    if (h.meter !== getMeter()) return;
    // When it was computed: an older answer (a slow fetch, a cached event) never replaces a newer one.
    const end = h.quarterEnd ?? h.hourEnd;
    const at = end - h.remainingMs;
    if (shownHeadroom.meter === h.meter && at < shownHeadroom.at) return;
    shownHeadroom = { meter: h.meter, at };
    const box = $('headroom');
    box.dataset.at = String(at);
    if (h.remainingWh === null) { $('headroom-value').textContent = t(lang(), 'noLimit'); $('headroom-detail').textContent = ''; return; }
    $('headroom-value').textContent = formatKwh(lang(), h.remainingWh / 1000);
    const avg = formatKw(lang(), h.maxAverageKw);
    $('headroom-detail').textContent = t(lang(), h.type === 'flanders' ? 'headroomQuarter' : 'headroomHour', formatClock(lang(), end / 1000, getZone()), avg);
  }

  async function loadCosts() {
    const meter = getMeter();
    if (!meter || !hasCosts) return;
    try {
      const c = await json(`api/costs?meter=${encodeURIComponent(meter)}`);
      hasCosts = true;
      currency = c.currency;
      for (const [key, p] of [['today', c.today], ['month', c.month]]) {
        $(`cost-${key}`).textContent = formatMoney(lang(), p.total, currency);
        $(`cost-${key}-kwh`).textContent = `${formatKwh(lang(), p.importKwh)}${p.complete ? '' : ` · ${t(lang(), 'incomplete')}`}`;
      }
      $('costs-section').hidden = false;
      $('headroom').hidden = !c.capacity;
      if (c.capacity) {
        const h = await json(`api/headroom?meter=${encodeURIComponent(meter)}`).catch(() => undefined);
        if (h) showHeadroom(h);
      }
    } catch (e) {
      if (e.status === 404) { hasCosts = false; $('costs-section').hidden = true; }
    }
  }

  for (const b of document.querySelectorAll('[data-period]')) b.addEventListener('click', () => { period = b.dataset.period; anchor = Date.now(); void load(); });
  $('period-prev').addEventListener('click', () => { anchor = range(period, anchor)[0] - 1; void load(); });
  $('period-next').addEventListener('click', () => { anchor = range(period, anchor)[1]; void load(); });

  // Start, language and meter changes may each ask for a reload in the same tick: one round of requests serves them.
  const once = (fn) => {
    let queued = false;
    return () => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => { queued = false; void fn(); });
    };
  };

  return {
    load: once(load),
    showHeadroom,
    loadCosts: once(loadCosts),
    /** Whether the dashboard has tariffs (from /api/meters): without them the page never asks for costs. */
    setCosts(on) { hasCosts = on; },
    rebuild() { power.rebuild(); energy.rebuild(); for (const c of volumeCharts.values()) c.chart.rebuild(); },
  };
}
