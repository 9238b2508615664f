/**
 * The dashboard's HTTP API through fastify's inject (no network), except the live stream (a real loopback
 * socket): token enforcement, security headers, read-only, no secret in any response, the JSON endpoints, CSV,
 * SSE delivery to several clients, and a slow client dropped instead of buffered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createWebSink, parseWebUrl } from '../src/sinks/web/index.js';
import { openSink } from '../src/sinks/open-sink.js';
import { createDashboard } from '../src/dashboard/server.js';
import { createLiveHub, sseEvent } from '../src/dashboard/live-hub.js';
import { gzippedSize, loadAssets } from '../src/dashboard/assets.js';
import { COOKIE_NAME } from '../src/dashboard/security.js';
import { secretForms } from '../src/redact/index.js';
import { isMeterError } from '../src/core/errors.js';
import { context, HEALTH, quietLog, simulatedMessages, sse, type SseClient } from './dashboard-support.js';

const TOKEN = 'b6f1c0d2e9a84f37a1c5d3e7f0b2a4c6';
const NOW = Date.now();
const times = (n: number, stepMs: number) => Array.from({ length: n }, (_, i) => NOW - (n - i) * stepMs);

function errorCode(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return isMeterError(e) ? e.code : `not a MeterError: ${String(e)}`; }
  return undefined;
}

test('web:// on loopback needs no token; any other address refuses to start without one', () => {
  assert.doesNotThrow(() => parseWebUrl('web://127.0.0.1:8080'));
  assert.doesNotThrow(() => parseWebUrl('web://:8080'));
  assert.doesNotThrow(() => parseWebUrl('web://[::1]:8080'));
  assert.equal(parseWebUrl('web://:8080').host, '127.0.0.1');
  for (const url of ['web://0.0.0.0:8080', 'web://192.168.1.10:8080', 'web://[::]:8080', 'web://0.0.0.0:8080?token=short']) {
    assert.equal(errorCode(() => openSink(url, context())), 'BAD_URL', url);
  }
  assert.equal(errorCode(() => createDashboard({ host: '0.0.0.0', port: 0, log: quietLog })), 'BAD_URL');
  try { parseWebUrl('web://0.0.0.0:8080'); } catch (e) {
    assert.match((e as Error).message, /add a "token" parameter of at least 16 random characters/);
  }
  assert.equal(parseWebUrl(`web://0.0.0.0:8080?token=${TOKEN}`).token, TOKEN);
  assert.equal(errorCode(() => parseWebUrl('web://127.0.0.1:8080?cert=/x.pem')), 'BAD_URL'); // cert without key
  assert.equal(errorCode(() => parseWebUrl('web://127.0.0.1:8080?tz=Mars/Olympus')), 'BAD_URL');
  assert.equal(errorCode(() => parseWebUrl('web://127.0.0.1:8080?colour=red')), 'BAD_URL');
  // The error names the fix and never echoes the token.
  try { parseWebUrl(`web://0.0.0.0:8080?token=${TOKEN.slice(0, 8)}`); } catch (e) {
    assert.ok(!(e as Error).message.includes(TOKEN.slice(0, 8)), (e as Error).message);
  }
  assert.ok(!openSink(`web://0.0.0.0:0?token=${TOKEN}`, context()).name.includes(TOKEN), 'the output name is redacted');
});

test('a token protects every path: 401 without it or with a wrong one, OK with the bearer header or the cookie', async (t) => {
  const sink = createWebSink(`web://0.0.0.0:0?token=${TOKEN}`, context());
  const { app } = sink.dashboard;
  t.after(() => app.close());
  for (const url of ['/', '/api/meters', '/api/health', '/assets/app.js', '/api/live']) {
    const none = await app.inject({ url });
    assert.equal(none.statusCode, 401, url);
    const wrong = await app.inject({ url, headers: { authorization: `Bearer ${TOKEN.replace(/.$/, '0')}` } });
    assert.equal(wrong.statusCode, 401, url);
    const badCookie = await app.inject({ url, headers: { cookie: `${COOKIE_NAME}=${TOKEN}` } });
    assert.equal(badCookie.statusCode, 401, `${url}: the token itself is not a session value`);
  }
  assert.equal((await app.inject({ url: '/api/meters', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200);
  assert.equal((await app.inject({ url: '/?token=wrong-token-1234567' })).statusCode, 401);

  // ?token= once: a cookie (not the token) and a redirect to the URL without it.
  const first = await app.inject({ url: `/?token=${TOKEN}&meter=M1` });
  assert.equal(first.statusCode, 303);
  assert.equal(first.headers.location, '/?meter=M1');
  for (const url of [`//evil.example/?token=${TOKEN}`, `/\\evil.example/?token=${TOKEN}`, `/%2F%2Fevil.example/?token=${TOKEN}`]) {
    const location = String((await app.inject({ url })).headers.location);
    assert.ok(location.startsWith('/') && !/^\/[/\\]/.test(location), `${url} → ${location}: never a redirect to another site`);
  }
  const setCookie = String(first.headers['set-cookie']);
  assert.match(setCookie, new RegExp(`^${COOKIE_NAME}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
  const cookie = setCookie.split(';')[0];
  for (const url of ['/', '/api/meters', '/assets/style.css']) {
    assert.equal((await app.inject({ url, headers: { cookie: `other=1; ${cookie}` } })).statusCode, 200, url);
  }
});

test('loopback without a token serves the page and the API, to loopback host names only', async (t) => {
  const sink = createWebSink('web://127.0.0.1:0', context());
  t.after(() => sink.dashboard.app.close());
  const page = await sink.dashboard.app.inject({ url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<script type="module" src="assets\/app.js"><\/script>/);
  for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'localhost']) {
    assert.equal((await sink.dashboard.app.inject({ url: '/api/meters', headers: { host } })).statusCode, 200, host);
  }
  // DNS rebinding: a page whose own name now points at 127.0.0.1 gets nothing.
  for (const host of ['evil.example:8080', 'evil.example', '127.0.0.1.evil.example']) {
    assert.equal((await sink.dashboard.app.inject({ url: '/api/meters', headers: { host } })).statusCode, 421, host);
  }
});

test('every response has a strict CSP and the security headers; the dashboard is read-only', async (t) => {
  const sink = createWebSink('web://127.0.0.1:0', context());
  const { app } = sink.dashboard;
  t.after(() => app.close());
  const check = (r: LightMyRequestResponse, what: string) => {
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/, what);
    assert.match(csp, /script-src 'self'(;|$)/, `${what}: no inline or eval`);
    assert.ok(!csp.includes('unsafe-'), `${what}: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, what);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
    assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
    assert.equal(r.headers['x-frame-options'], 'DENY', what);
  };
  for (const url of ['/', '/assets/app.js', '/api/meters', '/api/latest', '/nothing', '/api/series']) check(await app.inject({ url }), url);
  const head = await app.inject({ method: 'HEAD', url: '/api/live' }); // answers at once, no stream
  assert.equal(head.statusCode, 200);
  check(head, 'HEAD /api/live');
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
    const r = await app.inject({ method, url: '/api/meters', payload: '{}' });
    assert.equal(r.statusCode, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
    check(r, method);
  }
  // The page has no inline script or style for the CSP to block.
  const html = (await app.inject({ url: '/' })).body;
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'no inline <script>');
  assert.ok(!/<style|\sstyle=|\son[a-z]+=/i.test(html), 'no inline style or event handler');
});

test('the API: meters, latest message, health, series, CSV, and clear 400s for bad parameters', async (t) => {
  const outputs = [
    { name: 'postgres://meter:hunter2hunter2@db.lan:5432/energy', state: 'down' as const, queued: 3, spooled: 40, delivered: 7, dropped: 0, failures: 5 },
    { name: `web://0.0.0.0:8080?token=${TOKEN}`, state: 'up' as const, queued: 0, spooled: 0, delivered: 50, dropped: 0, failures: 0 },
  ];
  const sink = createWebSink('web://127.0.0.1:0', context(outputs));
  const { app } = sink.dashboard;
  t.after(() => app.close());
  await sink.write([...simulatedMessages('at-evn-sagemcom-t210d', times(30, 5000)), ...simulatedMessages('nl-dsmr5', times(30, 1000))]);

  const meters = (await app.inject({ url: '/api/meters' })).json().meters;
  assert.equal(meters.length, 2);
  const evn = meters.find((m: { profile?: string }) => m.profile === 'at-evn-sagemcom-t210d');
  assert.ok(evn, JSON.stringify(meters));
  assert.equal(evn.manufacturer, 'SAG');
  assert.equal(evn.messages, 30);
  assert.equal(Date.parse(evn.lastMessageAt), Math.floor(times(30, 5000)[29] / 1000) * 1000);

  const latest = (await app.inject({ url: `/api/latest?meter=${evn.meter}` })).json();
  assert.equal(latest.meter, evn.meter);
  assert.ok(latest.message.readings.some((r: { id: string }) => r.id === 'power_import'));
  assert.equal((await app.inject({ url: '/api/latest?meter=nope' })).statusCode, 404);

  const health = (await app.inject({ url: '/api/health' })).json();
  assert.deepEqual(health.reader.errors, HEALTH.errors);
  assert.equal(health.reader.lastFrameAgeMs, HEALTH.lastFrameAgeMs);
  assert.equal(health.reader.framesOk, HEALTH.framesOk);
  assert.deepEqual(health.outputs.map((o: { output: string; state: string }) => `${o.output} ${o.state}`), ['postgres-1 spooled', 'web-1 up']);
  const healthText = JSON.stringify(health);
  for (const part of ['hunter2', 'db.lan', 'energy', TOKEN, '0.0.0.0']) assert.ok(!healthText.includes(part), `health shows ${part}`);

  const series = (await app.inject({ url: `/api/series?meter=${evn.meter}&reading=power_import&from=${NOW - 15 * 60_000}&to=${NOW}` })).json();
  assert.equal(series.resolution, 'raw');
  assert.equal(series.unit, 'W');
  assert.equal(series.points.length, 30);
  assert.deepEqual(series.points.map((p: { value: number }) => p.value),
    simulatedMessages('at-evn-sagemcom-t210d', times(30, 5000)).map((m) => m.readings.find((r) => r.id === 'power_import')?.value));
  const day = (await app.inject({ url: `/api/series?meter=${evn.meter}&reading=energy_import&from=${NOW - 86_400_000}&to=${NOW}` })).json();
  assert.equal(day.resolution, '5min');

  const csv = await app.inject({ url: `/api/export.csv?meter=${evn.meter}&readings=power_import,voltage_l1&from=${NOW - 15 * 60_000}&to=${NOW}` });
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const lines = csv.body.trimEnd().split('\r\n');
  assert.equal(lines[0], 'time,meter,reading,unit,resolution,value,min,max,delta');
  assert.equal(lines.length, 1 + 60);
  assert.match(lines[1], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z,${evn.meter},power_import,W,raw,\\d+,\\d+,\\d+,$`));

  for (const [url, status] of [['/api/series?reading=power_import', 400], [`/api/series?meter=${evn.meter}&reading=Power-Import`, 400],
    [`/api/series?meter=${evn.meter}&reading=power_import&from=yesterday`, 400], [`/api/series?meter=${evn.meter}&reading=power_import&from=2000&to=1000`, 400],
    [`/api/series?meter=${evn.meter}&reading=power_import&resolution=week`, 400], ['/api/export.csv?meter=x&readings=a;b', 400]] as const) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, status, url);
    assert.equal(typeof r.json().error.message, 'string', url);
    assert.ok(!r.body.includes('    at '), `${url}: no stack trace`);
  }
});

test('no key or token appears in any response, in any encoding', async (t) => {
  const keys = { key: '7e1a9c3b5d2f4e6a8b0c1d2e3f4a5b6c', authKey: 'c0ffee00112233445566778899aabbcc' };
  const sink = createWebSink(`web://0.0.0.0:0?token=${TOKEN}`, context([{ name: `web://0.0.0.0:0?token=${TOKEN}`, state: 'up', queued: 0, spooled: 0, delivered: 1, dropped: 0, failures: 0 }]));
  const { app } = sink.dashboard;
  t.after(() => app.close());
  const messages = [...simulatedMessages('at-steiermark-t210dr', times(20, 5000), keys), ...simulatedMessages('lu-smarty', times(5, 10_000), keys)];
  assert.ok(messages.some((m) => m.security?.authenticated), 'the GAK was used');
  await sink.write(messages);
  const meter = sink.dashboard.meters()[0].meter;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const first = await app.inject({ url: `/?token=${TOKEN}` });
  const responses = [first];
  for (const url of ['/', '/api/meters', `/api/latest?meter=${meter}`, '/api/health', `/api/readings?meter=${meter}`,
    `/api/series?meter=${meter}&reading=power_import`, `/api/export.csv?meter=${meter}`, '/assets/app.js', '/nothing', '/api/series']) {
    responses.push(await app.inject({ url, headers: auth }));
  }
  responses.push(await app.inject({ url: '/api/meters', headers: { authorization: 'Bearer wrong' } }));
  const forms = [TOKEN, keys.key, keys.authKey].flatMap((s) => secretForms(s));
  for (const r of responses) {
    const all = `${JSON.stringify(r.headers)}\n${r.body}`;
    for (const f of forms) assert.ok(!all.toLowerCase().includes(f.toLowerCase()), `${r.statusCode} response carries a secret form ${f}`);
  }
  assert.ok(responses.some((r) => r.body.includes('power_import')), 'the responses did carry the messages');
});

test('the page is small: JS and CSS, uPlot included, at most 150 KB gzipped', () => {
  const assets = loadAssets();
  assert.ok(assets.has('/assets/uPlot.iife.min.js') && assets.has('/assets/app.js') && assets.has('/'));
  const size = gzippedSize(assets);
  assert.ok(size > 20_000 && size <= 150_000, `${size} bytes gzipped`);
});

test('the live stream pushes every message to every client of its meter, serialised once', async (t) => {
  const sink = createWebSink('web://127.0.0.1:0', context());
  await sink.open();
  t.after(() => sink.close());
  const messages = simulatedMessages('nl-dsmr5', times(6, 1000));
  const evn = simulatedMessages('at-evn-sagemcom-t210d', times(1, 1000));
  await sink.write(messages.slice(0, 1));
  const meter = sink.dashboard.meters()[0].meter;
  let wake: () => void = () => undefined;
  const clients = await Promise.all([0, 1, 2].map(() => sse(`${sink.dashboard.url()}api/live?meter=${meter}`, () => wake())));
  const all = await sse(`${sink.dashboard.url()}api/live`, () => wake());
  const until = async (ok: () => boolean) => { while (!ok()) await new Promise<void>((r) => { wake = r; }); };
  const messagesOf = (c: SseClient) => c.events.filter((e) => e.event === 'message');
  // Each client first gets the status (health, meters) and the meter's latest message.
  await until(() => clients.every((c) => messagesOf(c).length >= 1) && all.events.length >= 1);
  assert.deepEqual(clients.map((c) => c.events[0].event), ['status', 'status', 'status']);
  await sink.write(messages.slice(1));
  await sink.write(evn);
  await until(() => clients.every((c) => messagesOf(c).length >= 6) && messagesOf(all).length >= 6);
  for (const c of clients) {
    const got = messagesOf(c).map((e) => JSON.parse(e.data));
    assert.deepEqual(got.map((g) => g.message.security?.frameCounter ?? g.message.timestamp), messages.map((m) => m.security?.frameCounter ?? m.timestamp));
    assert.ok(got.every((g) => g.meter === meter), 'only its meter');
    assert.deepEqual(got[5].message.readings, messages[5].readings);
  }
  // Identical bytes for every client: one serialisation shared.
  assert.equal(new Set(clients.map((c) => messagesOf(c)[5].data)).size, 1);
  assert.equal(sink.dashboard.hub.clients(), 4);
  for (const c of clients) c.close();
  all.close();
  await Promise.all([...clients, all].map((c) => c.closed));
  while (sink.dashboard.hub.clients() > 0) await new Promise((r) => setTimeout(r, 5));
});

test('a client that does not read is dropped when its buffer is full; the others keep getting messages', () => {
  const hub = createLiveHub({ maxBufferedBytes: 1000, keepAliveMs: 60_000 });
  const make = (drains: boolean) => {
    const s = { writableLength: 0, written: 0, destroyed: false, ended: false,
      write(chunk: Uint8Array) { s.written += chunk.byteLength; if (!drains) s.writableLength += chunk.byteLength; return drains; },
      end() { s.ended = true; }, destroy() { s.destroyed = true; } };
    return s;
  };
  const fast = make(true);
  const slow = make(false);
  hub.add(fast, 'M1');
  hub.add(slow, 'M1');
  const event = sseEvent(JSON.stringify({ filler: 'x'.repeat(180) }), 'message');
  for (let i = 0; i < 20; i++) hub.broadcast('M1', event);
  assert.equal(slow.destroyed, true);
  assert.ok(slow.writableLength <= 1000, `${slow.writableLength} bytes buffered`);
  assert.equal(fast.written, 20 * event.byteLength);
  assert.equal(hub.clients(), 1);
  assert.equal(hub.dropped(), 1);
  assert.equal(hub.full(), false);
  hub.close();
  assert.equal(fast.ended, true);
});

test('more live pages than allowed get 503 (the stream is not opened and closed again)', async (t) => {
  const dashboard = createDashboard({ host: '127.0.0.1', port: 0, log: quietLog, maxLiveClients: 1 });
  await dashboard.listen();
  t.after(() => dashboard.close());
  const first = await sse(`${dashboard.url()}api/live`, () => undefined);
  while (dashboard.hub.clients() < 1) await new Promise((r) => setTimeout(r, 5));
  const second = await fetch(`${dashboard.url()}api/live`);
  assert.equal(second.status, 503);
  assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'TOO_MANY_CLIENTS');
  first.close();
});
