/**
 * tcp-listen://addr:port: a server that gateways connect to and push meter bytes into. Data from any client is
 * forwarded; the source is 'connected' while at least one client is, and 'disconnected' when the last leaves.
 * A listen failure (port in use) is retried with backoff like any other lost link.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createBackoff } from '../../net/backoff.js';
import { errorText } from './reconnecting-source.js';
import { LOOPBACK, parseHostPort } from '../../net/url.js';
import { createStateReporter, type StateReporter } from './state-reporter.js';
import type { Source, SourceHandlers, SourceOptions } from './types.js';

const KEEPALIVE_DELAY_MS = 15_000;

export function createTcpListenSource(url: string, description: string, options: SourceOptions = {}): Source {
  const { host, port } = parseHostPort(url, LOOPBACK);
  const backoff = createBackoff(options.backoff);
  const clients = new Set<Socket>();
  let reporter: StateReporter | undefined;
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function clientGone(socket: Socket, detail: string): void {
    if (!clients.delete(socket) || clients.size > 0) return;
    reporter?.set('disconnected', detail);
  }

  function accept(socket: Socket): void {
    if (stopped) return void socket.destroy();
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    clients.add(socket);
    socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    let lastError: string | undefined;
    socket.on('data', (chunk: Buffer) => reporter?.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('error', (err) => {
      lastError = errorText(err);
    });
    socket.on('close', () => clientGone(socket, `gateway ${peer} left${lastError ? `: ${lastError}` : ''}`));
    reporter?.set('connected', `gateway ${peer} connected`);
  }

  function listen(): void {
    if (stopped) return;
    const s = createServer(accept);
    server = s;
    s.on('error', (err) => {
      // Only listen errors reach here (client errors are per socket): retry the listen with backoff.
      if (server !== s) return;
      server = undefined;
      s.close();
      reporter?.set('disconnected', `cannot listen on ${host}:${port}: ${errorText(err)}`);
      if (!stopped) timer = setTimeout(listen, backoff.next());
    });
    s.listen(port, host, () => backoff.reset());
  }

  return {
    description,
    start(handlers: SourceHandlers) {
      if (reporter || stopped) return;
      reporter = createStateReporter(handlers);
      reporter.set('connecting', `waiting for gateways on ${host}:${port}`);
      listen();
    },
    async stop() {
      stopped = true;
      reporter?.silence();
      if (timer) clearTimeout(timer);
      const s = server;
      server = undefined;
      for (const c of clients) c.destroy();
      clients.clear();
      if (s?.listening) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    recycle(reason: string) {
      // The gateways own the connections: dropping them makes them reconnect, which is the closest to a reset.
      for (const c of [...clients]) {
        c.destroy();
        clientGone(c, `recycled: ${reason}`);
      }
    },
  };
}

