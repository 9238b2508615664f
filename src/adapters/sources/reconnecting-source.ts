/**
 * The reconnect loop shared by connection-oriented sources (serial, TCP client, TCP listener): open a link,
 * forward its bytes, and when it goes down report 'disconnected' once and retry with backoff until it is back.
 * Links are numbered, so a late event from a link already given up can never disturb the current one.
 */
import { createBackoff } from '../../net/backoff.js';
import { createStateReporter, type StateReporter } from './state-reporter.js';
import type { BackoffSettings, Source, SourceHandlers } from './types.js';

export interface LinkEvents {
  /** The link is open and bytes may flow. */
  up(detail?: string): void;
  data(chunk: Uint8Array): void;
  /** The link failed or closed. Only the first call per link counts. */
  down(detail: string): void;
}

export interface Link {
  /** Releases the link's resources; resolves when done and never rejects. Later events are ignored. */
  close(): Promise<void>;
}

/** Opens one link. May call events synchronously or later; a synchronous throw counts as down(). */
export type Connect = (events: LinkEvents) => Link;

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A device that vanished with EBADF/EIO may never call back from close(); reconnecting must not wait on it
 * forever (seen once with a killed pty), so the wait for the old link is bounded.
 */
const CLOSE_TIMEOUT_MS = 3000;

function closeWithin(link: Link, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    link.close().catch(() => undefined).finally(() => { clearTimeout(timer); resolve(); });
  });
}

export function createReconnectingSource(description: string, connect: Connect, backoffSettings?: BackoffSettings): Source {
  const backoff = createBackoff(backoffSettings);
  let reporter: StateReporter | undefined;
  let generation = 0;
  let link: Link | undefined;
  let closing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let started = false;

  function drop(): void {
    const old = link;
    link = undefined;
    generation += 1;
    if (old) closing = closeWithin(old, CLOSE_TIMEOUT_MS);
  }

  function lost(detail: string): void {
    drop();
    reporter?.set('disconnected', detail);
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void attempt();
    }, backoff.next());
  }

  async function attempt(): Promise<void> {
    // Wait for the previous link to release its device or socket before opening the same one again.
    await closing;
    if (stopped) return;
    const mine = ++generation;
    let healthy = false;
    const events: LinkEvents = {
      up(detail) {
        if (mine === generation) reporter?.set('connected', detail);
      },
      data(chunk) {
        if (mine !== generation) return;
        // Bytes prove the link works: the next outage starts again from the shortest delay.
        if (!healthy) {
          healthy = true;
          backoff.reset();
        }
        reporter?.data(chunk);
      },
      down(detail) {
        if (mine === generation) lost(detail);
      },
    };
    try {
      const opened = connect(events);
      if (mine === generation) link = opened;
      else void opened.close();
    } catch (err) {
      if (mine === generation) lost(errorText(err));
    }
  }

  return {
    description,
    start(handlers: SourceHandlers) {
      if (started || stopped) return;
      started = true;
      reporter = createStateReporter(handlers);
      reporter.set('connecting', description);
      void attempt();
    },
    async stop() {
      stopped = true;
      reporter?.silence();
      if (timer) clearTimeout(timer);
      timer = undefined;
      drop();
      await closing;
    },
    recycle(reason: string) {
      if (stopped || !link) return;
      lost(`recycled: ${reason}`);
    },
  };
}
