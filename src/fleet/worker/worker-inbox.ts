/**
 * The worker's queue of received, not yet decoded messages: an array read from `head` and compacted now and then
 * (shift() on a long array is O(n)). A consumer that can pause is paused while `maxQueued` messages wait and
 * resumed at half of that, so memory stays bounded by the queue and the consumer's in-flight window.
 */
import type { ConsumedMessage } from '../contracts.js';

export interface PausableConsumerSide {
  pause?(): void;
  resume?(): void;
}

export interface WorkerInbox {
  push(message: ConsumedMessage): void;
  /** Takes the next `n` queued messages (fewer when fewer wait). */
  take(n: number): ConsumedMessage[];
  readonly queued: number;
}

export function createWorkerInbox(consumer: PausableConsumerSide, maxQueued: number): WorkerInbox {
  let items: ConsumedMessage[] = [];
  let head = 0;
  let paused = false;
  return {
    get queued() { return items.length - head; },
    push(message) {
      items.push(message);
      if (!paused && items.length - head >= maxQueued && consumer.pause) {
        paused = true;
        consumer.pause();
      }
    },
    take(n) {
      const taken = items.slice(head, head + n);
      head += taken.length;
      if (head >= 1024 && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
      if (paused && items.length - head <= maxQueued >> 1) {
        paused = false;
        consumer.resume?.();
      }
      return taken;
    },
  };
}
