/**
 * `meterwire simulate --profile P TARGET`: behaves like a real meter of that family on TARGET (a pty end, TCP,
 * MQTT, a file or stdout), pushing a message every interval with evolving values and an incrementing counter.
 */
import { meterError } from '../core/errors.js';
import { createSimulator, DEMO_KEY } from '../sim/simulator.js';
import { openTarget } from '../adapters/targets/open-target.js';
import { createLogger } from '../app/logger.js';
import { keyOptions, type KeyFlags } from './key-options.js';
import { positiveInt } from './numbers.js';
import { runSecrets } from './secrets.js';

export interface SimulateFlags extends KeyFlags {
  profile?: string; interval?: string; count?: string; seed?: string;
  fleet?: string; metersFile?: string; rate?: string; duration?: string; profiles?: string; encoding?: string;
}

export async function runSimulate(target: string, flags: SimulateFlags): Promise<number> {
  if (flags.fleet !== undefined) return (await import('./simulate-fleet.js')).runSimulateFleet(target, flags);
  if (flags.profile === undefined) throw meterError('BAD_CONFIG', 'simulate needs --profile (or --fleet N for many meters)');
  for (const [flag, v] of [['--meters-file', flags.metersFile], ['--rate', flags.rate], ['--duration', flags.duration], ['--profiles', flags.profiles], ['--encoding', flags.encoding]] as const) {
    if (v !== undefined) throw meterError('BAD_CONFIG', `${flag} is a --fleet option`);
  }
  // A simulated meter keeps its demo keys unless asked: KEY/AAD in the environment are some other program's.
  const keys = keyOptions(flags, {}, undefined, { compat: false });
  runSecrets.add(keys.key, keys.authKey);
  runSecrets.addUrl(target);
  const log = createLogger('info', 'auto', { redactor: runSecrets });
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && !Number.isFinite(seed)) throw meterError('BAD_CONFIG', `--seed expects a number, got "${flags.seed}"`);
  const sim = createSimulator({ profile: flags.profile, key: keys.key, authKey: keys.authKey, seed });
  const explicitInterval = positiveInt(flags.interval, '--interval');
  const interval = explicitInterval ?? sim.profile.intervalMs;
  const count = positiveInt(flags.count, '--count') ?? Infinity;
  const out = openTarget(target, (m) => log.info(m), sim.profile.serial);
  try {
    await out.ready;
  } catch (e) {
    await out.close();
    throw e;
  }
  // A file or stdout has nobody waiting on the other end: --count messages go out at once (still an interval of
  // meter time apart, ending now), unless --interval asks for pacing. Without --count they are paced like a meter.
  const atOnce = Boolean(out.unpaced) && explicitInterval === undefined && count !== Infinity;
  const security = sim.encrypted
    ? `encrypted${sim.authenticated ? ' and authenticated' : ''} with ${keys.key ? 'your key(s)' : `the demo key ${DEMO_KEY} (pass it to read with --key)`}`
    : 'not encrypted';
  log.info(atOnce
    ? `simulating ${count} message(s) of ${sim.profile.meter} (${sim.profile.id}), ${interval} ms of meter time apart, to ${out.description}, ${security}`
    : `simulating ${sim.profile.meter} (${sim.profile.id}) every ${interval} ms to ${out.description}, ${security}`);
  let sent = 0;
  let stopped = false;
  const stop = () => { stopped = true; };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const firstAt = Date.now() - (atOnce ? (count - 1) * interval : 0);
  while (!stopped && sent < count) {
    await out.write(sim.frame(atOnce ? firstAt + sent * interval : Date.now()));
    sent++;
    if (sent < count && !atOnce) await new Promise((r) => setTimeout(r, interval));
  }
  await out.close();
  log.info(`sent ${sent} message(s)`);
  return 0;
}
