/**
 * Turns a source URL into a Source. The scheme picks the transport; everything else (query parameters,
 * credentials) is the transport's business. Unknown schemes fail early with every supported form listed.
 */
import { createFileSource } from './file-source.js';
import { createMqttSource } from './mqtt-source.js';
import { createSerialSource } from './serial-source.js';
import { MeterError } from '../../core/errors.js';
import { redactUrl } from '../../redact/index.js';
import { createStdinSource } from './stdin-source.js';
import { createTcpListenSource } from './tcp-listen-source.js';
import { createTcpSource } from './tcp-source.js';
import { createSimSource } from './sim-source.js';
import type { Source, SourceOptions } from './types.js';

export const SUPPORTED_SOURCES: readonly string[] = [
  'serial:///dev/ttyUSB0?baud=115200&parity=none&dataBits=8&stopBits=1 (or just /dev/ttyUSB0)',
  'tcp://192.168.1.50:2001 (ser2net, socat, Wi-Fi P1 dongles)',
  'tcp-listen://0.0.0.0:4059 (gateways connect in and push; tcp-listen://:4059 is loopback only)',
  'mqtt://user:pass@broker:1883/meters/p1/raw (or mqtts://…?ca=ca.pem&cert=c.pem&keyFile=k.pem)',
  'file:capture.bin?pace=baud&baud=2400&loop=1 (binary or hex capture)',
  '- or stdin: (bytes piped in)',
  'sim:at-evn-sagemcom-t210d?interval=1000 (the built-in simulated meter; see `meterwire profiles`)',
];

/** An unknown scheme, like every other source URL problem, is BAD_URL (UNKNOWN_FORMAT names framing formats). */
function unknownSource(url: string): Error {
  return new MeterError('BAD_URL', 'config', `unsupported source ${redactUrl(url)}; use one of:\n  ${SUPPORTED_SOURCES.join('\n  ')}`);
}

/**
 * Throws MeterError (layer 'config') for an unknown scheme or invalid parameters. Does no I/O until start()
 * (except reading mqtts certificate files); I/O failures after that become states, never exceptions.
 */
export function openSource(url: string, options: SourceOptions = {}): Source {
  const trimmed = url.trim();
  const description = redactUrl(trimmed);
  if (trimmed === '-' || trimmed === 'stdin:') return createStdinSource();
  if (trimmed.startsWith('/dev/') || /^COM\d+$/i.test(trimmed)) return createSerialSource(trimmed, description, options);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'serial':
      return createSerialSource(trimmed, description, options);
    case 'tcp':
      return createTcpSource(trimmed, description, options);
    case 'tcp-listen':
      return createTcpListenSource(trimmed, description, options);
    case 'mqtt':
    case 'mqtts':
      return createMqttSource(trimmed, description, options);
    case 'file':
      return createFileSource(trimmed, description, options);
    case 'sim':
      return createSimSource(trimmed, options.simKeys);
    default:
      throw unknownSource(trimmed);
  }
}
