/**
 * The Grafana dashboard for the Prometheus output (grafana/dashboards/prometheus.json) against the real tools:
 * its structure (datasource by the DS_PROMETHEUS variable, the panels the README promises), every PromQL
 * expression parsed by `promtool check rules`, and every expression run by Debian's `prometheus` binary against
 * a sink it scrapes: status success and at least one series each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createDecoder } from '../src/index.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { createPrometheusSink } from '../src/sinks/prometheus/prometheus-sink.js';
import { freePort, hasCommand, requireService } from './support/services.js';
import { constructed, context, promtoolSkip } from './prometheus-support.js';

const DASHBOARD = new URL('../grafana/dashboards/prometheus.json', import.meta.url);
const DATASOURCE = new URL('../grafana/provisioning/datasources/prometheus.yaml', import.meta.url);

interface Target { refId: string; expr: string; datasource?: { uid?: string } }
interface Panel { type: string; title: string; datasource?: { type?: string; uid?: string }; targets?: Target[] }
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: { uid?: string } }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const panels = dashboard.panels.filter((p) => p.type !== 'row');

/** The expression as Grafana sends it: its variables replaced by what they stand for with every meter chosen. */
function resolved(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1m').replaceAll('$meter', '.*');
}

const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, expr: resolved(t.expr) })));

