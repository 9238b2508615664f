// Printing of the fuzz results: one block per entry point, then a summary table and the verdict.

const n = (x) => x.toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const pad = (s, w) => String(s).padEnd(w);

function repro(opts, name, s) {
  const dis = s.disabled?.length ? ` --disable ${s.disabled.join(',')}` : '';
  return `node bench/fuzz.mjs --seed ${opts.seed} --entry ${name} --start ${s.iteration} --iterations 1${dis}`;
}

function sampleLines(opts, name, s, indent) {
  const pushes = s.pushes > 1 ? `, ${n(s.pushes)} pushes${s.cuts ? ` ending at ${s.cuts}` : ''}` : '';
  const lines = [`${indent}#${s.iteration} ${s.gen}, ${n(s.size)} B${pushes}${s.detail ? ` — ${s.detail}` : ''}`];
  if (s.hex !== undefined) lines.push(`${indent}  hex ${s.hex}${s.truncated ? '… (truncated)' : ''}`);
  lines.push(`${indent}  repro: ${repro(opts, name, s)}`);
  return lines;
}

/** The block of one entry point. */
export function entryBlock(opts, st) {
  const t = st.tally;
  const out = [];
  const head = `${st.name}: inputs ${n(t.inputs)}, messages ${n(t.messages)}, readings ${n(t.readings)}, ` +
    `foreign exceptions ${n(t.foreign)}, failures ${t.failures.length}`;
  out.push(head);
  if (st.setupError) out.push(`  SETUP FAILED: ${st.setupError}`);
  const errs = Object.entries(t.errors).sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c} ${n(k)}`).join(', ');
  out.push(`  errors by code: ${errs || 'none'}`);
  for (const [sig, f] of Object.entries(t.foreignBySignature)) {
    out.push(`  FOREIGN ×${n(f.count)}: ${sig}`);
    for (const s of f.samples) out.push(...sampleLines(opts, st.name, s, '    '));
  }
  for (const f of t.failures) {
    out.push(`  FAILURE ${f.kind}${f.ms ? ` after ${n(Math.round(f.ms))} ms` : ''}: ${f.detail ?? ''}`);
    out.push(...sampleLines(opts, st.name, { ...f, detail: undefined }, '    '));
  }
  if (t.mismatches) {
    out.push(`  CHUNKING CHANGED THE RESULT ×${n(t.mismatches)} (checked on 1 in 16 chunked inputs)`);
    for (const s of t.mismatchSamples) out.push(...sampleLines(opts, st.name, s, '    '));
  }
  if (t.leaks) {
    out.push(`  KEY IN OUTPUT ×${n(t.leaks)}`);
    for (const s of t.leakSamples) out.push(...sampleLines(opts, st.name, s, '    '));
  }
  const gens = Object.entries(t.byGenerator).sort((a, b) => b[1] - a[1]);
  const plain = gens.filter(([g]) => !g.startsWith('hostile:')).map(([g, k]) => `${g} ${n(k)}`).join(', ');
  const hostile = gens.filter(([g]) => g.startsWith('hostile:')).map(([g, k]) => `${g.slice(8)} ${n(k)}`).join(', ');
  out.push(`  inputs by source: ${plain}; hostile: ${hostile || 'none'}`);
  const cost = (x) => (x.cpuMs !== undefined ? `${n(x.cpuMs)} ms CPU when run again, ${n(x.us)} µs wall` : `${n(x.us)} µs${x.remeasured ? ' when run again' : ''} (wall clock)`);
  if (t.slowest) out.push(`  slowest completed call: ${cost(t.slowest)} (${n(t.slowest.size)} B, ${t.slowest.gen}, #${t.slowest.iteration}); ` +
    `calls over 250 ms wall: ${n(t.slowCalls)}`);
  if (t.worstPerKiB) out.push(`  most work per byte: ${n(t.worstPerKiB.usPerKiB)} µs/KiB (${cost(t.worstPerKiB)} for ${n(t.worstPerKiB.size)} B, ` +
    `${t.worstPerKiB.gen}, #${t.worstPerKiB.iteration})`);
  if (t.largestValue) {
    const v = t.largestValue;
    out.push(`  largest decoded value: ${n(v.values)} values from ${n(v.size)} B (${v.perByte.toFixed(1)} per byte, ${v.gen}, #${v.iteration})`);
  }
  out.push(`  heap high-water ${mb(t.heapMax)} (worker isolate, sampled), RSS high-water ${mb(Math.max(t.rssMax, st.rssMax))} (process)`);
  if (st.disabledNotes.length) for (const d of st.disabledNotes) out.push(`  ${d}`);
  if (st.stopped) out.push(`  STOPPED EARLY: ${st.stopped}`);
  return out.join('\n');
}

/** Whether the run found a defect (the exit code is 1 then). */
export function verdict(states) {
  const bad = [];
  for (const st of states) {
    const t = st.tally;
    if (st.setupError) bad.push(`${st.name}: setup failed`);
    if (t.foreign) bad.push(`${st.name}: ${n(t.foreign)} foreign exceptions`);
    if (t.failures.length) bad.push(`${st.name}: ${t.failures.length} failures (${[...new Set(t.failures.map((f) => f.kind))].join(', ')})`);
    if (t.mismatches) bad.push(`${st.name}: ${n(t.mismatches)} chunking mismatches`);
    if (t.leaks) bad.push(`${st.name}: ${n(t.leaks)} key leaks`);
  }
  return bad;
}

export function summaryTable(states) {
  const rows = [['entry point', 'inputs', 'messages', 'errors', 'foreign', 'failures', 'slowest call ms (B)', 'heap MB']];
  for (const st of states) {
    const t = st.tally;
    const errors = Object.values(t.errors).reduce((a, b) => a + b, 0);
    rows.push([st.name, n(t.inputs), n(t.messages), n(errors), n(t.foreign), String(t.failures.length),
      t.slowest ? `${n(Math.round(t.slowest.cpuMs ?? t.slowest.us / 1000))} (${n(t.slowest.size)})` : '-', (t.heapMax / 1048576).toFixed(0)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? pad(cell, widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}
