/**
 * MQTT.js is loaded only when a tariff names an MQTT price topic: a dashboard with other prices (a CSV file, fixed)
 * does not load it. Checked in a child process, whose module cache nothing else has touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './support/cli.js';

const script = (src: string) => `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(pathToFileURL(join(ROOT, 'package.json')).href)});
const { createDashboard } = await import(${JSON.stringify(pathToFileURL(join(src, 'dashboard/server.ts')).href)});
const { parseTariffs } = await import(${JSON.stringify(pathToFileURL(join(src, 'costs/tariff-schema.ts')).href)});
const loaded = () => Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/]mqtt[\\\\/]/.test(k)).length;
const quiet = { info() {}, warn() {}, error() {} };
const plan = (imp) => parseTariffs({ currency: 'EUR', timeZone: 'Europe/Amsterdam', plans: { a: { import: imp, export: { type: 'fixed', price: 0.05 } } } });
const out = {};
const files = createDashboard({ host: '127.0.0.1', port: 0, log: quiet, tariffs: plan({ type: 'dynamic', series: 's', slotMinutes: 15, file: 'absent.csv' }) });
await files.app.inject({ url: '/api/meters' });
await files.close();
out.withoutMqtt = loaded();
// Port 9 (discard) on loopback: nothing listens; close() waits for the import, not for a connection.
const topic = createDashboard({ host: '127.0.0.1', port: 0, log: quiet, tariffs: plan({ type: 'dynamic', series: 's', slotMinutes: 15, mqtt: 'mqtt://127.0.0.1:9/prices' }) });
await topic.close();
out.withMqtt = loaded();
console.log(JSON.stringify(out));
`;

test('mqtt prices: MQTT.js is imported only for a tariff with an MQTT price topic', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(join(ROOT, 'src'))], { cwd: ROOT, encoding: 'utf8' });
  const counts = JSON.parse(out.trim().split('\n').at(-1)!) as { withoutMqtt: number; withMqtt: number };
  assert.equal(counts.withoutMqtt, 0, 'a dashboard without MQTT prices loads no MQTT.js module');
  assert.ok(counts.withMqtt > 0, 'the check sees MQTT.js once it is loaded');
});