test('prometheus dashboard: provisioning-ready, one datasource variable, the panels it promises', () => {
  assert.equal(dashboard.uid, 'meterwire-prometheus');
  const ds = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
  assert.equal(ds?.type, 'datasource');
  assert.equal(ds?.query, 'prometheus');
  const meter = dashboard.templating.list.find((v) => v.name === 'meter');
  assert.equal(meter?.datasource?.uid, '${DS_PROMETHEUS}');
  for (const p of panels) {
    assert.equal(p.datasource?.uid, '${DS_PROMETHEUS}', `${p.title}: datasource by variable`);
    assert.ok(p.targets && p.targets.length > 0, `${p.title}: has queries`);
    for (const t of p.targets) assert.equal(t.datasource?.uid, '${DS_PROMETHEUS}', `${p.title} ${t.refId}`);
  }
  const all = queries.map((q) => q.expr).join('\n');
  for (const needed of [/meterwire_power_import_watts/, /increase\(meterwire_energy_import_joules_total/,
    /meterwire_voltage_phase_volts/, /meterwire_current_phase_amperes/, /meterwire_frames_ok_total/, /meterwire_errors_total/]) {
    assert.match(all, needed);
  }
  assert.doesNotMatch(JSON.stringify(dashboard), /:\/\//, 'no URL (a datasource URL belongs in provisioning)');
  const provisioning = parse(readFileSync(DATASOURCE, 'utf8')) as { apiVersion: number; datasources: { type: string; url: string }[] };
  assert.equal(provisioning.apiVersion, 1);
  assert.equal(provisioning.datasources[0].type, 'prometheus');
});

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

test('prometheus dashboard: promtool parses every expression', async (t) => {
  const skip = await promtoolSkip();
  if (skip) { t.skip(skip); return; }
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-dashboard-'));
  try {
    const rules = (exprs: string[]): string => {
      const file = join(dir, `rules-${exprs.length}.yaml`);
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}:value`, expr })) }] }));
      return file;
    };
    const broken = await run('promtool', ['check', 'rules', rules(['sum by (meter) (meterwire_power_import_watts'])]);
    assert.notEqual(broken.code, 0, 'promtool rejects an expression that does not parse');
    const checked = await run('promtool', ['check', 'rules', rules(queries.map((q) => q.expr))]);
    assert.equal(checked.code, 0, checked.output);
    assert.match(checked.output, new RegExp(`SUCCESS: ${queries.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


/** Simulated meters that keep counting: `next(at)` gives each one's message for that time. */
function meterFleet(profiles: string[]): (at: number) => MeterMessage[] {
  const meters = profiles.map((profile) => ({
    sim: createSimulator({ profile, frameCounter: 9 }), decoder: createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY }),
  }));
  return (at) => meters.map(({ sim, decoder }) => {
    const [msg] = [...decoder.push(sim.frame(at)), ...decoder.flush()];
    assert.ok(msg && !isErrorMessage(msg), JSON.stringify(msg));
    return msg;
  });
}

test('prometheus dashboard: every query gives data from a real Prometheus scraping the sink', async (t) => {
  const skip = await requireService('prometheus', () => hasCommand('prometheus'),
    "install Debian's prometheus package (apt-get install prometheus)");
  if (skip) { t.skip(skip); return; }
  const sink = createPrometheusSink('prometheus://127.0.0.1:0', context());
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-prometheus-'));
  let prometheus: ChildProcess | undefined;
  let log = '';
  try {
    await sink.open();
    // DSMR (totals only per tariff) and DLMS meters (total registers), three-phase.
    const fleet = meterFleet(['nl-dsmr5', 'at-evn-sagemcom-t210d', 'at-lg-e450']);
    // A register that goes down and an implausible reading, for the "values held back" panel.
    const lab = (wh: number): MeterMessage => constructed('lab-1', [['1-0:1.8.0', 'energy_import', wh, 'Wh'],
      ['1-0:32.7.0', 'voltage_l1', 30739, 'V', ['implausible']]]);
    // Evening hours, when the simulated households draw power and their import registers count.
    const EVENING = Date.UTC(2026, 1, 10, 19);
    await sink.write([...fleet(EVENING), lab(5000)]);

    const port = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), stringify({
      global: { scrape_interval: '500ms', scrape_timeout: '500ms' },
      scrape_configs: [{ job_name: 'meterwire', static_configs: [{ targets: [`127.0.0.1:${sink.address()!.port}`] }] }],
    }));
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
    const exited = new Promise<void>((resolve) => prometheus!.once('exit', () => resolve()));

    const api = `http://127.0.0.1:${port}/api/v1`;
    const query = async (expr: string): Promise<{ status: string; data: { result: unknown[] } }> => {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(expr)}`);
      return await res.json() as { status: string; data: { result: unknown[] } };
    };
    /** Scrapes seen so far (samples of one series), 0 while Prometheus is starting. */
    const scrapes = async (): Promise<number> => {
      try {
        const r = await query('count_over_time(meterwire_frames_ok_total[5m])');
        return Number((r.data.result[0] as { value: [number, string] } | undefined)?.value[1] ?? 0);
      } catch {
        return 0;
      }
    };
    const waitForScrapes = async (n: number): Promise<void> => {
      for (let i = 0; i < 300; i++) {
        if (await scrapes() >= n) return;
        if (prometheus!.exitCode !== null) assert.fail(`prometheus exited: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`prometheus did not scrape ${n} times: ${log}`);
    };
    await waitForScrapes(1);
    // The registers count on (a second frame 15 minutes later) and the lab register goes down.
    const later = fleet(EVENING + 900_000);
    await sink.write([...later, lab(4000)]);
    const before = await scrapes();
    await waitForScrapes(before + 2);

    for (const q of queries) {
      const r = await query(q.expr);
      assert.equal(r.status, 'success', `${q.panel} ${q.refId}: ${q.expr}`);
      assert.ok(r.data.result.length > 0, `${q.panel} ${q.refId} has no data: ${q.expr}`);
    }
    // The meter variable's label_values(metric, label), as Grafana asks it.
    const variable = /^label_values\((\w+), (\w+)\)$/.exec(String(dashboard.templating.list.find((v) => v.name === 'meter')?.query));
    assert.ok(variable, 'the meter variable is label_values(metric, label)');
    const meters = await (await fetch(`${api}/label/${variable[2]}/values?match[]=${variable[1]}`)).json() as { data: string[] };
    assert.equal(meters.data.length, 4, 'the meter variable lists every meter');
    // Energy per hour sums a DSMR meter's tariffs and takes a DLMS meter's total: each simulated meter's import
    // increased between the two frames (the lab meter's register went down and is held: no increase).
    const imported = await query(queries.find((q) => q.panel === 'Energy per hour' && q.refId === 'A')!.expr);
    const perMeter = new Map((imported.data.result as { metric: { meter: string }; value: [number, string] }[])
      .map((s) => [s.metric.meter, Number(s.value[1])]));
    for (const msg of later) assert.ok(perMeter.get(msg.meter.id!)! > 0, `${msg.meter.id}: import increased`);
    assert.equal(perMeter.get('lab-1'), 0);
    // The sum Prometheus computes over DSMR (kW) and DLMS (W) meters is their power in watts.
    const watts = later.reduce((sum, m) => {
      const r = m.readings.find((x) => x.id === 'power_import')!;
      return sum + (r.value as number) * (r.unit === 'kW' ? 1000 : 1);
    }, 0);
    assert.ok(later.some((m) => m.readings.find((x) => x.id === 'power_import')!.unit === 'kW') && watts > 0);
    const sum = await query('sum(meterwire_power_import_watts)');
    const measured = Number((sum.data.result[0] as { value: [number, string] }).value[1]);
    assert.ok(Math.abs(measured - watts) < 1e-6, `${measured} ≠ ${watts} W`);
    t.diagnostic(`sum(meterwire_power_import_watts) = ${measured} (${later.map((m) => {
      const r = m.readings.find((x) => x.id === 'power_import')!;
      return `${r.value} ${r.unit}`;
    }).join(' + ')})`);

    prometheus.kill('SIGTERM');
    await exited;
    prometheus = undefined;
  } finally {
    if (prometheus && prometheus.exitCode === null) prometheus.kill('SIGKILL');
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
