/* global document, window, navigator, localStorage, fetch, setInterval, URLSearchParams */
// The live view: the live stream (messages, the capacity headroom, health and the meter list every few seconds),
// shared by all tabs of the browser (live-link.js), no polling. Everything is rendered with textContent: nothing from a message becomes markup.
import { initialLanguage, readingName, stateText, t, translatePage } from './i18n.js';
import { formatAge, formatPower, formatTime, formatValue, toBase } from './format.js';
import { createLiveChart, WINDOW_MS } from './chart.js';
import { createHistoryView } from './history.js';
import { createLiveLink } from './live-link.js';

const $ = (id) => document.getElementById(id);
const store = { get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } } };

let lang = initialLanguage(store.get('meterwire.lang'), navigator.language);
let meter = new URLSearchParams(window.location.search).get('meter') || store.get('meterwire.meter') || '';
let meters = [];
let latest;
let health;
let healthAt = 0;
let storedMeters = [];
let view = window.location.hash === '#history' ? 'history' : 'live';

const chart = createLiveChart($('chart'), () => lang, () => ({ import: t(lang, 'import'), export: t(lang, 'export') }));
// History periods are the meter's local days (its zone from /api/meters), else the dashboard's, else the browser's.
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
let defaultZone;
const meterZone = () => storedMeters.find((m) => m.meter === meter)?.timeZone ?? defaultZone ?? BROWSER_ZONE;
const history = createHistoryView($, () => lang, () => meter, meterZone);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function row(cells, header = false) {
  const tr = el('tr');
  for (const c of cells) {
    const cell = el(header ? 'th' : 'td', c.text ?? c, c.cls);
    if (header) cell.scope = 'col';
    tr.append(cell);
  }
  return tr;
}

function readingsById(msg) {
  const m = new Map();
  for (const r of msg?.readings ?? []) m.set(r.id, r);
  return m;
}

function watts(r) {
  return r && typeof r.value === 'number' ? toBase(r.value, r.unit).value : undefined;
}

function renderNow() {
  const byId = readingsById(latest?.message);
  $('power-import').textContent = formatPower(lang, watts(byId.get('power_import')));
  $('power-export').textContent = formatPower(lang, watts(byId.get('power_export')));
  const extras = $('extras');
  extras.textContent = '';
  for (const [id, key] of [['power_factor', 'powerFactor'], ['frequency', 'frequency']]) {
    const r = byId.get(id);
    if (!r) continue;
    const card = el('div', undefined, 'card');
    card.append(el('span', t(lang, key), 'label'), el('output', formatValue(lang, r.value, r.unit), 'value'));
    card.id = `extra-${id}`;
    extras.append(card);
  }
  renderPhases(byId);
  renderReadings();
}

const PHASE_ROWS = [['voltage', 'voltage'], ['current', 'current'], ['power_import', 'powerImport'],
  ['power_export', 'powerExport'], ['power_factor', 'powerFactor']];

function renderPhases(byId) {
  const table = $('phases');
  table.textContent = '';
  const phases = [1, 2, 3].filter((n) => PHASE_ROWS.some(([id]) => byId.has(`${id}_l${n}`)));
  $('phases-section').hidden = phases.length === 0;
  if (!phases.length) return;
  const head = el('thead');
  head.append(row([t(lang, 'phase'), ...phases.map((n) => ({ text: `L${n}`, cls: 'num' }))], true));
  const body = el('tbody');
  for (const [id, key] of PHASE_ROWS) {
    if (!phases.some((n) => byId.has(`${id}_l${n}`))) continue;
    const tr = el('tr');
    const th = el('th', t(lang, key));
    th.scope = 'row';
    tr.append(th);
    for (const n of phases) {
      const r = byId.get(`${id}_l${n}`);
      tr.append(el('td', r ? formatValue(lang, r.value, r.unit) : '–', 'num'));
    }
    body.append(tr);
  }
  table.append(head, body);
}

