// Fake sinks and helpers for the fan-out tests: sinks that record, stall, or fail on command.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeterMessage } from '../src/core/model/message.js';
import type { Sink, SinkLog } from '../src/sinks/types.js';

export function message(seq: number): MeterMessage {
  return {
    meter: { id: 'TEST0001' },
    format: 'dsmr',
    readings: [{ obis: '1-0:1.8.0', id: 'energy_import', name: 'Active energy import (+A)', value: seq, unit: 'Wh', quality: [] }],
    issues: [],
  };
}

export const seqOf = (m: MeterMessage): number => m.readings[0].value as number;

export interface FakeSink extends Sink {
  received: number[];
  /** While true, open() and write() throw. */
  failing: boolean;
  /** When set, write() waits for this promise before it returns. */
  gate?: Promise<void>;
  writes: number;
  closed: boolean;
}

export function fakeSink(name: string, durable: boolean, onWrite?: (seqs: number[]) => void): FakeSink {
  const sink: FakeSink = {
    name,
    durable,
    received: [],
    failing: false,
    writes: 0,
    closed: false,
    async open() {
      if (sink.failing) throw new Error('connection refused');
    },
    async write(messages: readonly MeterMessage[]) {
      sink.writes++;
      if (sink.gate) await sink.gate;
      if (sink.failing) throw new Error('connection lost');
      const seqs = messages.map(seqOf);
      sink.received.push(...seqs);
      onWrite?.(seqs);
    },
    async close() {
      sink.closed = true;
    },
  };
  return sink;
}

export interface MemoryLog extends SinkLog {
  lines: string[];
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

/** Polls a condition; the timeout only keeps a broken test from hanging. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-fanout-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
