/**
 * `meterwire read [SOURCE]`: the long-running reader. Prints one JSON message per line (or --pretty), errors as
 * {"error": …} lines at most once a minute per code, logs to stderr. Without a source it reads the built-in
 * simulated meter, so the README's main command shows something on any machine.
 */
import { openSource } from '../adapters/sources/open-source.js';
import { DEFAULT_SIM_PROFILE } from '../adapters/sources/sim-source.js';
import { createReader } from '../app/reader.js';
import { createLogger } from '../app/logger.js';
import { openCounterStore } from '../app/state-file.js';
import { normalizeSystemTitle } from '../app/frame-counter-tracker.js';
import { formatHealth, noFrameHint } from '../app/health.js';
import { countBytes } from '../adapters/sources/byte-count.js';
import { parseSerialUrl } from '../adapters/sources/serial-source.js';
import type { Profile } from '../core/profiles/types.js';
import { DEMO_AUTH_KEY, DEMO_KEY } from '../sim/simulator.js';
import { resolveProfile } from '../decoder-options.js';
import type { DecoderOptions } from '../index.js';
import { formatPrintConfig, resolveReadConfig, type ReadConfig } from './config.js';
import { positiveInt } from './numbers.js';
import { attributeKeys } from './key-options.js';
import { rememberSecrets, runSecrets } from './secrets.js';
import { printResult } from './decode-command.js';
import { handleStopSignals } from './stop-signals.js';
import { profileOption } from './profile-option.js';
import { startOutputs, STDOUT_OUTPUT } from '../app/outputs.js';
import { DEFAULT_DASHBOARD, DEFAULT_STORE, needsTelegram } from '../sinks/open-sink.js';
import type { SinkHealth } from '../sinks/types.js';

export interface ReadFlags {
  key?: string; authKey?: string; profile?: string; format?: ReadConfig['format']; config?: string;
  count?: string; pretty?: boolean; stats?: boolean; watchdog?: string; stateDir?: string; printConfig?: boolean;
  output?: string[]; acceptCounterReset?: string[]; allowUnauthenticated?: boolean;
  /** commander: a web:// URL from --dashboard, false from --no-dashboard, true when neither was given. */
  dashboard?: string | boolean;
}

function decoderOptions(c: ReadConfig, profile: DecoderOptions['profile']): DecoderOptions {
  return { key: c.key, authKey: c.authKey, profile, format: c.format, keepTelegram: needsTelegram(c.outputs ?? []),
    allowUnauthenticated: c.allowUnauthenticated };
}

/**
 * Outputs: as configured; otherwise stdout, plus the SQLite history and the dashboard when the built-in simulated
 * meter runs (the README's main job). A configured dashboard (`dashboard:`, `--dashboard`) joins any outputs;
 * `false` (`--no-dashboard`) turns the default one off.
 */
export function chooseOutputs(configured: string[] | undefined, demo: boolean, dashboard: string | false | undefined): string[] {
  const outputs = configured?.length ? [...configured] : demo ? [STDOUT_OUTPUT, DEFAULT_STORE] : [STDOUT_OUTPUT];
  const web = dashboard === false ? undefined : dashboard ?? (demo && !configured?.length ? DEFAULT_DASHBOARD : undefined);
  if (web !== undefined && !outputs.some((u) => /^web:/i.test(u))) outputs.push(web);
  return outputs;
}

/** The line settings in use, for the "bytes but no frame" hint: the profile's, or the serial URL's. */
function lineSettings(source: string, profile: Profile | undefined): string | undefined {
  const serial = source.startsWith('serial:') || source.startsWith('/dev/');
  const s = serial ? parseSerialUrl(source, profile?.serial).settings : profile?.serial;
  if (!s) return undefined;
  const line = `${s.baudRate} baud ${s.dataBits}${s.parity[0].toUpperCase()}${s.stopBits}`;
  return profile ? `profile ${profile.id}: ${line}, ${profile.framing} framing` : `serial line ${line}; --profile sets the meter's`;
}