function renderReadings() {
  const table = $('readings');
  table.textContent = '';
  const head = el('thead');
  head.append(row([t(lang, 'reading'), 'OBIS', { text: t(lang, 'value'), cls: 'num' }], true));
  const body = el('tbody');
  for (const r of latest?.message?.readings ?? []) body.append(row([readingName(lang, r), r.obis, { text: formatValue(lang, r.value, r.unit), cls: 'num' }]));
  table.append(head, body);
}

function item(dl, label, value, cls) {
  const d = el('div');
  d.append(el('dt', label), el('dd', value, cls));
  dl.append(d);
}

function renderHealth() {
  const dl = $('health');
  dl.textContent = '';
  const r = health?.reader;
  if (!health) return;
  if (!r) {
    item(dl, t(lang, 'state'), t(lang, 'noReader'));
  } else {
    const age = r.lastFrameAgeMs === null ? null : r.lastFrameAgeMs + (Date.now() - healthAt);
    const ageText = formatAge(lang, age);
    item(dl, t(lang, 'state'), stateText(lang, r.state), `state-${r.state}`);
    item(dl, t(lang, 'lastFrame'), ageText === null ? t(lang, 'never') : t(lang, 'ago', ageText));
    item(dl, t(lang, 'frames'), String(r.framesOk));
    item(dl, t(lang, 'messages'), String(r.messages));
    const errs = Object.entries(r.errors).map(([code, n]) => `${code} ${n}`).join(', ');
    item(dl, t(lang, 'errors'), errs || t(lang, 'none'), errs ? 'state-down' : undefined);
    item(dl, t(lang, 'unverified'), String(r.unverified), r.unverified ? 'state-stale' : undefined);
    item(dl, t(lang, 'replays'), String(r.replays), r.replays ? 'state-down' : undefined);
  }
  item(dl, t(lang, 'liveClients'), String(health.live.clients));
  const table = $('outputs');
  table.textContent = '';
  if (!health.outputs.length) return;
  const head = el('thead');
  head.append(row([t(lang, 'output'), t(lang, 'state'), ...['queued', 'spooled', 'delivered', 'dropped'].map((k) => ({ text: t(lang, k), cls: 'num' }))], true));
  const body = el('tbody');
  for (const o of health.outputs) {
    body.append(row([o.output, { text: stateText(lang, o.state), cls: `state-${o.state}` },
      ...[o.queued, o.spooled, o.delivered, o.dropped].map((n) => ({ text: String(n), cls: 'num' }))]));
  }
  table.append(head, body);
}

function renderMeters() {
  const select = $('meter');
  const current = [...select.options].map((o) => o.value).join('\n');
  if (current === meters.map((m) => m.meter).join('\n') && select.value === meter) return;
  select.textContent = '';
  if (!meters.length) { select.append(el('option', t(lang, 'waiting'))); select.disabled = true; return; }
  for (const m of meters) {
    const o = el('option', [m.manufacturer, m.meter].filter(Boolean).join(' '));
    if (m.profile) o.title = m.profile;
    o.value = m.meter;
    select.append(o);
  }
  select.disabled = false;
  select.value = meter;
}

function setStatus(text, bad = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}

function onMessage(data) {
  if (data.meter !== meter) return;
  latest = data;
  const byId = readingsById(data.message);
  const at = Date.parse(data.message.timestamp ?? data.receivedAt);
  chart.push(Number.isFinite(at) ? at : Date.now(), watts(byId.get('power_import')) ?? null, watts(byId.get('power_export')) ?? null);
  renderNow();
  setStatus(`${t(lang, 'live')} · ${t(lang, 'lastMessage', formatTime(lang, data.message.timestamp ?? data.receivedAt))}`);
}

/** Live meters first, then those only the store knows (a dashboard over a store has no live ones). */
function mergeMeters(live) {
  const known = new Set(live.map((m) => m.meter));
  return [...live, ...storedMeters.filter((m) => !known.has(m.meter))];
}

