/**
 * How the long-running reader is stopped and reloaded, alike under systemd, in a shell and under `npm start`:
 * SIGTERM and SIGINT ask for a graceful stop (the caller drains the output queues and exits 0), SIGHUP reloads the
 * configuration. npm forwards SIGTERM and SIGINT to the reader but not SIGHUP, of which it dies itself: a reader
 * that npm started therefore stops once npm is gone, instead of running on as an orphan nobody can reach.
 */

export interface StopSignalOptions {
  /** Graceful stop; called at most once. */
  stop(reason: string): void;
  /** Re-read the configuration (SIGHUP). */
  reload(): void;
  log: { warn(msg: string): void };
  /** Environment and parent pid, for tests. */
  env?: NodeJS.ProcessEnv;
  parentPid?: () => number;
}

/** A second Ctrl-C this long after the first quits at once; sooner, it is npm passing on the terminal's one. */
const FORCE_QUIT_AFTER_MS = 1000;
const LAUNCHER_POLL_MS = 1000;

export function handleStopSignals(o: StopSignalOptions): () => void {
  const env = o.env ?? process.env;
  const parentPid = o.parentPid ?? (() => process.ppid);
  let stopping = false;
  let interruptedAt = 0;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    o.stop(reason);
  };
  // A repeated SIGTERM changes nothing (systemd sends SIGKILL when TimeoutStopSec runs out).
  const onTerm = () => stop('SIGTERM');
  const onInt = () => {
    if (stopping && interruptedAt && Date.now() - interruptedAt > FORCE_QUIT_AFTER_MS) process.exit(130);
    interruptedAt ||= Date.now();
    stop('SIGINT');
  };
  const onHup = () => { if (!stopping) o.reload(); };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);

  let watch: NodeJS.Timeout | undefined;
  if (env.npm_lifecycle_event) {
    const launcher = parentPid();
    watch = setInterval(() => {
      if (parentPid() === launcher) return;
      o.log.warn('npm, which started the reader, has gone (npm does not pass SIGHUP on, and dies of it): stopping');
      stop('launcher gone');
    }, LAUNCHER_POLL_MS);
    watch.unref();
  }
  return () => {
    clearInterval(watch);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
  };
}
