/**
 * The fleet load generator: N simulated meters publishing their frames QoS 1 to `…/{id}/…`, at their families'
 * push intervals, at one interval for all, or at a total rate. Messages go round-robin within a group of meters
 * with the same interval, so N meters at interval S give N/S messages a second, evenly staggered.
 */
import { MeterError } from '../../core/errors.js';
import { createFleetSimulator, type FleetSimulator } from './fleet-simulator.js';
import { openQos1Publisher, topicBytes, type Qos1Publisher } from './qos1-publisher.js';

export interface FleetRunOptions {
  sim: FleetSimulator;
  /** mqtt://[user:pass@]host[:port]/path/with/{id}/in/it */
  target: string;
  /** Total messages a second; else --interval for all; else each family's push interval. */
  rate?: number;
  intervalMs?: number;
  durationMs?: number;
  /** Stop after this many messages in all. */
  count?: number;
  encoding: 'binary' | 'hex';
  log: (line: string) => void;
  /** Seconds between progress lines (default 5). */
  reportEveryMs?: number;
  signal?: AbortSignal;
}

export interface FleetRunResult {
  published: number; acked: number; seconds: number; rate: number; target: number;
  /** CPU seconds (user + system) this process spent while publishing: the cost that a loaded machine hides. */
  cpuSeconds: number;
}

interface Group { meters: number[]; rate: number; sent: number }

