// The fleet load generator's cost per message (docs/fleet-bench.md, "Load generator"): a private Mosquitto on a
// free port, then `simulate --fleet` of each given build in turn (alternating, --rounds times), publishing
// --count messages at --rate to it. Prints CPU µs per message (the generator's own publishing figure,
// cpuSeconds / published) and msg/s per run, the load average before each, and a JSON summary (medians).
// Compare builds in one run, since the machine's load moves the figures:
//   npm run build && node bench/fleet-gen.mjs --build new=dist --build ref=/path/to/other/dist
//     [--meters 20000] [--rate 20000] [--count 200000] [--rounds 3]
// Not a test: nothing is asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMosquitto } from './lib/mosquitto.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const builds = args.flatMap((a, i) => (a === '--build' ? [args[i + 1]] : [])).map((b) => {
  const [name, dir] = b.includes('=') ? b.split('=') : [b, b];
  return { name, main: join(resolve(dir), 'cli/main.js') };
});
if (builds.length === 0) builds.push({ name: 'this', main: resolve('dist/cli/main.js') });
const meters = Number(arg('meters', '20000'));
const rate = Number(arg('rate', '20000'));
const count = Number(arg('count', '200000'));
const rounds = Number(arg('rounds', '3'));

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

function run(main, port, file) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [main, 'simulate', '--fleet', String(meters), '--meters-file', file,
      '--rate', String(rate), '--count', String(count), `mqtt://127.0.0.1:${port}/bench/{id}/raw`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
      if (code !== 0 || !line) rej(new Error(`generator exited ${code}: ${err.slice(-600)}`));
      else res(JSON.parse(line));
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const dir = mkdtempSync(join(tmpdir(), 'fleet-gen-'));
const broker = await startMosquitto(dir, await freePort(), ['max_queued_messages 0']);
const file = join(dir, 'meters.csv');
const results = Object.fromEntries(builds.map((b) => [b.name, []]));
try {
  // The first run writes the meters file (not measured); every later one reuses it.
  await run(builds[0].main, broker.port, file);
  for (let r = 0; r < rounds; r++) {
    for (const b of builds) {
      const load = loadavg()[0];
      const res = await run(b.main, broker.port, file);
      if (res.acked !== res.published) throw new Error(`${b.name}: ${res.published} published, ${res.acked} acked`);
      const us = (res.cpuSeconds * 1e6) / res.published;
      results[b.name].push({ us, rate: res.rate, load });
      console.log(`${b.name.padEnd(8)} round ${r + 1}: ${us.toFixed(1)} µs CPU/msg, ${res.rate} msg/s, load ${load.toFixed(2)}`);
    }
  }
} finally {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([name, rs]) => [name, {
  usPerMessage: Math.round(median(rs.map((x) => x.us)) * 10) / 10, rate: median(rs.map((x) => x.rate)),
  load: rs.map((x) => Math.round(x.load * 100) / 100) }]))));
