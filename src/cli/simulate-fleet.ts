/**
 * `meterwire simulate --fleet N --meters-file FILE.csv [--rate R] [--interval S] [--duration S] [--profiles a,b]
 * [--seed n] [--encoding hex|binary] mqtt://host:1883/meters/{id}/raw`: the fleet load generator (src/sim/fleet).
 * Progress every 5 s on stderr; the last line on stdout is JSON: published, acked, seconds, rate.
 */
import { meterError } from '../core/errors.js';
import { createLogger } from '../app/logger.js';
import { generateFleetMeters, fleetProfiles } from '../sim/fleet/fleet-meters.js';
import { loadOrCreateMeters } from '../sim/fleet/meters-file.js';
import { createFleetSimulator } from '../sim/fleet/fleet-simulator.js';
import { parseFleetTarget, runFleet } from '../sim/fleet/run-fleet.js';
import { positiveInt, positiveNumber } from './numbers.js';
import { runSecrets } from './secrets.js';
import type { SimulateFlags } from './simulate-command.js';

export async function runSimulateFleet(target: string, flags: SimulateFlags): Promise<number> {
  runSecrets.addUrl(target);
  const log = createLogger('info', 'auto', { redactor: runSecrets });
  const n = positiveInt(flags.fleet, '--fleet')!;
  if (flags.metersFile === undefined) throw meterError('BAD_CONFIG', '--fleet needs --meters-file FILE.csv (the keys for `meterwire fleet meters import`)');
  if (flags.profile !== undefined) throw meterError('BAD_CONFIG', '--fleet takes --profiles a,b,c, not --profile');
  if (flags.key !== undefined || flags.authKey !== undefined) throw meterError('BAD_CONFIG', '--fleet gives every meter its own keys (in --meters-file), not --key/--auth-key');
  const rate = positiveNumber(flags.rate, '--rate');
  const intervalS = positiveNumber(flags.interval, '--interval');
  if (rate !== undefined && intervalS !== undefined) throw meterError('BAD_CONFIG', '--rate and --interval both set the pace: give one');
  const durationS = positiveNumber(flags.duration, '--duration');
  // --count 0: only write (or check) the meters file, so its keys can be imported before anything is published.
  const metersOnly = flags.count !== undefined && /^0+$/.test(flags.count.trim());
  const count = metersOnly ? undefined : positiveInt(flags.count, '--count');
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw meterError('BAD_CONFIG', `--seed expects a whole number, got "${flags.seed}"`);
  const encoding = flags.encoding ?? 'binary';
  if (encoding !== 'binary' && encoding !== 'hex') throw meterError('BAD_CONFIG', `--encoding is binary or hex, not "${encoding}"`);
  const profiles = flags.profiles === undefined ? undefined : fleetProfiles(flags.profiles.split(',').map((p) => p.trim()).filter(Boolean));
  parseFleetTarget(target);

  const { meters, reused } = loadOrCreateMeters(flags.metersFile, n, { seed, profiles }, generateFleetMeters);
  log.info(reused
    ? `reusing ${flags.metersFile} (${n} meters)`
    : `wrote ${flags.metersFile}: ${n} meters, keys ${seed === undefined ? 'from the CSPRNG' : `derived from --seed ${seed} (for tests only: the seed gives away every key)`}; import it with \`meterwire fleet meters import ${flags.metersFile}\``);
  if (metersOnly) return 0;
  const sim = createFleetSimulator({ meters });
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await runFleet({
      sim, target, rate, intervalMs: intervalS === undefined ? undefined : intervalS * 1000,
      durationMs: durationS === undefined ? undefined : durationS * 1000, count, encoding, signal: abort.signal,
      log: (line) => log.info(line),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.acked === result.published ? 0 : 1;
  } catch (e) {
    const result = (e as { result?: unknown }).result;
    log.error(runSecrets.text(e instanceof Error ? e.message : String(e)));
    if (result) process.stdout.write(`${JSON.stringify(result)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
