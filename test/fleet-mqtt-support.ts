/**
 * A private Mosquitto for the fleet consumer tests: a free loopback port, persistence on in a temp dir, and
 * restart on the same port and store (a broker reboot). Plus a QoS 1 publisher, a PUBACK-recording proxy and
 * small waiting helpers. Tests skip when /usr/sbin/mosquitto is missing (fail under CI=true).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parser as createParser, type Packet } from 'mqtt-packet';
import { canConnectTcp, freePort, hasCommand, requireService } from './support/services.js';

export const skip = await requireService('mosquitto', () => hasCommand('/usr/sbin/mosquitto'),
  'install mosquitto (apt-get install mosquitto) for the fleet consumer tests');

export interface PersistentBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** `lines` go into mosquitto.conf; the tests queue without limit unless they say otherwise. */
export async function startBroker(lines: string[] = ['max_queued_messages 0']): Promise<PersistentBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-mqtt-'));
  chmodSync(dir, 0o777); // mosquitto started as root writes its store as its own user
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`,
    ...lines, ''].join('\n'));
  chmodSync(conf, 0o644);
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const deadline = Date.now() + 10_000;
    while (!(await canConnectTcp('127.0.0.1', port, 200))) {
      if (c.exitCode !== null || Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`mosquitto did not start on ${port}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM'); // SIGTERM saves the store: sessions and their queued messages survive the restart
    await exited;
  };
  await start();
  return { port, url: `mqtt://127.0.0.1:${port}`, stop, start, async remove() { await stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Publishes the payloads at QoS 1 and resolves once the broker acknowledged every one. */
export async function publishAll(url: string, topic: string | ((i: number) => string), payloads: string[], qos: 0 | 1 = 1): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
  try {
    await Promise.all(payloads.map((p, i) => client.publishAsync(typeof topic === 'string' ? topic : topic(i), p, { qos })));
  } finally {
    await client.endAsync();
  }
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const payloads = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

export interface RecordingProxy {
  port: number;
  /** Packets the client sent (PUBACK, PINGREQ, …), in wire order. */
  fromClient: Packet[];
  /** Packets the broker sent, in wire order. */
  fromBroker: Packet[];
  close(): Promise<void>;
}

/** A TCP proxy in front of the broker that parses both directions: to see on the wire in what order PUBACKs left. */
export async function recordingProxy(brokerPort: number): Promise<RecordingProxy> {
  const fromClient: Packet[] = [];
  const fromBroker: Packet[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = netConnect(brokerPort, '127.0.0.1');
    sockets.push(client, upstream);
    const up = createParser({ protocolVersion: 5 });
    const down = createParser({ protocolVersion: 5 });
    up.on('packet', (p: Packet) => fromClient.push(p));
    down.on('packet', (p: Packet) => fromBroker.push(p));
    client.on('data', (d: Buffer) => { up.parse(d); upstream.write(d); });
    upstream.on('data', (d: Buffer) => { down.parse(d); client.write(d); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    port, fromClient, fromBroker,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
