/**
 * The reader's outputs: stdout (JSON lines or a table) and the sinks behind the fan-out, each with its own queue
 * and, for durable ones, a disk outbox (state dir). Stdout is written directly: it is the terminal or a pipe.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createFanout, type Fanout } from './fanout.js';
import { openSink } from '../sinks/open-sink.js';
import type { Sink, SinkHealth, SinkLog, OutputStats } from '../sinks/types.js';
import type { MeterMessage } from '../core/model/message.js';
import type { TariffsConfig } from '../costs/index.js';

export const STDOUT_OUTPUT = '-';

export interface Outputs {
  readonly toStdout: boolean;
  /** stdout's reader went away (EPIPE): stop printing, keep the other outputs. */
  stopStdout(): void;
  publish(msg: MeterMessage): void;
  stats(): OutputStats[];
  close(timeoutMs?: number): Promise<void>;
}

export function startOutputs(urls: readonly string[], o: { log: SinkLog; stateDir: string; health: () => SinkHealth; tariffs?: TariffsConfig }): Outputs {
  let toStdout = urls.includes(STDOUT_OUTPUT) || urls.includes('stdout:');
  const sinkUrls = urls.filter((u) => u !== STDOUT_OUTPUT && u !== 'stdout:');
  let fanout: Fanout | undefined;
  if (sinkUrls.length) {
    mkdirSync(o.stateDir, { recursive: true });
    const ctx = { log: o.log, health: o.health, outputs: () => fanout?.stats() ?? [], stateDir: o.stateDir, tariffs: o.tariffs };
    const sinks: Sink[] = sinkUrls.map((u) => openSink(u, ctx));
    fanout = createFanout(sinks, { outboxPath: join(o.stateDir, 'outbox.db'), log: o.log });
    for (const s of sinks) o.log.info(`output ${s.name}${s.durable ? ' (spooled to disk while down)' : ''}`);
  }
  return {
    get toStdout() { return toStdout; },
    stopStdout: () => { toStdout = false; },
    publish: (msg) => fanout?.publish(msg),
    stats: () => fanout?.stats() ?? [],
    close: async (timeoutMs = 5000) => { await fanout?.close(timeoutMs); },
  };
}
