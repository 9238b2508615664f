/**
 * The web output as the reader opens it: the URL is checked at start (a BAD_URL before anything runs), and the
 * dashboard's server — the web framework, ~30 MB and ~150 ms — is loaded only when the output opens, so a reader
 * without a dashboard never pays for it.
 */
import type { Sink, SinkContext } from '../types.js';
import { readTlsFiles } from '../../dashboard/dashboard-options.js';
import { parseWebUrl, redactWebUrl } from './web-url.js';

export function createLazyWebSink(url: string, ctx: SinkContext): Sink {
  const { tls } = parseWebUrl(url);
  if (tls) readTlsFiles(tls); // an unreadable certificate stops the start, as the URL's other mistakes do
  let inner: Sink | undefined;
  return {
    name: redactWebUrl(url),
    durable: false,
    async open() {
      inner ??= (await import('./web-sink.js')).createWebSink(url, ctx);
      await inner.open();
    },
    async write(messages) {
      await inner?.write(messages);
    },
    async close() {
      await inner?.close();
    },
  };
}
