/**
 * "-" or "stdin:": bytes piped in (e.g. `socat /dev/ttyUSB0,raw - | meterwire read -`), 'ended' at EOF.
 * Built on any readable stream, so tests can feed it without a child process.
 */
import type { Readable } from 'node:stream';
import { errorText } from './reconnecting-source.js';
import { createStateReporter, type StateReporter } from './state-reporter.js';
import type { Source, SourceHandlers } from './types.js';

export function createStreamSource(stream: Readable, description: string): Source {
  let reporter: StateReporter | undefined;
  const onData = (chunk: Buffer | string): void => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    reporter?.data(new Uint8Array(b.buffer, b.byteOffset, b.length));
  };
  const onEnd = (): void => void reporter?.set('ended', `end of ${description}`);
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