export async function runRead(sourceArg: string | undefined, flags: ReadFlags): Promise<number> {
  const configure = () => resolveReadConfig({ key: flags.key, authKey: flags.authKey, profile: flags.profile, format: flags.format,
    config: flags.config, stateDir: flags.stateDir, watchdogSeconds: positiveInt(flags.watchdog, '--watchdog'),
    outputs: flags.output, allowUnauthenticated: flags.allowUnauthenticated });
  const limit = positiveInt(flags.count, '--count');
  const cfg = await configure();
  rememberSecrets({ ...cfg, source: sourceArg ?? cfg.source });
  const log = createLogger(cfg.logLevel ?? 'info', 'auto', { redactor: runSecrets });
  let source = sourceArg ?? cfg.source;
  if (!source) {
    source = `sim:${DEFAULT_SIM_PROFILE}?interval=1000`;
    log.info(`no source given: reading the built-in simulated meter (${source}). To read your meter: ` +
      'meterwire read serial:///dev/ttyUSB0 --key <GUEK> (see meterwire profiles and the README)');
  }
  if (source.startsWith('sim:')) { cfg.key ??= DEMO_KEY; cfg.authKey ??= DEMO_AUTH_KEY; }
  for (const [what, from] of [['GUEK', cfg.keyFrom], ['GAK', cfg.authKeyFrom]] as const) {
    if (from === 'KEY' || from === 'AAD') log.info(`using the ${what} from ${from} in the environment (METERWIRE_${what === 'GUEK' ? '' : 'AUTH_'}KEY or a flag wins; unset ${from} if it is not this meter's)`);
  }
  const dashboardFlag = typeof flags.dashboard === 'string' ? flags.dashboard : flags.dashboard === false ? false : undefined;
  cfg.outputs = chooseOutputs(cfg.outputs, !sourceArg && !cfg.source, dashboardFlag ?? cfg.dashboard);
  if (flags.printConfig) process.stderr.write(formatPrintConfig(cfg, source, runSecrets));
  const profileArg = await profileOption(cfg.profile);
  const profile = resolveProfile(profileArg);
  const counters = openCounterStore(cfg.stateDir ?? 'data');
  counters.load(); // an unreadable state file stops here, before any output is opened
  const acceptCounterReset = flags.acceptCounterReset?.map(normalizeSystemTitle);
  const src = countBytes(openSource(source, { serial: profile?.serial, simKeys: { key: cfg.key, authKey: cfg.authKey } }));
  const healthContext = () => ({ bytesReceived: src.bytesReceived, line: lineSettings(source, profile) });
  let health: () => SinkHealth = () => ({ state: 'starting', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 });
  const outputs = startOutputs(cfg.outputs, { log, stateDir: cfg.stateDir ?? 'data', health: () => health(), tariffs: cfg.tariffs });
  let delivered = 0;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { resolveDone = resolve; });
  const reader = createReader({
    source: src,
    decoder: decoderOptions(cfg, profileArg),
    watchdogMs: (cfg.watchdogSeconds ?? ((profile?.intervalMs ?? 10_000) * 3) / 1000) * 1000,
    counterStore: counters,
    acceptCounterReset,
    log,
    onMessage(msg) {
      if (limit !== undefined && delivered >= limit) return; // the rest of the chunk that held the last one
      if (outputs.toStdout) printResult(msg, Boolean(flags.pretty));
      outputs.publish(msg);
      if (limit !== undefined && ++delivered >= limit) resolveDone(0);
      else if (limit === undefined) delivered++;
    },
    onError(err, suppressed) {
      err.error.message = attributeKeys(err.error.message, cfg);
      if (outputs.toStdout) printResult(err, Boolean(flags.pretty));
      log.warn(`${err.error.code}: ${err.error.message}${suppressed ? ` (${suppressed} more since the last report)` : ''}`);
    },
    onEnd: () => {
      if (delivered === 0) {
        log.warn(`${src.description} ended without a message: ${noFrameHint(reader.health(), healthContext()) ??
          (src.bytesReceived ? 'see the errors above' : 'no bytes received')}`);
      }
      resolveDone(delivered > 0 ? 0 : 1);
    },
  });
  health = () => reader.health();
  const stats = flags.stats ? setInterval(() => process.stderr.write(`stats: ${formatHealth(reader.health(), healthContext())}\n`), 10_000) : undefined;
  stats?.unref();
  // `meterwire read | head`: when the consumer of stdout goes away, stop like any Unix tool (outputs flushed).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') { outputs.stopStdout(); resolveDone(delivered > 0 ? 0 : 1); }
  });
  // Re-read on SIGHUP: a key fixed in the config file is picked up without a restart.
  const reload = async () => {
    try {
      const next = await configure();
      rememberSecrets(next);
      if (source?.startsWith('sim:')) { next.key ??= DEMO_KEY; next.authKey ??= DEMO_AUTH_KEY; }
      next.outputs = cfg.outputs;
      cfg.keyFrom = next.keyFrom;
      cfg.authKeyFrom = next.authKeyFrom;
      reader.reload(decoderOptions(next, await profileOption(next.profile)));
    } catch (e) {
      log.error(`reload failed, keeping the previous configuration: ${(e as Error).message}`);
    }
  };
  // A stop asked for by a signal (systemctl stop, Ctrl-C) is a success, whether or not a message came yet.
  const releaseSignals = handleStopSignals({
    stop: (reason) => { log.info(`${reason}: stopping (flushing the outputs)`); resolveDone(0); },
    reload: () => { void reload(); },
    log,
  });
  reader.start();
  const code = await done;
  clearInterval(stats);
  await reader.stop();
  try { counters.sync(); } catch (e) { log.warn(`cannot sync ${counters.path}: ${(e as Error).message}`); }
  await outputs.close();
  releaseSignals();
  if (flags.stats) {
    process.stderr.write(`stats: ${formatHealth(reader.health(), healthContext())}\n`);
    for (const o of outputs.stats()) {
      process.stderr.write(`output ${o.name}: ${o.state}, delivered ${o.delivered}, queued ${o.queued}, spooled ${o.spooled}, dropped ${o.dropped}, failures ${o.failures}\n`);
    }
  }
  return code;
}
