/**
 * "-" or "stdin:": bytes piped in (e.g. `socat /dev/ttyUSB0,raw - | meterwire read -`), 'ended' at EOF.
 * Like a capture file, stdin may hold hex text (`cat capture.hex | meterwire read -`): when its first bytes are
 * hex digits, the stream is decoded as hex. Built on any readable stream, so tests can feed it directly.
 */
import type { Readable } from 'node:stream';
import { createHexStream, startsAsHex, type HexStream } from './hex-stream.js';
import { errorText } from './reconnecting-source.js';
import { createStateReporter, type StateReporter } from './state-reporter.js';
import type { Source, SourceHandlers } from './types.js';

export function createStreamSource(stream: Readable, description: string): Source {
  let reporter: StateReporter | undefined;
  /** undefined until the first bytes tell binary from hex text; then a decoder for hex, or null for binary. */
  let hex: HexStream | null | undefined;
  let failed = false;
  const onData = (chunk: Buffer | string): void => {
    if (failed) return;
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.length);
    if (hex === undefined) {
      const isHex = startsAsHex(bytes);
      if (isHex !== undefined) hex = isHex ? createHexStream() : null;
    }
    if (!hex) return void reporter?.data(bytes);
    try {
      reporter?.data(hex.push(bytes));
    } catch (e) {
      failed = true;
      reporter?.set('ended', `${description} began as hex text but ${(e as Error).message}: pipe either hex or binary`);
    }
  };
  const onEnd = (): void => {
    const cut = hex?.pending ? ', the hex text ended inside a byte' : '';
    void reporter?.set('ended', `end of ${description}${hex ? ' (hex text)' : ''}${cut}`);
  };
  const onError = (err: Error): void => void reporter?.set('ended', `${description} failed: ${errorText(err)}`);
  return {
    description,
    start(handlers: SourceHandlers) {
      if (reporter) return;
      reporter = createStateReporter(handlers);
      reporter.set('connected', description);
      stream.on('data', onData);
      stream.once('end', onEnd);
      stream.on('error', onError);
    },
    async stop() {
      reporter?.silence();
      stream.off('data', onData);
      stream.off('end', onEnd);
      // Keep an error listener: an error after stop must not become an uncaught exception.
      stream.pause();
    },
    recycle() {
      // A pipe cannot be reopened; nothing to do.
    },
  };
}

export function createStdinSource(): Source {
  return createStreamSource(process.stdin, 'stdin');
}
