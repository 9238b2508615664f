/**
 * `meterwire fleet …` (DESIGN §9): `worker` decodes the frames of many meters from an MQTT shared subscription
 * into PostgreSQL; `status` summarises a fleet store; `redecode` retries dead letters after a key import.
 * main.ts loads this module only for `meterwire fleet`, so the other commands never load it.
 */
import { hostname } from 'node:os';
import { isMainThread, resourceLimits } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { meterError } from '../core/errors.js';
import { createLogger, type LogLevel } from '../app/logger.js';
import { runSecrets } from './secrets.js';
import { positiveInt } from './numbers.js';
import { handleStopSignals } from './stop-signals.js';
import type { FleetBackends } from '../fleet/worker/backends.js';
import { LIVE_BACKENDS } from '../fleet/live-backends.js';
import { DEFAULT_FLEET_SCHEMA_NAME, splitFleetStoreUrl } from './fleet-store-url.js';
import type { WorkerLog } from '../fleet/worker/error-log.js';
import { applyFleetWorkerHeapFlags } from './fleet-worker-heap.js';
import { reportFatal, printFatal } from './fatal.js';
import { runInWorkerThread, youngGenerationSizedByUser } from './fleet-worker-thread.js';

/** Until the consumer and the PostgreSQL store are joined in, each command says so instead of pretending. */
const DEFAULT_TOPIC = 'meters/+/raw';
const DEFAULT_SCHEMA = DEFAULT_FLEET_SCHEMA_NAME;

/** The flags with `?schema=` of the store URL moved to `schema` (fleet-store-url.ts). */
function withStoreSchema<F extends { store: string; schema: string }>(flags: F): F {
  const { url, schema } = splitFleetStoreUrl(flags.store, flags.schema);
  return { ...flags, store: url, schema };
}

export interface WorkerFlags {
  broker: string;
  topic: string;
  group: string;
  store: string;
  schema: string;
  workerId?: string;
  masterKeyFile?: string;
  batch?: string;
  batchWait?: string;
  inFlight?: string;
  metrics?: string;
  metricsTokenFile?: string;
  logLevel?: string;
}

function logLevelOf(text: string | undefined): LogLevel {
  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
  if (text === undefined) return 'info';
  if (!levels.includes(text as LogLevel)) throw meterError('BAD_CONFIG', `--log-level must be one of ${levels.join(', ')}`);
  return text as LogLevel;
}

/** A worker id that names the same MQTT session on every start: the host name unless given. */
export function workerIdOf(given: string | undefined): string {
  const id = (given ?? hostname()).trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    throw meterError('BAD_CONFIG', `--worker-id "${id}": use 1-64 letters, digits, ".", "_" or "-" (it becomes part of the MQTT client id)`);
  }
  return id;
}

function metricsToken(file: string | undefined): string | undefined {
  const token = file === undefined ? process.env.METERWIRE_METRICS_TOKEN : readFileSync(file, 'utf8').trim();
  if (token) runSecrets.add(token);
  return token || undefined;
}

/** The worker in a thread with a small young generation (fleet-worker-thread.ts); the main thread waits for it. */
async function runFleetWorkerThread(given: WorkerFlags): Promise<number> {
  const flags = withStoreSchema(given);
  runSecrets.addUrl(flags.broker, flags.store);
  const logFormat = process.stderr.isTTY === true ? 'text' : 'json';
  const log = createLogger(logLevelOf(flags.logLevel), logFormat, { redactor: runSecrets });
  const outcome = await runInWorkerThread(flags, logFormat, log);
  if ('exitCode' in outcome) return outcome.exitCode;
  if ('fatal' in outcome) printFatal(outcome.fatal);
  else reportFatal(outcome.crashed);
  return 1;
}

/** What the worker did about V8's heap sizing (docs/fleet-bench.md, "Worker memory"). */
function memoryLine(heapFlag: string | undefined): string {
  const young = isMainThread ? 'young generation as node was started' : `young generation ≤ ${resourceLimits.maxYoungGenerationSizeMb} MB (worker thread)`;
  return `memory: ${young}, ${heapFlag ? `${heapFlag} (set by the worker)` : 'heap growth as node was started'}`;
}

/** How a worker thread runs the command (fleet-worker-thread.ts): its log format, log writer and signal source. */
export interface WorkerRunOptions {
  logFormat?: 'json' | 'text';
  logWrite?: (line: string) => void;
  stopSignals?: typeof handleStopSignals;
}

