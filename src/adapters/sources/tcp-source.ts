/**
 * tcp://host:port: a client for ser2net, socat and Wi-Fi P1 dongles that serve the meter's bytes over TCP.
 * Close, error and connect timeout all lead to a reconnect with backoff; TCP keepalive notices a peer that
 * vanished without a FIN (dongle power cut), which would otherwise look like a quiet meter forever.
 */
import { Socket } from 'node:net';
import { createReconnectingSource, errorText, type Link, type LinkEvents } from './reconnecting-source.js';
import { intParam, parseHostPort, splitQuery } from '../../net/url.js';
import type { Source, SourceOptions } from './types.js';

const CONNECT_TIMEOUT_MS = 10_000;
const KEEPALIVE_DELAY_MS = 15_000;

function toUint8(chunk: Buffer): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
}

function connectSocket(host: string, port: number, timeoutMs: number, events: LinkEvents): Link {
  const socket = new Socket();
  const where = `${host}:${port}`;
  let lastError: string | undefined;
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no connection to ${where} within ${timeoutMs} ms`)));
  socket.once('connect', () => {
    // The timeout only guards the connect; silence afterwards is the reader watchdog's call.
    socket.setTimeout(0);
    socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    events.up(`connected to ${where}`);
  });
  socket.on('data', (chunk: Buffer) => events.data(toUint8(chunk)));
  socket.on('error', (err) => {
    lastError = errorText(err);
  });
  socket.on('close', () => events.down(lastError ? `${where}: ${lastError}` : `${where} closed the connection`));
  socket.connect({ host, port });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
  };
}

export function createTcpSource(url: string, description: string, options: SourceOptions = {}): Source {
  const { host, port } = parseHostPort(url);
  const timeoutMs = intParam(splitQuery(url).params, 'timeout') ?? CONNECT_TIMEOUT_MS;
  return createReconnectingSource(description, (events) => connectSocket(host, port, timeoutMs, events), options.backoff);
}
