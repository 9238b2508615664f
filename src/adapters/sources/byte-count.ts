/** A source that counts the bytes it delivers: "bytes arrive but no frame" is the sign of a wrong line setting. */
import type { Source } from './types.js';

export interface CountingSource extends Source {
  readonly bytesReceived: number;
}

export function countBytes(source: Source): CountingSource {
  let bytes = 0;
  return {
    description: source.description,
    get bytesReceived() { return bytes; },
    start(handlers) {
      source.start({ state: handlers.state, data: (chunk) => { bytes += chunk.length; handlers.data(chunk); } });
    },
    stop: () => source.stop(),
    recycle: (reason) => source.recycle(reason),
  };
}
