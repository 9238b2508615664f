/* global uPlot, ResizeObserver, getComputedStyle, performance */
// The history charts: power as lines (W) and energy per bucket as bars (kWh), import and export; gas or water per
// bucket as bars (m³), one series. Dragging across a chart selects a time range (uPlot's select hook); the caller
// asks the API for its kWh and cost.
import { formatKwh, formatKwhAxis, formatM3, formatPower } from './format.js';

function cssVar(el, name) {
  return getComputedStyle(el).getPropertyValue(name).trim();
}

/**
 * kind: 'power' | 'energy' | 'gas' | 'water' (labels() gives { import, export }, for a volume { volume }). xLabel(seconds, tickIncrementS) formats the x ticks (for bars: the bucket's start, one tick per bar, at
 * most 12 labelled); onSelect(fromMs, toMs) gets each selection. set(x, imp, exp, halfBucketS) replaces the data;
 * for bars x is the bucket's middle (seconds).
 */
export function createHistoryChart(el, kind, getLang, labels, xLabel, onSelect) {
  let plot;
  let data = [[], [], []];
  let pad = 0;
  const volume = kind === 'gas' || kind === 'water';
  const bars = kind === 'energy' || volume;
  const unit = volume ? 'm³' : 'kWh';
  const fmt = (v) => (volume ? formatM3(getLang(), v) : bars ? formatKwh(getLang(), v) : formatPower(getLang(), v));

  function options() {
    const axis = { stroke: cssVar(el, '--muted'), grid: { stroke: cssVar(el, '--grid'), width: 1 }, ticks: { stroke: cssVar(el, '--grid') } };
    const line = (label, color, align) => ({
      label, stroke: cssVar(el, color), width: bars ? 1 : 2, points: { show: false }, value: (_u, v) => fmt(v),
      ...(bars ? { fill: cssVar(el, color), paths: uPlot.paths.bars({ size: [0.42, 60], align }) } : {}),
    });
    return {
      width: Math.max(200, el.clientWidth),
      height: Math.max(180, Math.min(300, Math.round(el.clientWidth * 0.4))),
      legend: { show: true, live: false },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: {
        x: { time: true, range: (_u, min, max) => [min - pad, max + pad] },
        y: { range: (_u, min, max) => [Math.min(0, min), Math.max(bars ? 0.1 : 100, max * 1.1)] },
      },
      axes: [
        bars
          ? { ...axis, splits: () => data[0].filter((_x, i) => i % Math.ceil(data[0].length / 12) === 0), values: (_u, ticks) => ticks.map((v) => xLabel(v - pad)) }
          : { ...axis, values: (_u, ticks, _axis, _space, incr) => ticks.map((v) => xLabel(v, incr)) },
        { ...axis, size: 80, values: (_u, ticks) => ticks.map((v) => (bars ? formatKwhAxis(getLang(), v, ticks, unit) : fmt(v))) },
      ],
      series: volume ? [{}, { ...line(labels().volume, `--${kind}`, 0), paths: uPlot.paths.bars({ size: [0.7, 80], align: 0 }) }]
        : [{}, line(labels().import, '--import', -1), line(labels().export, '--export', 1)],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          onSelect(Math.round(from * 1000), Math.round(to * 1000));
        }],
      },
    };
  }

  function build() {
    plot?.destroy();
    el.textContent = '';
    plot = new uPlot(options(), data, el);
  }

  new ResizeObserver(() => { if (plot && Math.abs(plot.width - el.clientWidth) > 2) plot.setSize({ width: Math.max(200, el.clientWidth), height: plot.height }); }).observe(el);

  return {
    set(x, imp, exp, halfBucketS = 0) {
      data = volume ? [x, imp] : [x, imp, exp];
      pad = halfBucketS;
      build();
      if (x.length && !performance.getEntriesByName(`meterwire:history-${kind}`).length) performance.mark(`meterwire:history-${kind}`);
    },
    // A chart not drawn yet is drawn with its data; building it empty first (hidden views at start) is wasted work.
    rebuild() { if (plot) build(); },
    points: () => data[0].length,
    destroy() { plot?.destroy(); plot = undefined; },
  };
}
