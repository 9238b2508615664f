import pg from 'pg';
const orig = pg.Client.prototype.query;
const times = new Map();
pg.Client.prototype.query = function (q, ...rest) {
  const key = (typeof q === 'string' ? q : q?.text ?? q?.constructor?.name ?? 'copy').replace(/\s+/g, ' ').slice(0, 60);
  const s = performance.now();
  const r = orig.call(this, q, ...rest);
  if (r && typeof r.then === 'function') r.then(() => { const t = times.get(key) ?? [0, 0]; t[0] += performance.now() - s; t[1]++; times.set(key, t); }, () => {});
  else if (r && r.on) r.on('finish', () => { const t = times.get(key) ?? [0, 0]; t[0] += performance.now() - s; t[1]++; times.set(key, t); });
  return r;
};
process.on('exit', () => { for (const [k, [t, n]] of [...times].sort((x, y) => y[1][0] - x[1][0]).slice(0, 14)) console.log((t / n).toFixed(1).padStart(8), 'ms', String(n).padStart(5), k); });
