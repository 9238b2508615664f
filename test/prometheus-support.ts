/**
 * Shared by the Prometheus tests: messages from simulated meters, constructed messages of the real shape, a sink
 * context, an exposition parser, and `promtool check metrics` run on a page.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage, type QualityFlag, type Reading } from '../src/core/model/message.js';
import type { OutputStats, SinkContext, SinkHealth } from '../src/sinks/types.js';
import { hasCommand, requireService } from './support/services.js';

export const NOW = Date.UTC(2026, 1, 10, 8, 0, 0);

/** The next message of a simulated meter (decoded from the frame the simulator encodes). */
export function simulated(profile: string, at = NOW): MeterMessage {
  const d = createDecoder({ key: DEMO_KEY, authKey: DEMO_AUTH_KEY });
  const [msg] = [...d.push(createSimulator({ profile, frameCounter: 9 }).frame(at)), ...d.flush()];
  assert.ok(msg && !isErrorMessage(msg), JSON.stringify(msg));
  return msg;
}

/** A message of the decoder's shape with the readings given as [obis, id, value, unit, quality?]. */
export function constructed(meter: string,
  readings: readonly [string, string, number | string, string | undefined, QualityFlag[]?][]): MeterMessage {
  return {
    meter: { id: meter }, timestamp: new Date(NOW).toISOString(), format: 'apdu',
    readings: readings.map(([obis, id, value, unit, quality]): Reading =>
      (unit === undefined ? { obis, id, name: id, value, quality: quality ?? [] } : { obis, id, name: id, value, unit, quality: quality ?? [] })),
    issues: [],
  };
}

export interface Sample { name: string; labels: Record<string, string>; value: number }

/** Parses the text exposition format (enough of it: names, label sets with escapes, values, HELP and TYPE). */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string>; helps: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) helps.set(help[1], help[2]);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types, helps };
}

export function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

export const HEALTH: SinkHealth = {
  state: 'ok', framesOk: 120, messages: 118, errors: { AUTH_FAILED: 2, BAD_CHECKSUM: 5 }, discardedBytes: 345,
  resyncs: 3, unverified: 7, replays: 1, lastFrameAgeMs: 2500,
};

export const OUTPUTS: OutputStats[] = [
  { name: 'prometheus://127.0.0.1:0/', state: 'up', queued: 0, spooled: 0, delivered: 118, dropped: 0, failures: 0 },
  { name: 'mqtt://broker:1883/', state: 'down', queued: 4, spooled: 40, delivered: 70, dropped: 2, failures: 9 },
];

export function context(health: () => SinkHealth = () => HEALTH, outputs: () => OutputStats[] = () => OUTPUTS,
  warnings: string[] = []): SinkContext {
  const quiet = (): void => {};
  return { log: { info: quiet, warn: (m) => warnings.push(m), error: quiet }, health, outputs, stateDir: '.' };
}

/** Skip reason when promtool is absent (a failure under CI=true). */
export function promtoolSkip(): Promise<string | undefined> {
  return requireService('promtool', () => hasCommand('promtool'),
    "install Debian's prometheus package (apt-get install prometheus), which has /usr/bin/promtool");
}

/** `promtool check metrics` on the page: its exit code and everything it printed. */
export function promtoolCheckMetrics(page: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { output += b.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(page);
  });
}
