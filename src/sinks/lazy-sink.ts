/**
 * An output whose implementation (and its library: MQTT.js, prom-client, the web framework — 10 to 30 MB each)
 * is loaded only when the output opens, so a reader pays in memory and start-up time only for the outputs it
 * has. The URL is checked by the caller before this is built, so its mistakes still stop the start.
 */
import type { Sink } from './types.js';

export function lazySink(name: string, durable: boolean, load: () => Promise<Sink>): Sink {
  let inner: Sink | undefined;
  return {
    name,
    durable,
    async open() {
      inner ??= await load();
      await inner.open();
    },
    async write(messages) {
      if (!inner) throw new Error(`${name} is not open`);
      await inner.write(messages);
    },
    async close() {
      await inner?.close();
    },
  };
}
