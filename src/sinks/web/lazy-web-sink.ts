/**
 * The web output as the reader opens it: the URL is checked at start (a BAD_URL before anything runs), and the
 * dashboard's server — the web framework, ~30 MB and ~150 ms — is loaded only when the output opens, so a reader
 * without a dashboard never pays for it.
 */
import type { Sink, SinkContext } from '../types.js';
import { lazySink } from '../lazy-sink.js';
import { readTlsFiles } from '../../dashboard/dashboard-options.js';
import { parseWebUrl, redactWebUrl } from './web-url.js';

export function createLazyWebSink(url: string, ctx: SinkContext): Sink {
  const { tls } = parseWebUrl(url);
  if (tls) readTlsFiles(tls); // an unreadable certificate stops the start, as the URL's other mistakes do
  return lazySink(redactWebUrl(url), false, async () => (await import('./web-sink.js')).createWebSink(url, ctx));
}
