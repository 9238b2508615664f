/**
 * The influx2:// output against a local HTTP server that checks each request as the InfluxDB v2 API documents
 * POST /api/v2/write (path, org/bucket/precision query, `Authorization: Token …`, a text/plain line-protocol
 * body) and answers as it documents (204; 401, 404, 400 and 503 with a JSON {code, message} body; 413).
 * Debian's influxd is 1.6, which has no v2 API: this is the documented contract, not a real v2 server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { toBaseUnit } from '../src/core/model/base-units.js';
import { createInfluxSink } from '../src/sinks/influx/index.js';
import { openSink } from '../src/sinks/open-sink.js';
import { simulatedMessages, testContext, type LogRecord } from './sinks-influx-support.js';

const TOKEN = 'Xy9+ab/cD_e-fGh==';
const START = Date.UTC(2026, 1, 10, 8, 0, 0);

interface ParsedPoint { measurement: string; tags: Record<string, string>; fields: Record<string, number | string>; time: number }

/** A line-protocol reader written from the v2 reference (not from the sink): escapes, quoted strings, floats. */
function parseLine(line: string): ParsedPoint {
  let i = 0;
  const until = (stops: string): string => {
    let out = '';
    while (i < line.length && !stops.includes(line[i])) {
      if (line[i] === '\\' && i + 1 < line.length && ',= "\\'.includes(line[i + 1])) i++;
      out += line[i++];
    }
    return out;
  };
  const measurement = until(', ');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    i++;
    const k = until('=');
    i++;
    tags[k] = until(', ');
  }
  assert.equal(line[i++], ' ', `no field set in ${line}`);
  const fields: Record<string, number | string> = {};
  for (;;) {
    const k = until('=');
    assert.equal(line[i++], '=', line);
    if (line[i] === '"') {
      i++;
      let s = '';
      while (line[i] !== '"') {
        assert.ok(i < line.length, `unterminated string in ${line}`);
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        s += line[i++];
      }
      i++;
      fields[k] = s;
    } else {
      const raw = until(', ');
      assert.match(raw, /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i, `a float field, not ${raw} (integers would need "i")`);
      fields[k] = Number(raw);
    }
    if (line[i] !== ',') break;
    i++;
  }
  assert.equal(line[i++], ' ', line);
  const time = line.slice(i);
  assert.match(time, /^\d{13}$/, 'a millisecond timestamp');
  return { measurement, tags, fields, time: Number(time) };
}

interface V2Server {
  url: string;
  requests: Array<{ lines: number }>;
  points: ParsedPoint[];
  respond?: (res: ServerResponse, lines: string[]) => boolean;
  close(): Promise<void>;
}

async function startV2(org: string, bucket: string): Promise<V2Server> {
  const state: V2Server = { url: '', requests: [], points: [], close: async () => undefined };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url!, 'http://x');
      const json = (status: number, code: string, message: string): void => {
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code, message }));
      };
      if (req.method === 'GET' && u.pathname === '/ping') {
        res.writeHead(204, { 'X-Influxdb-Build': 'OSS', 'X-Influxdb-Version': 'v2.7.11' }).end();
        return;
      }
      if (req.method !== 'POST' || u.pathname !== '/api/v2/write') return json(404, 'not found', `path not found: ${req.method} ${u.pathname}`);
      if (req.headers.authorization !== `Token ${TOKEN}`) return json(401, 'unauthorized', 'unauthorized access');
      assert.deepEqual([...u.searchParams.keys()].sort(), ['bucket', 'org', 'precision']);
      assert.equal(u.searchParams.get('precision'), 'ms');
      if (u.searchParams.get('org') !== org) return json(404, 'not found', `organization name "${u.searchParams.get('org')}" not found`);
      if (u.searchParams.get('bucket') !== bucket) return json(404, 'not found', `bucket "${u.searchParams.get('bucket')}" not found`);
      assert.match(req.headers['content-type'] ?? '', /^text\/plain(; charset=utf-8)?$/);
      const lines = Buffer.concat(chunks).toString('utf8').split('\n');
      state.requests.push({ lines: lines.length });
      if (state.respond?.(res, lines)) return;
      state.points.push(...lines.map(parseLine));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  state.url = `influx2://127.0.0.1:${port}?org=${org}&bucket=${bucket}&token=${TOKEN}`;
  state.close = () => new Promise((r) => server.close(() => r()));
  return state;
}

