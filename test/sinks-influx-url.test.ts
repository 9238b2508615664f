/**
 * The InfluxDB output without a server: URL rules (both APIs, TLS, options, redaction of the password and the
 * token in names and errors), the line-protocol escaping, the phase and tariff tags, and what each HTTP status
 * means for the fan-out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMeterError } from '../src/core/errors.js';
import { redactUrl } from '../src/redact/index.js';
import {
  escapeKey, escapeMeasurement, formatLine, linesFor, outcomeOf, parseInfluxUrl, phaseOf, quoteString, receiveClock, serverMessage, tariffOf,
} from '../src/sinks/influx/index.js';
import { openSink, SUPPORTED_OUTPUTS } from '../src/sinks/open-sink.js';
import type { MeterMessage } from '../src/core/model/message.js';
import type { SinkContext } from '../src/sinks/types.js';

const quiet = (): void => {};
const testContext = (): SinkContext => ({
  log: { info: quiet, warn: quiet, error: quiet }, outputs: () => [], stateDir: '.',
  health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
});

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;

test('influx URL: 1.x database, retention policy, basic auth from the user information, default port and database', () => {
  const t = parseInfluxUrl('influx://grafana:s%40cret%3Apw@db.local/energy?rp=one_year');
  assert.equal(t.version, 1);
  assert.equal(t.writeUrl, 'http://db.local:8086/write?db=energy&precision=ms&rp=one_year');
  assert.equal(t.pingUrl, 'http://db.local:8086/ping');
  assert.equal(t.headers.Authorization, basic('grafana', 's@cret:pw'));
  assert.equal(t.name, 'influx://grafana:***@db.local/energy?rp=one_year');
  assert.equal(t.measurement, 'meterwire');
  assert.equal(t.destination, 'database "energy" (retention policy "one_year")');

  const d = parseInfluxUrl('influx://127.0.0.1:9999');
  assert.equal(d.writeUrl, 'http://127.0.0.1:9999/write?db=meterwire&precision=ms');
  assert.equal(d.headers.Authorization, undefined, 'no credentials, no header');
  assert.equal(parseInfluxUrl('influx://[::1]:8086/x').writeUrl, 'http://[::1]:8086/write?db=x&precision=ms');
});

test('influx URL: HTTPS by scheme or ?tls=1, measurement option, v2 org/bucket/token', () => {
  assert.match(parseInfluxUrl('influxs://h/db').writeUrl, /^https:\/\/h:8086\/write\?/);
  assert.match(parseInfluxUrl('influx://h/db?tls=1').writeUrl, /^https:\/\/h:8086\/write\?/);
  assert.match(parseInfluxUrl('influx://h/db?tls=0').writeUrl, /^http:\/\/h:8086\/write\?/);
  assert.equal(parseInfluxUrl('influx://h/db?measurement=energy_meter').measurement, 'energy_meter');

  const v2 = parseInfluxUrl('influx2s://cloud.example:443?org=My%20Home&bucket=meters&token=ab+c/d==&name=cloud');
  assert.equal(v2.version, 2);
  assert.equal(v2.writeUrl, 'https://cloud.example:443/api/v2/write?org=My+Home&bucket=meters&precision=ms');
  assert.equal(v2.headers.Authorization, 'Token ab+c/d==', 'the token as written ("+" is not a space)');
  assert.equal(v2.name, 'influx2s://cloud.example:443?org=My%20Home&bucket=meters&token=***&name=cloud');
  assert.equal(parseInfluxUrl('influx2://h?org=o&bucket=b&token=t&tls=1').writeUrl, 'https://h:8086/api/v2/write?org=o&bucket=b&precision=ms');
});

test('influx URL: mistakes are BAD_URL errors that name the fix and never show the password or token', () => {
  const cases: Array<[string, RegExp]> = [
    ['influx://u:Secr3tPass@h/db?bucket=x', /unknown option "bucket" \(an influx:\/\/ output takes rp, tls, measurement, name\)/],
    ['influx://u:Secr3tPass@h/a/b', /the path is the database name/],
    ['influx://u:Secr3tPass@h/db?measurement=1bad', /measurement must be a letter/],
    ['influx://u:Secr3tPass@h/db?tls=maybe', /tls must be 1 or 0/],
    ['influx2://h?org=o&bucket=b', /missing \?token=/],
    ['influx2://h?bucket=b&token=T0kenSecret', /missing \?org=/],
    ['influx2://u:Secr3tPass@h?org=o&bucket=b&token=T0kenSecret', /takes an API token, not a user/],
    ['influx2://h/bucket?org=o&token=T0kenSecret', /the bucket is an option, not the path/],
    ['influx2://h?org=o&bucket=b&token=T0kenSecret&db=x', /unknown option "db"/],
    ['influx://', /name the InfluxDB host|cannot read/],
  ];
  for (const [url, why] of cases) {
    let err: unknown;
    try {
      openSink(url, testContext());
    } catch (e) {
      err = e;
    }
    assert.ok(isMeterError(err) && err.code === 'BAD_URL', `${url}: ${String(err)}`);
    assert.match(err.message, why, url);
    assert.ok(!err.message.includes('Secr3tPass') && !err.message.includes('T0kenSecret'), err.message);
  }
});

test('influx: registered in open-sink for all four schemes and listed in --output help; src/redact masks ?token=', () => {
  for (const url of ['influx://h/db', 'influxs://h/db', 'influx2://h?org=o&bucket=b&token=t', 'influx2s://h?org=o&bucket=b&token=t']) {
    assert.equal(openSink(url, testContext()).durable, true, url);
  }
  assert.ok(SUPPORTED_OUTPUTS.some((s) => s.startsWith('influx://') && s.includes('influx2://')));
  assert.equal(redactUrl('influx2://h:8086?org=o&bucket=b&token=abc+/def=='), 'influx2://h:8086?org=o&bucket=b&token=***');
  assert.equal(redactUrl('influx://me:pw@h:8086/db'), 'influx://me:***@h:8086/db');
});

test('line protocol: escaping of measurement, tag and field keys, tag values and string fields', () => {
  assert.equal(escapeMeasurement('a b,c=d'), 'a\\ b\\,c=d', 'measurement: "=" needs no escape');
  assert.equal(escapeKey('a b,c=d"e'), 'a\\ b\\,c\\=d"e');
  assert.equal(escapeKey('back\\slash\\'), 'back/slash/', 'backslashes cannot be escaped portably in tags');
  assert.equal(escapeKey('line\nbreak\ttab'), 'line\\ break\\ tab');
  assert.equal(quoteString('say "hi" C:\\x\\'), '"say \\"hi\\" C:\\\\x\\\\"');
  assert.equal(quoteString('two\r\nlines\nhere'), '"two lines here"');
  assert.equal(formatLine({ measurement: 'm', tags: { z: 'last', a: 'first', empty: '' }, fields: { value: 4215000, text: 'x' }, timeMs: 1770710400000 }),
    'm,a=first,z=last value=4215000,text="x" 1770710400000');
  assert.equal(formatLine({ measurement: 'm', tags: {}, fields: { value: -2.5e-7 }, timeMs: 1 }), 'm value=-2.5e-7 1');
  assert.throws(() => formatLine({ measurement: 'm', tags: {}, fields: { value: Number.NaN }, timeMs: 1 }), RangeError);
  assert.throws(() => formatLine({ measurement: 'm', tags: {}, fields: {}, timeMs: 1 }), RangeError);
});

test('schema: phase from the OBIS C group of electricity codes, tariff from energy and maximum-demand registers', () => {
  const phases: Record<string, string> = {
    '1-0:32.7.0': 'L1', '1-0:31.7.0': 'L1', '1-0:21.7.0': 'L1', '1-0:22.7.0': 'L1', '1-0:52.7.0': 'L2', '1-0:41.7.0': 'L2',
    '1-0:72.7.0': 'L3', '1-0:62.7.0': 'L3', '1-0:1.7.0': '', '1-0:13.7.0': '', '1-0:91.7.0': '', '0-1:24.2.1': '', 'bad': '',
  };
  for (const [obis, phase] of Object.entries(phases)) assert.equal(phaseOf(obis), phase, obis);
  const tariffs: Record<string, string> = {
    '1-0:1.8.1': '1', '1-0:1.8.2': '2', '1-0:2.8.1': '1', '1-0:1.6.1': '1', '1-0:1.8.0': '', '1-0:1.7.0': '', '0-1:24.2.1': '', '1-0:3.8.1': '1',
  };
  for (const [obis, tariff] of Object.entries(tariffs)) assert.equal(tariffOf(obis), tariff, obis);
});

test('responses: which statuses retry (down, credentials, missing database), which are logged and dropped, which split', () => {
  const v1 = { version: 1 as const, destination: 'database "x"' };
  assert.equal(outcomeOf(204, '', v1).kind, 'ok');
  for (const s of [401, 403, 404, 429, 500, 502, 503]) assert.equal(outcomeOf(s, 'x', v1).kind, 'retry', String(s));
  assert.equal(outcomeOf(400, 'retention policy not found: rp', v1).kind, 'retry', 'a 400 the user can fix');
  assert.equal(outcomeOf(400, 'partial write: field type conflict: …', v1).kind, 'rejected');
  assert.equal(outcomeOf(400, "unable to parse 'x': bad", v1).kind, 'rejected');
  assert.equal(outcomeOf(422, 'points beyond retention policy', v1).kind, 'rejected');
  assert.equal(outcomeOf(413, '', v1).kind, 'split');
  const old = outcomeOf(404, '404 page not found', { version: 2, destination: 'bucket "b" of org "o"', serverVersion: '1.6.7~rc0' });
  assert.ok(old.kind === 'retry' && /InfluxDB 1\.6\.7~rc0 has no v2 write API .*use influx:\/\//.test(old.reason), JSON.stringify(old));
  assert.equal(serverMessage('{"error":"database not found: \\"x\\""}', null), 'database not found: "x"');
  assert.equal(serverMessage('{"code":"unauthorized","message":"unauthorized access"}', null), 'unauthorized access');
  assert.equal(serverMessage('', 'from header'), 'from header');
  assert.equal(serverMessage('see http://u:Pa55word@h/x', null), 'see http://u:***@h/x');
});

test('schema: the meter\'s timestamp, else a receive time fixed per message and strictly increasing', () => {
  const reading = { obis: '1-0:1.8.0', id: 'energy_import', name: 'Energy', value: 6.695, unit: 'kWh', quality: [] };
  const stamped: MeterMessage = { meter: { id: 'm1' }, timestamp: '2026-02-10T08:00:00.000Z', format: 'dsmr', readings: [reading], issues: [] };
  const bare = (): MeterMessage => ({ meter: { systemTitle: '4b464d1220000009' }, format: 'dsmr', readings: [reading], issues: [] });
  const clock = receiveClock(() => 5000);
  const a = bare();
  const b = bare();
  const first = linesFor([stamped, a, b], 'meterwire', clock);
  assert.deepEqual(first, [
    'meterwire,id=energy_import,meter=m1,obis=1-0:1.8.0,unit=Wh value=6695 1770710400000',
    'meterwire,id=energy_import,meter=4b464d1220000009,obis=1-0:1.8.0,unit=Wh value=6695 5000',
    'meterwire,id=energy_import,meter=4b464d1220000009,obis=1-0:1.8.0,unit=Wh value=6695 5001',
  ]);
  assert.deepEqual(linesFor([stamped, a, b], 'meterwire', clock), first, 'a retried batch lands on the same points');
  assert.deepEqual(linesFor([{ ...stamped, readings: [] }], 'meterwire', clock), [], 'no readings, no lines (and no request)');
});