export function parseFleetTarget(target: string): { host: string; port: number; topic: string; username?: string; password?: string } {
  let url: URL;
  try { url = new URL(target); } catch { throw new MeterError('BAD_CONFIG', 'config', '--fleet needs an mqtt://host:port/…/{id}/… target'); }
  if (url.protocol !== 'mqtt:') throw new MeterError('BAD_CONFIG', 'config', `--fleet publishes to mqtt:// only, not ${url.protocol}`);
  const topic = decodeURIComponent(url.pathname.slice(1));
  if (!topic.includes('{id}')) throw new MeterError('BAD_CONFIG', 'config', `the topic must contain {id} (replaced by each meter's topic id), e.g. mqtt://${url.host}/meters/{id}/raw`);
  return {
    host: url.hostname || '127.0.0.1', port: url.port ? Number(url.port) : 1883, topic,
    username: url.username ? decodeURIComponent(url.username) : undefined, password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

function groupsOf(sim: FleetSimulator, o: FleetRunOptions): Group[] {
  const all = sim.meters.map((_, i) => i);
  if (o.rate !== undefined) return [{ meters: all, rate: o.rate, sent: 0 }];
  if (o.intervalMs !== undefined) return [{ meters: all, rate: (all.length * 1000) / o.intervalMs, sent: 0 }];
  const byInterval = new Map<number, number[]>();
  for (const i of all) {
    const ms = sim.intervalMs(i);
    byInterval.set(ms, [...(byInterval.get(ms) ?? []), i]);
  }
  return [...byInterval].map(([ms, meters]) => ({ meters, rate: (meters.length * 1000) / ms, sent: 0 }));
}

const BATCH = 1000;
/** Fewer due than this: wait for the next 5 ms tick rather than write a small batch at once. */
const MIN_BATCH = 100;

export async function runFleet(o: FleetRunOptions): Promise<FleetRunResult> {
  const t = parseFleetTarget(o.target);
  const sim = o.sim;
  const topics = sim.meters.map((m) => topicBytes(t.topic.replaceAll('{id}', m.topicId)));
  const groups = groupsOf(sim, o);
  const target = groups.reduce((a, g) => a + g.rate, 0);
  const perMeterMs = (sim.meters.length * 1000) / target;
  if (perMeterMs < 1000) {
    o.log(`each meter sends every ${Math.round(perMeterMs)} ms: frames of one meter share a meter time stamp (whole seconds), which a store keyed on (meter, time) keeps once`);
  }
  const pub: Qos1Publisher = await openQos1Publisher({ host: t.host, port: t.port, clientId: `meterwire-fleet-sim-${process.pid}-${Date.now() % 100000}`,
    username: t.username, password: t.password });
  o.log(`publishing ${sim.meters.length} meters to mqtt://${t.host}:${t.port}/${t.topic}, ${Math.round(target)} msg/s in all (each meter every ${(perMeterMs / 1000).toFixed(2)} s), QoS 1, ${o.encoding}`);

  const start = Date.now();
  const cpuAtStart = process.cpuUsage();
  const limit = o.count ?? Infinity;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => { wake = resolve; });
  const stop = (): void => { if (!stopped) { stopped = true; if (timer) clearTimeout(timer); wake?.(); } };
  o.signal?.addEventListener('abort', stop, { once: true });
  if (o.durationMs !== undefined) setTimeout(stop, o.durationMs).unref();
  pub.failed.catch(() => stop());

  const hex = o.encoding === 'hex';
  /** Messages due now, in all groups. */
  const dueNow = (): number => {
    const elapsed = (Date.now() - start) / 1000;
    let n = 0;
    for (const g of groups) n += Math.max(0, Math.floor(elapsed * g.rate) + 1 - g.sent);
    return n;
  };
  let scheduled = false, waitingForRoom = false;
  const tick = (): void => {
    scheduled = false;
    if (stopped) return;
    const now = Date.now();
    const elapsed = (now - start) / 1000;
    let room = Math.min(pub.free, BATCH, limit - pub.published);
    let added = 0;
    for (const g of groups) {
      let due = Math.floor(elapsed * g.rate) + 1 - g.sent;
      while (due-- > 0 && room-- > 0) {
        const i = g.meters[g.sent % g.meters.length];
        // A view of the simulator's buffers: the publisher copies it into its packet buffer at once.
        const bytes = sim.view(i, now);
        pub.add(topics[i], hex ? Buffer.from(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex'), 'latin1') : bytes);
        g.sent++;
        added++;
      }
    }
    if (added > 0) pub.send();
    if (pub.published >= limit) { stop(); return; }
    const due = dueNow();
    if (due > 0 && pub.free === 0) { waitingForRoom = true; return; } // onRoom wakes the next tick
    // A batch's worth due (running behind) → go on after I/O; else collect for a few ms. Waking on every PUBACK
    // chunk instead gave a write of a few messages each, and the socket writes cost more than the frames.
    if (due >= MIN_BATCH) { scheduled = true; setImmediate(tick); }
    else timer = setTimeout(tick, 5);
  };
  pub.onRoom(() => {
    if (waitingForRoom && !scheduled && !stopped && pub.free >= Math.min(BATCH, 100)) { waitingForRoom = false; scheduled = true; setImmediate(tick); }
  });

  const every = o.reportEveryMs ?? 5000;
  let lastAt = start, lastPublished = 0, lastCpu = 0, lastAtCpu = start;
  const reporter = setInterval(() => {
    const now = Date.now();
    const rate = ((pub.published - lastPublished) * 1000) / (now - lastAt);
    lastAt = now; lastPublished = pub.published;
    const cpuNow = process.cpuUsage(cpuAtStart);
    const cpuShare = ((cpuNow.user + cpuNow.system - lastCpu) / 1000) / (now - lastAtCpu);
    lastCpu = cpuNow.user + cpuNow.system; lastAtCpu = now;
    o.log(`${Math.round(rate)} msg/s (target ${Math.round(target)}), published ${pub.published}, acked ${pub.acked}, in flight ${pub.inFlight}, CPU ${Math.round(cpuShare * 100)} %`);
  }, every);
  reporter.unref();

  tick();
  await finished;
  clearInterval(reporter);
  const publishEnd = Date.now();
  const cpu = process.cpuUsage(cpuAtStart);
  // Stop publishing, then wait for the PUBACKs of what is in flight.
  await pub.drain(10_000);
  let failure: unknown;
  await Promise.race([pub.failed, Promise.resolve()]).catch((e: unknown) => { failure = e; });
  await pub.close();
  const seconds = (publishEnd - start) / 1000;
  const result = { published: pub.published, acked: pub.acked, seconds: Math.round(seconds * 1000) / 1000,
    rate: Math.round(pub.published / seconds), target: Math.round(target), cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000 };
  if (failure) throw Object.assign(failure as Error, { result });
  return result;
}

export { createFleetSimulator };
