/** Turns a simulate TARGET into a Target: tcp-listen://, tcp://, mqtt(s)://…/topic, a serial device, file:, or -. */
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { configError, redactUrl, splitQuery } from '../../net/url.js';
import { parseSerialUrl } from '../sources/serial-source.js';
import type { SerialLineSettings } from '../sources/types.js';
import { createTcpListenTarget, createTcpTarget } from './net-targets.js';
import { createMqttTarget } from './mqtt-target.js';
import type { Target, TargetLog } from './types.js';

function fileTarget(path: string): Target {
  writeFileSync(path, new Uint8Array(0));
  return {
    description: `file:${path}`,
    unpaced: true,
    async write(bytes) { appendFileSync(path, bytes); },
    async close() { /* appended synchronously */ },
  };
}

function stdoutTarget(): Target {
  return {
    description: 'stdout',
    unpaced: true,
    write: (bytes) => new Promise((resolve) => { process.stdout.write(bytes, () => resolve()); }),
    async close() { /* stdout stays open */ },
  };
}

/**
 * Reopens the device (every second) after it closes or fails, like the TCP target reconnects: a pty pair whose
 * socat is restarted, or a USB adapter re-plugged, used to leave the simulator writing into a closed port forever.
 * Messages while the port is down are dropped, as a real meter's would be.
 */
function serialTarget(url: string, serial: SerialLineSettings | undefined, log: TargetLog): Target {
  const { path, settings } = parseSerialUrl(url.startsWith('/dev/') ? `serial://${url}` : url, serial);
  let port: SerialPort | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let lastError = '';
  const retry = () => {
    if (!closed && !timer) timer = setTimeout(() => { timer = undefined; open(); }, 1000);
  };
  const open = () => {
    const p = new SerialPort({ path, baudRate: settings.baudRate, dataBits: settings.dataBits, parity: settings.parity,
      stopBits: settings.stopBits, autoOpen: false });
    port = p;
    p.on('error', (e) => { if (e.message !== lastError) log(`serial ${path}: ${e.message}`); lastError = e.message; });
    p.on('close', () => { if (port === p && !timer) { log(`serial ${path} closed, reopening`); retry(); } });
    p.open((err) => {
      if (err) {
        if (err.message !== lastError) log(`serial ${path}: ${err.message}`);
        lastError = err.message;
        return retry();
      }
      lastError = '';
      if (closed) p.close();
    });
  };
  open();
  return {
    description: `serial://${path}`,
    write: (bytes) => new Promise((resolve) => {
      const p = port;
      if (!p?.isOpen) return resolve();
      // A write pending when the device vanishes (EIO) never calls back: resolve on close too, or the
      // simulate loop would wait on it forever.
      const done = () => { p.off('close', done); resolve(); };
      p.once('close', done);
      p.write(Buffer.from(bytes), (err) => (err ? done() : p.drain(() => done())));
    }),
    close: () => new Promise((resolve) => {
      closed = true;
      clearTimeout(timer);
      const p = port;
      port = undefined;
      if (p?.isOpen) p.close(() => resolve()); else resolve();
    }),
  };
}

/**
 * True for a path to a terminal device outside /dev, e.g. the /tmp/ptyA link a socat pty pair creates: the help
 * text and the tests pass such links, and treating them as "unsupported" made `simulate … /tmp/ptyA` fail.
 */
function isCharDevice(path: string): boolean {
  try {
    return path.startsWith('/') && statSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}

export function openTarget(url: string, log: TargetLog, serial?: SerialLineSettings): Target {
  const u = url.trim();
  if (u === '-') return stdoutTarget();
  if (u.startsWith('/dev/') || u.startsWith('serial:')) return serialTarget(u, serial, log);
  if (isCharDevice(u)) return serialTarget(`serial://${u}`, serial, log);
  if (u.startsWith('tcp-listen://')) return createTcpListenTarget(u, log);
  if (u.startsWith('tcp://')) return createTcpTarget(u, log);
  if (u.startsWith('mqtt://') || u.startsWith('mqtts://')) return createMqttTarget(u, redactUrl(u), log);
  if (u.startsWith('file:')) return fileTarget(splitQuery(u).base.slice('file:'.length).replace(/^\/\//, ''));
  throw configError(`unsupported simulate target ${redactUrl(u)}; use tcp-listen://127.0.0.1:2001 (0.0.0.0 for other machines), tcp://host:port, ` +
    'mqtt://broker:1883/topic?encoding=hex, /dev/ttyX (e.g. one end of a socat pty pair), file:out.bin or -');
}
