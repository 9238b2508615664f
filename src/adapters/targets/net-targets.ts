/** TCP targets: tcp-listen:// serves every reader that connects (like a Wi-Fi P1 dongle); tcp:// connects out. */
import { createConnection, createServer, type Socket } from 'node:net';
import { MeterError } from '../../core/errors.js';
import { LOOPBACK, parseHostPort } from '../../net/url.js';
import type { Target, TargetLog } from './types.js';

/** Why a port cannot be listened on, in words that say what to do. */
function listenError(host: string, port: number, e: NodeJS.ErrnoException): MeterError {
  const why = e.code === 'EADDRINUSE' ? `port ${port} is in use (EADDRINUSE): another program (or simulator) listens there; stop it or pick another port`
    : e.code === 'EACCES' ? `permission denied (EACCES): ports below 1024 need privileges; pick a port above 1024`
      : e.code === 'EADDRNOTAVAIL' ? `${host} is no address of this machine (EADDRNOTAVAIL)`
        : e.message;
  return new MeterError('BAD_URL', 'config', `cannot listen on ${host}:${port}: ${why}`);
}

export function createTcpListenTarget(url: string, log: TargetLog): Target {
  const { host, port } = parseHostPort(url, LOOPBACK);
  const clients = new Set<Socket>();
  const server = createServer((s) => {
    clients.add(s);
    log(`reader connected from ${s.remoteAddress}:${s.remotePort}`);
    s.on('error', () => s.destroy());
    s.on('close', () => clients.delete(s));
  });
  const ready = new Promise<void>((resolve, reject) => {
    server.once('listening', () => {
      server.on('error', (e) => log(`tcp-listen://${host}:${port}: ${e.message}`));
      resolve();
    });
    server.once('error', (e) => reject(listenError(host, port, e)));
  });
  server.listen(port, host);
  return {
    description: `tcp-listen://${host}:${port}`,
    ready,
    async write(bytes) {
      for (const c of clients) if (!c.destroyed) c.write(bytes);
    },
    close: () => new Promise((resolve) => {
      for (const c of clients) c.destroy();
      if (!server.listening) return resolve();
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
