/* global uPlot, ResizeObserver, getComputedStyle, performance */
// The streaming chart of the last 15 minutes: import and export power (W), drawn by uPlot from plain arrays.
import { formatClock, formatPower } from './format.js';

export const WINDOW_MS = 15 * 60_000;

function cssVar(el, name) {
  return getComputedStyle(el).getPropertyValue(name).trim();
}

export function createLiveChart(el, getLang, labels) {
  const times = [];
  const imp = [];
  const exp = [];
  let plot;

  function options() {
    const axis = { stroke: cssVar(el, '--muted'), grid: { stroke: cssVar(el, '--grid'), width: 1 }, ticks: { stroke: cssVar(el, '--grid') } };
    return {
      width: Math.max(200, el.clientWidth),
      height: Math.max(200, Math.min(320, Math.round(el.clientWidth * 0.45))),
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(100, max * 1.1)] } },
      axes: [{ ...axis, values: (_u, ticks, _axis, _space, incr) => ticks.map((v) => formatClock(getLang(), v, undefined, incr < 60)) }, { ...axis, size: 70, values: (_u, ticks) => ticks.map((v) => formatPower(getLang(), v)) }],
      series: [
        {},
        { label: labels().import, stroke: cssVar(el, '--import'), width: 2, points: { show: false }, value: (_u, v) => formatPower(getLang(), v) },
        { label: labels().export, stroke: cssVar(el, '--export'), width: 2, points: { show: false }, value: (_u, v) => formatPower(getLang(), v) },
      ],
    };
  }

  function build() {
    plot?.destroy();
    el.textContent = '';
    plot = new uPlot(options(), [times, imp, exp], el);
  }

  function trim(nowMs) {
    const horizon = (nowMs - WINDOW_MS) / 1000;
    let n = 0;
    while (n < times.length && times[n] < horizon) n++;
    if (n > 0) { times.splice(0, n); imp.splice(0, n); exp.splice(0, n); }
  }

  new ResizeObserver(() => { if (plot && Math.abs(plot.width - el.clientWidth) > 2) plot.setSize({ width: Math.max(200, el.clientWidth), height: plot.height }); }).observe(el);

  return {
    /** Replaces the data (a meter switch, a backfill). Points: [{t (ms), imp, exp}] sorted by t. */
    reset(points) {
      times.length = 0; imp.length = 0; exp.length = 0;
      for (const p of points) { times.push(p.t / 1000); imp.push(p.imp); exp.push(p.exp); }
      if (!plot) build(); else plot.setData([times, imp, exp]);
      // For the benchmark (time from navigation to the first chart with data): performance.getEntriesByName.
      if (points.length && !performance.getEntriesByName('meterwire:chart').length) performance.mark('meterwire:chart');
    },
    push(tMs, importW, exportW) {
      const t = tMs / 1000;
      if (times.length && t <= times[times.length - 1]) {
        if (t === times[times.length - 1]) { imp[imp.length - 1] = importW; exp[exp.length - 1] = exportW; } else return;
      } else { times.push(t); imp.push(importW); exp.push(exportW); }
      trim(tMs);
      plot?.setData([times, imp, exp]);
    },
    /** Rebuilds with the current theme and language (colours come from CSS variables). */
    // A chart not drawn yet is drawn with its data; building it empty first (hidden views at start) is wasted work.
    rebuild() { if (plot) build(); },
    points: () => times.length,
  };
}
