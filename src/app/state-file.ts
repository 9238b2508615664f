/** Small JSON state (last frame counter per system title) kept across restarts; written atomically, debounced. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StateFile<T> {
  load(): T | undefined;
  /** Schedules a write of `value` (at most one per `delayMs`). */
  save(value: T): void;
  /** Writes a pending value now. */
  flush(): void;
}

export function createStateFile<T>(path: string, delayMs = 5000, onError: (msg: string) => void = () => undefined): StateFile<T> {
  let pending: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    timer = undefined;
    if (pending === undefined) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(pending));
      renameSync(`${path}.tmp`, path);
    } catch (e) {
      onError(`cannot write ${path}: ${(e as Error).message}`);
    }
    pending = undefined;
  };
  return {
    load() {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as T;
      } catch {
        return undefined;
      }
    },
    save(value) {
      pending = value;
      if (!timer) { timer = setTimeout(write, delayMs); timer.unref(); }
    },
    flush() {
      if (timer) clearTimeout(timer);
      write();
    },
  };
}
