/**
 * sim:PROFILE?interval=1000&count=N — the built-in simulated meter as a source, so `meterwire read` works with
 * no meter attached (the README's main command) and tests exercise the whole reader without hardware.
 */
import { createSimulator, type SimulatorOptions } from '../../sim/simulator.js';
import { configError, intParam, splitQuery } from '../../net/url.js';
import { createStateReporter } from './state-reporter.js';
import type { Source, SourceHandlers } from './types.js';

export const DEFAULT_SIM_PROFILE = 'at-evn-sagemcom-t210d';

export function parseSimUrl(url: string): { profile: string; intervalMs?: number; count?: number } {
  const { base, params } = splitQuery(url);
  const profile = base.slice('sim:'.length).replace(/^\/\//, '') || DEFAULT_SIM_PROFILE;
  const intervalMs = intParam(params, 'interval');
  const count = intParam(params, 'count');
  if (!/^[a-z0-9-]+$/.test(profile)) throw configError(`sim: expects a profile id, e.g. sim:${DEFAULT_SIM_PROFILE}`);
  return { profile, intervalMs, count };
}

export function createSimSource(url: string, keys: Pick<SimulatorOptions, 'key' | 'authKey'> = {}): Source {
  const spec = parseSimUrl(url);
  const sim = createSimulator({ profile: spec.profile, ...keys });
  const interval = spec.intervalMs ?? sim.profile.intervalMs;
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  let reporter: ReturnType<typeof createStateReporter> | undefined;
  const tick = () => {
    reporter?.data(sim.frame(Date.now()));
    if (spec.count !== undefined && ++sent >= spec.count) {
      clearInterval(timer);
      reporter?.set('ended', `${sent} simulated message(s) sent`);
    }
  };
  return {
    description: `sim:${spec.profile} (${sim.profile.meter}, every ${interval} ms)`,
    start(handlers: SourceHandlers) {
      reporter = createStateReporter(handlers);
      reporter.set('connecting');
      reporter.set('connected', 'simulated meter');
      setImmediate(tick);
      timer = setInterval(tick, interval);
    },
    async stop() {
      clearInterval(timer);
      reporter?.silence();
    },
    recycle() {
      // nothing to reconnect: the simulated meter never goes silent
    },
  };
}
