/**
 * serial:///dev/ttyUSB0?baud=115200&parity=even&dataBits=7&stopBits=1 (or a bare /dev/tty… path) through the
 * serialport package. A device that disappears (USB adapter unplugged, pty peer gone) is reopened with backoff
 * until it returns; the reader sees one 'disconnected' and one 'connected'.
 */
import { SerialPort } from 'serialport';
import { createReconnectingSource, errorText, type LinkEvents, type Link } from './reconnecting-source.js';
import { choiceParam, configError, intParam, splitQuery } from '../../net/url.js';
import { DEFAULT_SERIAL, type SerialLineSettings, type Source, type SourceOptions } from './types.js';

export interface SerialTarget {
  path: string;
  settings: SerialLineSettings;
}

/** URL query parameters override the profile's serial settings, which override 8N1 at 115200. */
export function parseSerialUrl(url: string, defaults: SerialLineSettings = DEFAULT_SERIAL): SerialTarget {
  const { base, params } = splitQuery(url);
  let path = base.startsWith('serial:') ? base.slice('serial:'.length) : base;
  // serial:///dev/x has an empty authority; serial:/dev/x and serial:COM3 have none.
  if (path.startsWith('//')) path = path.slice(2);
  path = decodeURIComponent(path);
  if (!path) throw configError('serial source needs a device path, e.g. serial:///dev/ttyUSB0?baud=115200');
  const settings: SerialLineSettings = {
    baudRate: intParam(params, 'baud') ?? intParam(params, 'baudRate') ?? defaults.baudRate,
    dataBits: (intParam(params, 'dataBits', [7, 8]) ?? defaults.dataBits) as 7 | 8,
    parity: choiceParam(params, 'parity', ['none', 'even', 'odd'] as const) ?? defaults.parity,
    stopBits: (intParam(params, 'stopBits', [1, 2]) ?? defaults.stopBits) as 1 | 2,
  };
  return { path, settings };
}

function openPort(target: SerialTarget, events: LinkEvents): Link {
  const { path, settings } = target;
  const port = new SerialPort({ path, ...settings, autoOpen: false });
  port.on('data', (chunk: Buffer) => events.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  // Every failure path ends here or in 'close'; an 'error' without a listener would crash the process.
  port.on('error', (err: Error) => events.down(`serial error on ${path}: ${errorText(err)}`));
  port.on('close', (err: Error | null) => events.down(err ? `${path} disconnected: ${errorText(err)}` : `${path} closed`));
  const settled = new Promise<void>((resolve) => {
    port.open((err) => {
      resolve();
      if (err) events.down(`cannot open ${path}: ${errorText(err)}`);
      else events.up(`${path} open at ${describeLine(settings)}`);
    });
  });
  return {
    async close() {
      // Closing while still opening would leave the device held: wait for the open to settle first.
      await settled;
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}

function describeLine(s: SerialLineSettings): string {
  return `${s.baudRate} ${s.dataBits}${s.parity[0].toUpperCase()}${s.stopBits}`;
}

export function createSerialSource(url: string, description: string, options: SourceOptions = {}): Source {
  const target = parseSerialUrl(url, options.serial);
  return createReconnectingSource(description, (events) => openPort(target, events), options.backoff);
}
