/**
 * Fleet mode end to end: 3 `meterwire fleet worker` processes, 1,000 meters from the fleet simulator, 100,000 frames
 * through a private Mosquitto (persistence in a temp dir, max_queued_messages 0) into PostgreSQL. During the run one
 * worker is SIGKILLed and restarted with the same --worker-id, the broker is stopped for 3 s (SIGTERM: Mosquitto
 * writes its store on a clean shutdown, and otherwise only every autosave_interval, so a SIGKILLed broker would lose
 * what a real deployment also loses; docs/fleet-mqtt.md), and the workers' PostgreSQL connections are ended again
 * and again for 3 s. At the end every (meter, meter_time) is stored exactly once, nothing went to the dead letters,
 * and a random 2,000 rows hold the simulator's intended readings. Events wait on database counts, never on time.
 *
 * Meter times are synthetic (meter i's k-th frame at t0 + k s): one frame per meter-second, so no two frames share
 * (meter, meter_time), and 100 frames of a meter span 990 frame counter steps, inside the store's reorder window
 * (1000), so frames committed out of order after a redelivery are late, not replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleetSimulator, type ExpectedReading } from '../src/sim/fleet/fleet-simulator.js';
import { writeMetersFile } from '../src/sim/fleet/meters-file.js';
import { columnFor } from '../src/fleet/worker/row-columns.js';
import { baseValue } from '../src/fleet/worker/base-value.js';
import { freePort } from './support/services.js';
import { skip as mqttSkip, startBroker } from './fleet-mqtt-support.js';
import { PG_URL, admin, dropSchema, newMasterKeyText, pgSkip, runMeters } from './fleet-keys-pg-support.js';
import {
  countRows, cutPostgres, publishFrames, scrapeCounters, sleep, spawnWorker, waitForLog, waitForRows, type Frame, type WorkerProcess,
} from './fleet-e2e-support.js';

const skip = mqttSkip ?? (await pgSkip());
const METERS = 1000, PER_METER = 100, TOTAL = METERS * PER_METER, SAMPLE = 2000, RATE = 5000;
const STARTED = 'consuming $share/';

/** A whole second in the current UTC month with room for the run's 100 s after it, so its partition exists. */
function startTime(): number {
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return Math.floor(Math.max(monthStart + 60_000, now.getTime() - 3_600_000) / 1000) * 1000;
}

interface Sampled { meterId: string; meterTimeMs: number; readings: ExpectedReading[] }