function onStatus(data) {
  health = data.health;
  healthAt = Date.now();
  meters = mergeMeters(data.meters);
  // No meter chosen yet, or the remembered one is not (or no longer) here: show the first.
  if (meters.length && !meters.some((m) => m.meter === meter)) { meter = meters[0].meter; connect(); return; }
  renderMeters();
  renderHealth();
}

async function backfill() {
  if (!meter) return;
  const to = Date.now();
  const q = (reading) => `api/series?meter=${encodeURIComponent(meter)}&reading=${reading}&from=${to - WINDOW_MS}&to=${to}`;
  try {
    const [imp, exp] = await Promise.all([q('power_import'), q('power_export')].map((u) => fetch(u).then((r) => (r.ok ? r.json() : { points: [] }))));
    const exportAt = new Map(exp.points.map((p) => [p.t, p.value]));
    const points = imp.points.map((p) => ({ t: p.t, imp: p.value, exp: exportAt.get(p.t) ?? null }));
    if (points.length) chart.reset(points);
  } catch { /* the live stream fills the chart anyway */ }
}

const link = createLiveLink({
  event(type, data) {
    if (type === 'message') onMessage(data);
    else if (type === 'status') onStatus(data);
    else if (type === 'headroom' && data.meter === meter) history.showHeadroom(data);
  },
  state(s) {
    if (s === 'error') setStatus(t(lang, 'reconnecting'), true);
    else if (!latest) setStatus(t(lang, meter ? 'live' : 'waiting'));
  },
});

function connect() {
  latest = undefined;
  chart.reset([]);
  renderNow();
  store.set('meterwire.meter', meter);
  link.setMeter(meter);
  void backfill();
  void history.loadCosts();
  if (view === 'history') void history.load();
}

function showView(next, focus = false) {
  view = next;
  for (const name of ['live', 'history']) {
    const tab = $(`tab-${name}`);
    tab.setAttribute('aria-selected', String(name === view));
    tab.tabIndex = name === view ? 0 : -1;
    $(`view-${name}`).hidden = name !== view;
  }
  if (focus) $(`tab-${view}`).focus();
  if (window.location.hash !== `#${view}`) window.history.replaceState(null, '', view === 'live' ? window.location.pathname + window.location.search : '#history');
  if (view === 'history') void history.load(); else chart.rebuild();
}

function applyLanguage() {
  translatePage(document, lang);
  $('lang').value = lang;
  chart.rebuild();
  history.rebuild();
  if (view === 'history') void history.load();
  void history.loadCosts();
  renderMeters();
  renderNow();
  renderHealth();
}

$('meter').addEventListener('change', (e) => { meter = e.target.value; connect(); });
$('lang').addEventListener('change', (e) => { lang = e.target.value; store.set('meterwire.lang', lang); applyLanguage(); });
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { chart.rebuild(); history.rebuild(); });
for (const name of ['live', 'history']) $(`tab-${name}`).addEventListener('click', () => showView(name));
$('tab-live').addEventListener('keydown', (e) => { if (e.key === 'ArrowRight') showView('history', true); });
$('tab-history').addEventListener('keydown', (e) => { if (e.key === 'ArrowLeft') showView('live', true); });
setInterval(renderHealth, 1000); // the frame age counts on between status events

async function start() {
  try {
    const r = await fetch('api/meters');
    if (r.ok) {
      const body = await r.json();
      storedMeters = body.meters;
      defaultZone = body.timeZone;
      history.setCosts(body.costs === true);
    }
  } catch { /* the live stream lists the meters too */ }
  meters = mergeMeters([]);
  if (meters.length && !meters.some((m) => m.meter === meter)) meter = meters[0].meter;
  showView(view);
  applyLanguage();
  connect();
}
// uPlot is a classic deferred script; modules run after it, but be safe when loaded in another order.
if (window.uPlot) void start(); else window.addEventListener('DOMContentLoaded', () => void start());