test('influx2: writes go to /api/v2/write with org, bucket, precision=ms and the token header; one request per batch', async () => {
  const v2 = await startV2('home', 'meters');
  try {
    const records: LogRecord[] = [];
    const sink = openSink(v2.url, testContext(records));
    assert.ok(!sink.name.includes(TOKEN) && sink.name.includes('token=***'), sink.name);
    await sink.open();
    assert.ok(records.some((r) => r.msg.includes('writing to bucket "meters" of org "home" (InfluxDB v2.7.11)')), JSON.stringify(records));
    const dsmr = simulatedMessages('nl-dsmr5', START, 3, 10_000);
    const evn = simulatedMessages('at-evn-sagemcom-t210d', START, 3, 10_000);
    await sink.write(dsmr);
    await sink.write(evn);
    const readings = (ms: typeof dsmr): number => ms.reduce((n, m) => n + m.readings.length, 0);
    assert.deepEqual(v2.requests, [{ lines: readings(dsmr) }, { lines: readings(evn) }]);
    assert.equal(v2.points.length, readings(dsmr) + readings(evn));
    const p = v2.points.find((x) => x.tags.id === 'power_export' && x.tags.meter === 'E0044007382246019' && x.time === START)!;
    const reading = dsmr[0].readings.find((r) => r.id === 'power_export')!;
    assert.deepEqual(p, { measurement: 'meterwire', tags: { id: 'power_export', meter: 'E0044007382246019', obis: '1-0:2.7.0', unit: 'W' },
      fields: { value: toBaseUnit(reading.value as number, 'kW').value }, time: START });
    assert.ok(v2.points.some((x) => x.tags.id === 'equipment_id' && x.fields.text === 'E0044007382246019'));
  } finally {
    await v2.close();
  }
});

test('influx2: a wrong token or bucket throws a clear error without the token; refused points are logged; 503 throws', async () => {
  const v2 = await startV2('home', 'meters');
  try {
    const msgs = simulatedMessages('no-aidon', START, 2, 10_000);
    const wrongToken = openSink(v2.url.replace(TOKEN, 'Not-The-Token-42'), testContext());
    await wrongToken.open();
    const e = await wrongToken.write(msgs).then(() => undefined, (err: Error) => err);
    assert.ok(e);
    assert.match(e.message, /refused the credentials \(HTTP 401: unauthorized access\); check the API token/);
    assert.ok(!e.message.includes('Not-The-Token-42'), e.message);

    await assert.rejects(openSink(v2.url.replace('bucket=meters', 'bucket=nope'), testContext()).write(msgs),
      /has no bucket "nope" of org "home" \(HTTP 404: bucket "nope" not found\); check \?org= and \?bucket=/);

    const records: LogRecord[] = [];
    const sink = openSink(v2.url, testContext(records));
    v2.respond = (res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'invalid', message: 'unable to parse \'x\': bad timestamp' }));
      return true;
    };
    await sink.write(msgs);
    assert.equal(records.filter((r) => r.level === 'error').length, 1);
    assert.match(records.find((r) => r.level === 'error')!.msg, /refused points of this batch, they are not retried \(HTTP 400: unable to parse/);

    v2.respond = (res) => {
      res.writeHead(503, { 'Retry-After': '5', 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'unavailable', message: 'service unavailable' }));
      return true;
    };
    await assert.rejects(sink.write(msgs), /InfluxDB write failed \(HTTP 503: service unavailable\)/);
  } finally {
    await v2.close();
  }
});

test('influx2: a batch the server finds too large (413) is sent in halves until it fits, nothing lost', async () => {
  const v2 = await startV2('home', 'meters');
  try {
    v2.respond = (res, lines) => {
      if (lines.length <= 20) return false;
      res.writeHead(413, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'request too large', message: 'unable to read data: points batch is too large' }));
      return true;
    };
    const msgs = simulatedMessages('at-evn-sagemcom-t210d', START, 5, 10_000);
    const sink = openSink(v2.url, testContext());
    await sink.write(msgs);
    const total = msgs.reduce((n, m) => n + m.readings.length, 0);
    assert.equal(v2.points.length, total);
    assert.equal(new Set(v2.points.map((p) => `${p.tags.id}|${p.time}`)).size, total);
    assert.ok(v2.requests.length > 3, `split into several requests (${v2.requests.length})`);

    // A single point the server still finds too large is logged, not retried forever.
    v2.respond = (res) => {
      res.writeHead(413, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'request too large', message: 'too large' }));
      return true;
    };
    const records: LogRecord[] = [];
    await openSink(v2.url, testContext(records)).write([{ ...msgs[0], readings: msgs[0].readings.slice(0, 1) }]);
    assert.deepEqual(records.filter((r) => r.level === 'error').map((r) => r.msg.replace(/^.*?: /, '')),
      ['InfluxDB refused a single point as too large (HTTP 413), it is not retried']);
  } finally {
    await v2.close();
  }
});

test('influx2: a server that accepts the connection but never answers counts as down after the timeout', async () => {
  const sockets: Socket[] = [];
  const silent = createTcpServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const { port } = silent.address() as AddressInfo;
  try {
    const sink = createInfluxSink(`influx2://127.0.0.1:${port}?org=o&bucket=b&token=${TOKEN}`, testContext(), { timeoutMs: 200 });
    await assert.rejects(sink.open(), /cannot reach InfluxDB \(no answer within 200 ms\)/);
    await assert.rejects(sink.write(simulatedMessages('no-aidon', START, 1, 1000)), /no answer within 200 ms/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});