export async function runFleetWorker(given: WorkerFlags, backends: FleetBackends, run: WorkerRunOptions = {}): Promise<number> {
  const flags = withStoreSchema(given);
  runSecrets.addUrl(flags.broker, flags.store);
  const heapFlag = applyFleetWorkerHeapFlags(); // before the directory's preload fills the heap
  const { createTopicIdReader } = await import('../fleet/worker/topic-id.js');
  createTopicIdReader(flags.topic); // a pattern without its meter level fails here, before anything connects
  const workerId = workerIdOf(flags.workerId);
  const maxBatch = positiveInt(flags.batch, '--batch') ?? 2000;
  const maxWaitMs = positiveInt(flags.batchWait, '--batch-wait') ?? 100;
  const maxInFlight = positiveInt(flags.inFlight, '--in-flight') ?? Math.min(65_535, 3 * maxBatch);
  const log = createLogger(logLevelOf(flags.logLevel), run.logFormat ?? 'auto', { redactor: runSecrets, ...(run.logWrite ? { write: run.logWrite } : {}) });
  const wlog: WorkerLog = log;
  log.info(memoryLine(heapFlag));
  const { createFleetWorker } = await import('../fleet/worker/fleet-worker.js');
  const { createFrameDecoder } = await import('../fleet/worker/frame-decoder.js');

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => { for (const c of closers.reverse()) await c().catch((e: Error) => log.error(`closing: ${e.message}`)); };
  try {
    let metrics;
    if (flags.metrics !== undefined) {
      const { parseMetricsListen, startMetricsServer } = await import('../fleet/worker/metrics-server.js');
      const listen = parseMetricsListen(flags.metrics);
      const token = metricsToken(flags.metricsTokenFile);
      const { createFleetMetrics } = await import('../fleet/metrics.js');
      metrics = await createFleetMetrics();
      const server = await startMetricsServer(listen, metrics.registry, token);
      closers.push(() => server.close());
      log.info(`metrics on http://${server.address.host}:${server.address.port}/metrics${token ? ' (bearer token required)' : ''}`);
    }
    const settings = { store: flags.store, schema: flags.schema, log: wlog };
    const directory = await backends.openDirectory({ ...settings, ...(flags.masterKeyFile ? { masterKeyFile: flags.masterKeyFile } : {}) });
    closers.push(() => directory.close());
    const store = await backends.openStore(settings);
    closers.push(() => store.close());
    const clientId = `meterwire-${flags.group}-${workerId}`;
    const consumer = await backends.openConsumer({ broker: flags.broker, topic: flags.topic, group: flags.group, clientId, maxInFlight, log: wlog });
    const decoder = createFrameDecoder();
    const worker = createFleetWorker({
      consumer, directory, store, topicPattern: flags.topic, log: wlog, decoder, maxBatch, maxWaitMs,
      ...(metrics ? { metrics } : {}),
    });
    metrics?.observe({ queueDepth: () => worker.stats.queued, inBatch: () => worker.stats.inBatch, cachedMeters: () => directory.cachedCount?.() ?? 0 });
    const unhook = (run.stopSignals ?? handleStopSignals)({
      stop: (reason) => { log.info(`${reason}: committing the current batch, then stopping`); void worker.stop(); },
      reload: () => log.info('SIGHUP: nothing to reload (meters and keys are picked up from the registry)'),
      log,
    });
    closers.push(async () => unhook());
    await worker.start();
    log.info(`fleet worker ${workerId} (client id ${clientId}) consuming $share/${flags.group}/${flags.topic}`);
    await worker.done;
    const s = worker.stats;
    log.info(`stopped: ${s.acked} messages acknowledged, ${s.rows} rows (${s.inserted} stored, ${s.duplicates} already stored, ${s.replays} replays), ${s.deadLetters} dead letters, ${s.batches} batches`);
    return 0;
  } finally {
    await closeAll();
  }
}

export interface StoreFlags {
  store: string;
  schema: string;
  json?: boolean;
  silentAfter?: string;
  masterKeyFile?: string;
  pageSize?: string;
}

export async function runFleetStatus(given: StoreFlags, backends: FleetBackends): Promise<number> {
  const flags = withStoreSchema(given);
  runSecrets.addUrl(flags.store);
  const silentAfter = positiveInt(flags.silentAfter, '--silent-after') ?? 3;
  const log = createLogger('warn', 'auto', { redactor: runSecrets });
  const { fleetStatus, formatFleetStatus } = await import('../fleet/worker/fleet-status.js');
  const admin = await backends.openAdmin({ store: flags.store, schema: flags.schema, log });
  try {
    const status = await fleetStatus(admin, { now: Date.now(), silentAfter });
    process.stdout.write(flags.json ? `${JSON.stringify(status)}\n` : formatFleetStatus(status));
    return 0;
  } finally {
    await admin.close();
  }
}

