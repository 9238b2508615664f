/**
 * A dedicated PostgreSQL connection that LISTENs on one channel and comes back when it drops. A pool cannot do
 * this: LISTEN belongs to one session. Notifications sent while the connection was down are lost, so every
 * (re)connection calls `onListening` — the directory evicts everything then. A heartbeat query finds a
 * connection that died silently (a cut network sends no FIN), which would otherwise look alive forever.
 */
import pg from 'pg';

export interface NotifyListenerOptions {
  client: pg.ClientConfig;
  channel: string;
  onNotification(payload: string): void;
  /** After the first connection and every reconnection, once LISTEN is in effect. */
  onListening(reconnected: boolean): void;
  /** Connection problems (already retried by the listener); never carries a secret from us. */
  onError?(e: Error): void;
  retryMinMs?: number;
  retryMaxMs?: number;
  heartbeatMs?: number;
}

export interface NotifyListener {
  /** Whether LISTEN is in effect right now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** Resolves once listening; rejects when the first connection fails (later ones are retried). */
export async function startNotifyListener(o: NotifyListenerOptions): Promise<NotifyListener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(o.channel)) throw new Error(`bad channel name ${o.channel}`);
  const retryMin = o.retryMinMs ?? 500;
  const retryMax = o.retryMaxMs ?? 15_000;
  const heartbeatMs = o.heartbeatMs ?? 30_000;
  let closed = false;
  let current: pg.Client | undefined;
  let retryMs = retryMin;
  let retryTimer: NodeJS.Timeout | undefined;
  let everConnected = false;

  const lost = (c: pg.Client, e?: Error): void => {
    if (current !== c) return;
    current = undefined;
    if (e) o.onError?.(e);
    c.end().catch(() => undefined);
    schedule();
  };

  const schedule = (): void => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch((e: Error) => { o.onError?.(e); schedule(); });
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMax, retryMs * 2);
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ ...o.client, keepAlive: true });
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c));
    c.on('notification', (n) => { if (n.channel === o.channel) o.onNotification(n.payload ?? ''); });
    try {
      await c.connect();
      await c.query(`LISTEN ${o.channel}`);
    } catch (e) {
      c.end().catch(() => undefined);
      throw e;
    }
    if (closed) { await c.end().catch(() => undefined); return; }
    current = c;
    retryMs = retryMin;
    const reconnected = everConnected;
    everConnected = true;
    o.onListening(reconnected);
  };

  await connect();
  const heartbeat = setInterval(() => {
    const c = current;
    if (!c) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the LISTEN connection did not answer its heartbeat')), Math.min(10_000, heartbeatMs));
    });
    Promise.race([c.query('SELECT 1'), timeout]).then(
      () => clearTimeout(timer),
      (e: Error) => { clearTimeout(timer); lost(c, e); },
    );
  }, heartbeatMs);
  heartbeat.unref();

  return {
    get listening() { return current !== undefined; },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      if (retryTimer) clearTimeout(retryTimer);
      const c = current;
      current = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
