/** Turns a simulate TARGET into a Target: tcp-listen://, tcp://, mqtt(s)://…/topic, a serial device, file:, or -. */
import { appendFileSync, writeFileSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { configError, redactUrl, splitQuery } from '../sources/source-url.js';
import { parseSerialUrl } from '../sources/serial-source.js';
import type { SerialLineSettings } from '../sources/types.js';
import { createTcpListenTarget, createTcpTarget } from './net-targets.js';
import { createMqttTarget } from './mqtt-target.js';
import type { Target, TargetLog } from './types.js';

function fileTarget(path: string): Target {
  writeFileSync(path, new Uint8Array(0));
  return {
    description: `file:${path}`,
    async write(bytes) { appendFileSync(path, bytes); },
    async close() { /* appended synchronously */ },
  };
}

function stdoutTarget(): Target {
  return {
    description: 'stdout',
    write: (bytes) => new Promise((resolve) => { process.stdout.write(bytes, () => resolve()); }),
    async close() { /* stdout stays open */ },
  };
}

function serialTarget(url: string, serial: SerialLineSettings | undefined, log: TargetLog): Target {
  const { path, settings } = parseSerialUrl(url.startsWith('/dev/') ? `serial://${url}` : url, serial);
  const port = new SerialPort({ path, baudRate: settings.baudRate, dataBits: settings.dataBits, parity: settings.parity,
    stopBits: settings.stopBits, autoOpen: true });
  port.on('error', (e) => log(`serial ${path}: ${e.message}`));
  return {
    description: `serial://${path}`,
    write: (bytes) => new Promise((resolve) => {
      if (!port.isOpen) return resolve();
      port.write(Buffer.from(bytes), () => port.drain(() => resolve()));
    }),
    close: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

export function openTarget(url: string, log: TargetLog, serial?: SerialLineSettings): Target {
  const u = url.trim();
  if (u === '-') return stdoutTarget();
  if (u.startsWith('/dev/') || u.startsWith('serial:')) return serialTarget(u, serial, log);
  if (u.startsWith('tcp-listen://')) return createTcpListenTarget(u, log);
  if (u.startsWith('tcp://')) return createTcpTarget(u, log);
  if (u.startsWith('mqtt://') || u.startsWith('mqtts://')) return createMqttTarget(u, redactUrl(u), log);
  if (u.startsWith('file:')) return fileTarget(splitQuery(u).base.slice('file:'.length).replace(/^\/\//, ''));
  throw configError(`unsupported simulate target ${redactUrl(u)}; use tcp-listen://0.0.0.0:2001, tcp://host:port, ` +
    'mqtt://broker:1883/topic?encoding=hex, /dev/ttyX (e.g. one end of a socat pty pair), file:out.bin or -');
}
