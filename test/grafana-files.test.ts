/**
 * The shipped Grafana files fit together as provisioned: one dashboard provider, unique dashboard uids, and every
 * datasource a panel names either a dashboard variable or a datasource the provisioning files create, of the same
 * type. (Each dashboard's queries run against the real databases in sql-grafana, sinks-influx-grafana and
 * prometheus-dashboard.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const DIR = 'grafana';
const dashboards = readdirSync(join(DIR, 'dashboards')).filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DIR, 'dashboards', f), 'utf8')) as Dashboard }));

interface Dashboard { uid: string; title: string; panels: { title: string; datasource?: Ref; targets?: { datasource?: Ref }[] }[]; templating?: { list: { name: string; type: string; query?: string }[] } }
interface Ref { type: string; uid: string }

function provisioned(kind: string): Record<string, unknown>[] {
  return readdirSync(join(DIR, 'provisioning', kind)).filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => (parse(readFileSync(join(DIR, 'provisioning', kind, f), 'utf8')) as Record<string, Record<string, unknown>[]>)[kind === 'dashboards' ? 'providers' : 'datasources']);
}

test('one dashboard provider, four dashboards with unique uids', () => {
  assert.equal(provisioned('dashboards').length, 1, 'two providers of one folder would load every dashboard twice');
  assert.deepEqual(dashboards.map((d) => d.file).sort(), ['influxdb.json', 'mysql.json', 'postgres.json', 'prometheus.json']);
  assert.equal(new Set(dashboards.map((d) => d.json.uid)).size, dashboards.length);
});

test('every panel datasource is a dashboard variable or a provisioned datasource of its type', () => {
  const sources = provisioned('datasources').map((d) => ({ uid: String(d.uid), type: String(d.type) }));
  for (const { file, json } of dashboards) {
    const variables = new Map((json.templating?.list ?? []).filter((v) => v.type === 'datasource').map((v) => [v.name, v.query]));
    assert.ok(json.panels.length >= 4, `${file}: panels`);
    for (const p of json.panels) {
      for (const ref of [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)].filter((r): r is Ref => r !== undefined)) {
        const variable = /^\$\{?(\w+)\}?$/.exec(ref.uid)?.[1];
        if (variable !== undefined) {
          assert.equal(variables.get(variable), ref.type, `${file} "${p.title}": variable ${variable} selects ${ref.type}`);
          assert.ok(sources.some((s) => s.type === ref.type), `${file}: a provisioned ${ref.type} datasource for the variable to pick`);
        } else {
          assert.ok(sources.some((s) => s.uid === ref.uid && s.type === ref.type), `${file} "${p.title}": datasource ${ref.uid} (${ref.type}) is provisioned`);
        }
      }
    }
  }
});
