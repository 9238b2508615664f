/**
 * DSMR telegram proxy: a TCP server (`dsmr-tcp://127.0.0.1:2001`; loopback unless the URL names an address) that sends every message to every connected
 * client as a DSMR P1 telegram with CRC16, like a P1-to-network bridge (ser2net, a P1 dongle) does. DSMR meters'
 * own decrypted telegrams are forwarded unchanged; DLMS meters get a synthesized DSMR 5 telegram of the variant
 * `?spec=` names (dsmr-spec.ts). Not durable:
 * a P1 reader only wants the current telegram, so nothing is queued for clients that are not connected.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { MeterMessage } from '../../core/model/message.js';
import type { Sink, SinkContext } from '../types.js';
import { synthesizeDsmrTelegram } from './synthesize-telegram.js';
import { telegramOf } from './telegram-property.js';
import { meterError } from '../../core/errors.js';
import { redactUrl } from '../../redact/index.js';
import { parseListenUrl } from '../server-url.js';
import { parseDsmrSpec, type DsmrSpec } from './dsmr-spec.js';

/** A client further behind than this is dead or too slow for 1 telegram/s: about 60 telegrams' worth. */
const DEFAULT_MAX_CLIENT_BUFFER = 64 * 1024;

export interface DsmrProxySink extends Sink {
  /** Where the server listens once open (the real port when the URL said 0). */
  address(): { host: string; port: number } | undefined;
  /** Number of connected clients. */
  clientCount(): number;
}

interface ProxyOptions {
  host: string;
  port: number;
  maxClientBuffer: number;
  spec: DsmrSpec;
}

function parseProxyUrl(url: string): ProxyOptions {
  const { host, port, params } = parseListenUrl(url, 'dsmr-tcp', 2001);
  const max = params.get('maxClientBuffer');
  const maxClientBuffer = max === null ? DEFAULT_MAX_CLIENT_BUFFER : Number(max);
  if (!Number.isInteger(maxClientBuffer) || maxClientBuffer <= 0) {
    throw meterError('BAD_URL', `${redactUrl(url)}: maxClientBuffer must be a positive integer, got "${max}"`);
  }
  return { host, port, maxClientBuffer, spec: parseDsmrSpec(params.get('spec'), url) };
}

/**
 * Energy or power in Wh/W (the T210-D-r's own telegram): DSMR tools take the number and not the unit (dsmr-reader
 * stores it as kWh), so such a telegram is not forwarded but synthesized in the standard's kWh/kW.
 */
const NON_STANDARD_UNIT = /^1-0:\d+\.[78]\.\d+\([^)]*\*(?:Wh|W)\)/m;

/** The telegram for a message: the meter's own when it carried one in DSMR's units, else a synthesized DSMR 5 telegram. */
export function dsmrTelegramFor(msg: MeterMessage, nowIso: string, spec?: DsmrSpec): string {
  const own = telegramOf(msg);
  if (own !== undefined && !NON_STANDARD_UNIT.test(own)) return own;
  return synthesizeDsmrTelegram(msg, nowIso, spec);
}

export function createDsmrProxySink(url: string, ctx: SinkContext): DsmrProxySink {
  const opts = parseProxyUrl(url);
  const name = redactUrl(url);
  const clients = new Set<Socket>();
  let server: Server | undefined;

  const drop = (socket: Socket, why: string): void => {
    if (!clients.delete(socket)) return;
    ctx.log.warn(`${name}: dropping client ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: ${why}`);
    socket.destroy();
  };

  const accept = (socket: Socket): void => {
    clients.add(socket);
    socket.setNoDelay(true);
    socket.resume(); // P1 is one-way: whatever a client sends is read and discarded so it cannot fill a buffer
    socket.on('error', () => { clients.delete(socket); });
    socket.on('close', () => { clients.delete(socket); });
  };

  const send = (bytes: Buffer): void => {
    for (const socket of clients) {
      // writableLength is what the kernel has not taken yet: a stalled reader must not grow our memory.
      if (socket.writableLength + bytes.length > opts.maxClientBuffer) {
        drop(socket, `more than ${opts.maxClientBuffer} bytes unread (client too slow or gone)`);
        continue;
      }
      socket.write(bytes);
    }
  };

  return {
    name,
    durable: false,
    async open() {
      if (server) return;
      const s = createServer(accept);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port, opts.host, () => { s.off('error', reject); resolve(); });
      });
      s.on('error', (err) => ctx.log.error(`${name}: ${err.message}`));
      server = s;
      const a = s.address() as AddressInfo;
      ctx.log.info(`${name}: serving DSMR telegrams on ${a.address}:${a.port}`);
    },
    async write(messages) {
      if (!server) throw new Error(`${name} is not open`);
      for (const msg of messages) {
        if (clients.size === 0) return; // nothing to format for nobody
        send(Buffer.from(dsmrTelegramFor(msg, new Date().toISOString(), opts.spec), 'latin1'));
      }
    },
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const socket of clients) socket.destroy();
      clients.clear();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    address() {
      const a = server?.address();
      return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
    },
    clientCount: () => clients.size,
  };
}