export async function runFleetRedecode(given: StoreFlags, backends: FleetBackends): Promise<number> {
  const flags = withStoreSchema(given);
  runSecrets.addUrl(flags.store);
  const pageSize = positiveInt(flags.pageSize, '--page-size') ?? 500;
  const log = createLogger('info', 'auto', { redactor: runSecrets });
  const { redecodeDeadLetters } = await import('../fleet/worker/redecode.js');
  const { createFrameDecoder } = await import('../fleet/worker/frame-decoder.js');
  const settings = { store: flags.store, schema: flags.schema, log };
  const admin = await backends.openAdmin(settings);
  try {
    // A first query fails on a schema without a fleet store before the directory opens (it would create a registry there).
    await admin.deadLetterCounts();
    const directory = await backends.openDirectory({ ...settings, ...(flags.masterKeyFile ? { masterKeyFile: flags.masterKeyFile } : {}) });
    try {
      const r = await redecodeDeadLetters({
        admin, directory, decoder: createFrameDecoder(), pageSize,
        onPage: (p) => log.info(`${p.examined} dead letters examined, ${p.resolved} stored`),
      });
      process.stdout.write(flags.json ? `${JSON.stringify(r)}\n`
        : `${r.examined} dead letters examined: ${r.resolved} decoded and stored (${r.rows} new rows, ${r.duplicates} already stored), `
          + `${r.reclassified} now failing for another reason, ${r.unchanged} still failing\n`);
      return 0;
    } finally {
      await directory.close();
    }
  } finally {
    await admin.close();
  }
}

function storeOptions(c: Command): Command {
  return c
    .requiredOption('-s, --store <url>', 'the fleet store, postgres://…')
    .option('--schema <name>', 'PostgreSQL schema of the fleet tables', DEFAULT_SCHEMA);
}

/**
 * Mounts `fleet worker|status|redecode` (and any `extra` subcommands, e.g. `fleet meters`) on the program.
 * `backends` opens the consumer, directory, store and admin queries.
 */
export function mountFleetCommands(program: Command, extra: Command[] = [], backends: FleetBackends = LIVE_BACKENDS): Command {
  const fleet = program.command('fleet')
    .description('decode many meters from an MQTT broker into PostgreSQL (workers, status, dead letters)');

  storeOptions(fleet.command('worker')
    .description('consume $share/GROUP/TOPIC, decode each frame with its meter\'s key, store in batches, acknowledge what is committed')
    .requiredOption('-b, --broker <url>', 'the broker, mqtt://host:1883 or mqtts://…')
    .option('-t, --topic <pattern>', 'topic pattern; its + level is the meter\'s topic id', DEFAULT_TOPIC)
    .requiredOption('-g, --group <name>', 'shared-subscription group: workers of one group share the meters\' frames'))
    .option('--worker-id <id>', 'stable id of this worker (default: the host name); the MQTT session is kept under it, so it must stay the same across restarts')
    .option('--master-key-file <file>', 'file holding the master key of the key store (default: env METERWIRE_MASTER_KEY)')
    .option('--batch <n>', 'rows and dead letters per commit (default 2000)')
    .option('--batch-wait <ms>', 'how long a batch waits for more after its first frame (default 100)')
    .option('--in-flight <n>', 'messages received but not yet acknowledged, at most (default 3 × --batch: one batch committing, one gathering, room for the acks in flight)')
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://host:port/metrics (e.g. 127.0.0.1:9464; another address needs METERWIRE_METRICS_TOKEN or --metrics-token-file)')
    .option('--metrics-token-file <file>', 'bearer token scrapers must send when --metrics serves the network')
    .option('--log-level <level>', 'debug, info, warn, error or silent (default info)')
    .addHelpText('after', `
The worker id must be stable: the broker keeps this worker's persistent session under the client id
meterwire-GROUP-ID, and Mosquitto holds the shared-subscription messages routed to it while it is away until
it returns. A worker that leaves for good leaves a session behind: start it once more with the same id and stop
it when its queue has drained, or let the broker expire it (Mosquitto: persistent_client_expiration).`)
    .action(async (flags: WorkerFlags) => {
      process.exitCode = backends === LIVE_BACKENDS && !youngGenerationSizedByUser()
        ? await runFleetWorkerThread(flags)
        : await runFleetWorker(flags, backends);
      process.exit();
    });

  storeOptions(fleet.command('status')
    .description('frames per minute of the last 5 minutes, dead letters by reason, meters gone silent'))
    .option('--silent-after <n>', 'list meters without a frame for more than n push intervals (default 3)')
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags) => { process.exitCode = await runFleetStatus(flags, backends); });

  storeOptions(fleet.command('redecode')
    .description('decode the dead letters of unknown meters and wrong keys again (after a key import); store what decodes now'))
    .option('--master-key-file <file>', 'file holding the master key of the key store (default: env METERWIRE_MASTER_KEY)')
    .option('--page-size <n>', 'dead letters per transaction (default 500)')
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags) => { process.exitCode = await runFleetRedecode(flags, backends); });

  for (const c of extra) fleet.addCommand(c);
  return fleet;
}
