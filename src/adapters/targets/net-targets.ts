/** TCP targets: tcp-listen:// serves every reader that connects (like a Wi-Fi P1 dongle); tcp:// connects out. */
import { createConnection, createServer, type Socket } from 'node:net';
import { LOOPBACK, parseHostPort } from '../../net/url.js';
import type { Target, TargetLog } from './types.js';

export function createTcpListenTarget(url: string, log: TargetLog): Target {
  const { host, port } = parseHostPort(url, LOOPBACK);
  const clients = new Set<Socket>();
  const server = createServer((s) => {
    clients.add(s);
    log(`reader connected from ${s.remoteAddress}:${s.remotePort}`);
    s.on('error', () => s.destroy());
    s.on('close', () => clients.delete(s));
  });
  server.on('error', (e) => log(`cannot listen on ${host}:${port}: ${e.message}`));
  server.listen(port, host);
  return {
    description: `tcp-listen://${host}:${port}`,
    async write(bytes) {
      for (const c of clients) if (!c.destroyed) c.write(bytes);
    },
    close: () => new Promise((resolve) => {
      for (const c of clients) c.destroy();
      server.close(() => resolve());
    }),
  };
}

export function createTcpTarget(url: string, log: TargetLog): Target {
  const { host, port } = parseHostPort(url);
  let socket: Socket | undefined;
  let connected = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = () => {
    const s = createConnection({ host, port });
    socket = s;
    s.on('connect', () => { connected = true; log(`connected to ${host}:${port}`); });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (connected) log(`connection to ${host}:${port} closed, retrying`);
      connected = false;
      if (!closed) timer = setTimeout(connect, 1000);
    });
  };
  connect();
  return {
    description: `tcp://${host}:${port}`,
    async write(bytes) {
      if (connected && socket) socket.write(bytes);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      socket?.destroy();
    },
  };
}