test('3 workers store 100,000 frames exactly once through a worker kill, a broker restart and a database outage', { skip, timeout: 600_000 }, async () => {
  const runStart = performance.now();
  const schema = `mw_fleet_e2e_${randomBytes(5).toString('hex')}`;
  const appName = `meterwire-e2e-${schema}`;
  const dir = mkdtempSync(join(tmpdir(), 'fleet-e2e-'));
  const broker = await startBroker(['max_queued_messages 0', 'max_inflight_messages 1000', 'autosave_interval 60']);
  const workers = new Map<string, WorkerProcess>();
  const ports = new Map<string, number>();
  try {
    const masterKey = newMasterKeyText();
    const sim = createFleetSimulator({ meters: METERS, seed: 4242 });
    const metersFile = join(dir, 'meters.csv');
    writeMetersFile(metersFile, sim.meters);
    await runMeters(['import', metersFile, '--store', PG_URL, '--schema', schema], { METERWIRE_MASTER_KEY: masterKey });

    // Frames in publishing order: round k sends every meter's k-th frame. Readings kept for the sample only.
    const t0 = startTime();
    const sampled = new Set<number>();
    while (sampled.size < SAMPLE) sampled.add(Math.floor(Math.random() * TOTAL));
    const frames: Frame[] = [];
    const expected: Sampled[] = [];
    for (let k = 0; k < PER_METER; k++) {
      for (let i = 0; i < METERS; i++) {
        const f = sim.frame(i, t0 + k * 1000);
        assert.equal(f.meterTimeMs, t0 + k * 1000, 'the frame carries its synthetic meter time');
        frames.push({ topic: `e2e/${sim.meters[i].topicId}/raw`, bytes: f.bytes });
        if (sampled.has(frames.length - 1)) expected.push({ meterId: sim.meters[i].meterId, meterTimeMs: f.meterTimeMs, readings: f.readings });
      }
    }
    console.log(`# ${TOTAL} frames built in ${((performance.now() - runStart) / 1000).toFixed(1)} s`);

    const settings = { broker: broker.url, topic: 'e2e/+/raw', group: 'e2e', store: `${PG_URL}?application_name=${appName}`, schema, masterKey };
    const start = async (id: string): Promise<void> => {
      const port = ports.get(id) ?? await freePort();
      ports.set(id, port);
      const w = spawnWorker(settings, id, port);
      workers.set(id, w);
      await waitForLog(w, STARTED);
    };
    await Promise.all(['w1', 'w2', 'w3'].map(start));

    // Part 1 (40 %): w2 is SIGKILLed while it holds unacknowledged messages, and started again under the same id.
    const part1 = publishFrames(broker.port, frames, 0, 40_000, RATE);
    await waitForRows(schema, 10_000, 240_000);
    const killed = workers.get('w2')!;
    killed.child.kill('SIGKILL');
    assert.equal(await killed.exited, null, 'w2 was killed');
    console.log(`# SIGKILL w2 at ${await countRows(schema)} rows`);
    await start('w2');
    await part1;

    // The broker stops (SIGTERM, see above) with everything published acknowledged and much not yet consumed.
    await waitForRows(schema, 25_000, 240_000);
    console.log(`# broker stopped at ${await countRows(schema)} rows`);
    {
      const resumed = (w: WorkerProcess): number => w.stderr().split('(session resumed)').length;
      const before = new Map([...workers.values()].map((w) => [w.id, resumed(w)]));
      await broker.stop();
      await sleep(3000);
      await broker.start();
      // Publishing resumes only once every worker has its session back and has subscribed again: with Mosquitto
      // 2.0.11, messages published straight after its restart, before the workers were back, were lost (4 runs:
      // 726 to 13,250 of the 60,000 never delivered; restarting the workers or the broker again brought none back;
      // the same test without the broker restart lost none). The broker acknowledged them, so this is the broker's
      // doing, not the workers'; gateways that publish through a broker restart need a broker that keeps them.
      const deadline = Date.now() + 60_000;
      for (const w of workers.values()) {
        while (resumed(w) <= before.get(w.id)!) {
          assert.ok(Date.now() < deadline && w.child.exitCode === null, `${w.id} did not resume its session: ${w.stderr().slice(-1500)}`);
          await sleep(50);
        }
      }
    }

    // Part 2: the workers' database connections are ended for 3 s while frames keep coming.
    const part2 = publishFrames(broker.port, frames, 40_000, TOTAL, RATE);
    await waitForRows(schema, 55_000, 240_000);
    const ended = await cutPostgres(appName, 3000);
    console.log(`# PostgreSQL cut for 3 s at ${await countRows(schema)} rows: ${ended} connections ended`);
    assert.ok(ended > 0, 'the outage ended some worker connections');
    await part2;

    try {
      await waitForRows(schema, TOTAL, 120_000);
    } catch (e) {
      // What each worker saw, to tell a stuck worker from lost messages.
      for (const [id, port] of ports) console.log(`# ${id}: ${JSON.stringify(await scrapeCounters(port).catch((x: Error) => x.message))}`);
      for (const w of workers.values()) console.log(`# ${w.id} (exit ${w.child.exitCode}, signal ${w.child.signalCode}) log tail:\n${w.stderr().slice(-3000)}`);
      console.log(`# dead letters: ${JSON.stringify(await admin(async (c) => (await c.query(`SELECT reason, detail, count(*)::int AS n FROM ${schema}.dead_letters GROUP BY 1, 2`)).rows))}`);
      throw e;
    }
    const counters: Record<string, Record<string, number>> = {};
    for (const [id, port] of ports) counters[id] = await scrapeCounters(port);
    await Promise.all([...workers.values()].map(async (w) => {
      w.child.kill('SIGTERM');
      assert.equal(await w.exited, 0, `${w.id} stops cleanly: ${w.stderr().slice(-1000)}`);
      // Run in a worker thread with a small young generation (no node flags given), and its last line got out.
      assert.match(w.stderr(), /memory: young generation ≤ 12 MB \(worker thread\), --heap-growing-percent=30/, w.id);
      assert.match(w.stderr(), /stopped: \d+ messages acknowledged/, w.id);
    }));

    // Exactly once: 100 distinct meter times per meter, the 100 intended ones, and nothing else anywhere.
    const stats = await admin(async (c) => {
      const total = await c.query(`SELECT count(*)::int AS rows, count(DISTINCT (meter_id, meter_time))::int AS keys FROM ${schema}.readings`);
      const perMeter = await c.query(`SELECT meter_id, count(*)::int AS n, count(DISTINCT meter_time)::int AS times,
          (extract(epoch FROM min(meter_time)) * 1000)::bigint AS first, (extract(epoch FROM max(meter_time)) * 1000)::bigint AS last
        FROM ${schema}.readings GROUP BY meter_id`);
      const dead = await c.query(`SELECT reason, count(*)::int AS n FROM ${schema}.dead_letters GROUP BY reason`);
      return { total: total.rows[0] as { rows: number; keys: number }, perMeter: perMeter.rows, dead: dead.rows };
    });
    assert.deepEqual(stats.dead, [], 'no dead letters');
    assert.deepEqual(stats.total, { rows: TOTAL, keys: TOTAL });
    assert.equal(stats.perMeter.length, METERS, 'every meter stored');
    const ids = new Set(sim.meters.map((m) => m.meterId));
    for (const m of stats.perMeter as { meter_id: string; n: number; times: number; first: string; last: string }[]) {
      assert.ok(ids.has(m.meter_id), `unknown meter ${m.meter_id}`);
      assert.deepEqual({ n: m.n, times: m.times, first: Number(m.first), last: Number(m.last) },
        { n: PER_METER, times: PER_METER, first: t0, last: t0 + (PER_METER - 1) * 1000 }, `meter ${m.meter_id}`);
    }

    // Values: every reading of the sample that has a column equals the stored column in base units.
    let compared = 0;
    await admin(async (c) => {
      for (const s of expected) {
        const r = await c.query(`SELECT * FROM ${schema}.readings WHERE meter_id = $1 AND meter_time = $2`, [s.meterId, new Date(s.meterTimeMs)]);
        assert.equal(r.rows.length, 1, `${s.meterId} at ${new Date(s.meterTimeMs).toISOString()}`);
        for (const e of s.readings) {
          const column = columnFor(e.obis, '');
          if (!column) continue;
          assert.equal(r.rows[0][column], baseValue(e.value, e.unit), `${s.meterId} ${new Date(s.meterTimeMs).toISOString()} ${column}`);
          compared++;
        }
      }
    });
    assert.ok(compared >= SAMPLE, `compared ${compared} values`);

    const sum = (name: string): number => Object.values(counters).reduce((a, c) => a + (c[name] ?? 0), 0);
    const finals = [...workers.values()].map((w) => `${w.id}: ${/stopped: [^"\n]*/.exec(w.stderr())?.[0] ?? '(no final line)'}`);
    console.log(`# ${stats.total.rows} rows, ${stats.total.keys} distinct (meter, meter_time), 0 lost, 0 duplicated, ${compared} values compared`);
    console.log(`# surviving processes saw: ${sum('meterwire_fleet_redeliveries_total')} redelivered, ${sum('meterwire_fleet_duplicates_total')} duplicates, ${sum('meterwire_fleet_commit_failures_total')} failed commits (the SIGKILLed w2's counters are lost with it)`);
    for (const f of finals) console.log(`# ${f}`);
    console.log(`# run took ${((performance.now() - runStart) / 1000).toFixed(1)} s`);
  } finally {
    for (const w of workers.values()) if (w.child.exitCode === null && w.child.signalCode === null) { w.child.kill('SIGKILL'); await w.exited; }
    await broker.remove();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});
