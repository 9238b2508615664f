/**
 * The metrics the Prometheus sink exposes, on a Registry of its own (not prom-client's global one, so that two
 * sinks, tests, or an application embedding meterwire never see each other's series).
 *
 * - Readings: the latest value of every numeric reading, one unit per metric name (reading-families.ts), energy
 *   registers as counters (reading-metrics.ts), e.g. `meterwire_power_import_watts{meter}`,
 *   `meterwire_energy_import_tariff_joules_total{meter,tariff}`, `meterwire_voltage_phase_volts{meter,phase}`.
 * - Reader health (pulled from ctx.health() at scrape time): frames, errors by code, discarded bytes, resyncs,
 *   unverified frames, replays, last-frame age, state.
 * - Delivery per output (pulled from ctx.outputs()): queued and spooled now, delivered/dropped/failed in total.
 *   The `output` label is a short name, never a URL (the page has no authentication): the output's `?name=`
 *   when given, else its scheme and its position among the outputs of that scheme (`mqtt-1`, `postgres-2`).
 *
 * Cumulative values are counters (`_total`) so that rate() works; values that go up and down are gauges.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { MeterMessage } from '../../core/model/message.js';
import type { OutputStats, SinkContext, SinkHealth } from '../types.js';
import { createReadingMetrics } from './reading-metrics.js';

const READER_STATES: readonly SinkHealth['state'][] = ['starting', 'ok', 'stale', 'disconnected', 'ended'];
const OUTPUT_STATES: readonly OutputStats['state'][] = ['connecting', 'up', 'down', 'closed'];

export interface MeterMetrics {
  readonly registry: Registry;
  /** Records the readings of delivered messages. */
  record(messages: readonly MeterMessage[]): void;
}

/** The label a meter's series carry: its id, else its system title. */
export function meterLabel(msg: MeterMessage): string {
  return msg.meter.id ?? msg.meter.systemTitle ?? 'unknown';
}

/** A counter whose value the reader keeps: set from `read()` at every scrape. */
function pulledCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name, help, registers: [registry],
    collect() { this.reset(); this.inc(Math.max(0, read())); },
  });
}

function healthMetrics(registry: Registry, ctx: SinkContext): void {
  const h = (): SinkHealth => ctx.health();
  pulledCounter(registry, 'meterwire_frames_ok_total', 'Frames framed and decoded without error.', () => h().framesOk);
  pulledCounter(registry, 'meterwire_messages_total', 'Messages the reader produced.', () => h().messages);
  pulledCounter(registry, 'meterwire_discarded_bytes_total', 'Bytes discarded while hunting for frames.', () => h().discardedBytes);
  pulledCounter(registry, 'meterwire_resyncs_total', 'Times the framer lost and regained frame sync.', () => h().resyncs);
  pulledCounter(registry, 'meterwire_unverified_total', 'Frames decrypted without verifying the authentication tag (no GAK).', () => h().unverified);
  pulledCounter(registry, 'meterwire_replays_total', 'Frames rejected for a frame counter that did not increase.', () => h().replays);
  new Counter({
    name: 'meterwire_errors_total', help: 'Frames that failed, by error code (e.g. AUTH_FAILED, BAD_CHECKSUM).',
    labelNames: ['code'], registers: [registry],
    collect() { this.reset(); for (const [code, n] of Object.entries(h().errors)) this.inc({ code }, Math.max(0, n)); },
  });
  new Gauge({
    name: 'meterwire_last_frame_age_seconds', help: 'Seconds since the last good frame (NaN before the first).',
    registers: [registry],
    // NaN, not 0: an unlabelled series cannot be absent in prom-client, and 0 would read as "a frame just came".
    collect() { const age = h().lastFrameAgeMs; this.set(age === undefined ? NaN : age / 1000); },
  });
  new Gauge({
    name: 'meterwire_reader_state', help: 'Reader state: 1 for the current state, 0 for the others.',
    labelNames: ['state'], registers: [registry],
    collect() { const now = h().state; for (const state of READER_STATES) this.set({ state }, state === now ? 1 : 0); },
  });
}

const LABEL = /^[A-Za-z0-9_.:-]{1,64}$/;

/** `?name=` of an output URL (meterwire's own option, ignored by the drivers), if it is a usable label. */
function givenName(url: string): string | undefined {
  const m = /[?&]name=([^&#]*)/.exec(url);
  if (!m) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(m[1].replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  return LABEL.test(name) && !name.includes('://') ? name : undefined;
}

/** The `output` label of each output, in order: unique, short, and without any part of its URL but the scheme. */
export function outputLabels(names: readonly string[]): string[] {
  const perScheme = new Map<string, number>();
  const used = new Set<string>();
  return names.map((url) => {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase().replace(/[^a-z0-9-]/g, '-') ?? 'output';
    const n = (perScheme.get(scheme) ?? 0) + 1;
    perScheme.set(scheme, n);
    const base = givenName(url) ?? `${scheme}-${n}`;
    let label = base;
    for (let i = 2; used.has(label); i++) label = `${base}-${i}`;
    used.add(label);
    return label;
  });
}

function labelled(ctx: SinkContext): Array<[string, OutputStats]> {
  const outputs = ctx.outputs();
  const labels = outputLabels(outputs.map((o) => o.name));
  return outputs.map((o, i) => [labels[i], o]);
}

function outputMetrics(registry: Registry, ctx: SinkContext): void {
  const gauge = (name: string, help: string, read: (o: OutputStats) => number): void => {
    new Gauge({ name, help, labelNames: ['output'], registers: [registry],
      collect() { this.reset(); for (const [output, o] of labelled(ctx)) this.set({ output }, read(o)); } });
  };
  const counter = (name: string, help: string, read: (o: OutputStats) => number): void => {
    new Counter({ name, help, labelNames: ['output'], registers: [registry],
      collect() { this.reset(); for (const [output, o] of labelled(ctx)) this.inc({ output }, Math.max(0, read(o))); } });
  };
  gauge('meterwire_output_queued', 'Messages waiting in memory for the output.', (o) => o.queued);
  gauge('meterwire_output_spooled', 'Messages spooled to disk for the output while it is down.', (o) => o.spooled);
  counter('meterwire_output_delivered_total', 'Messages the output accepted.', (o) => o.delivered);
  counter('meterwire_output_dropped_total', 'Messages dropped for the output (queue or spool full).', (o) => o.dropped);
  counter('meterwire_output_failures_total', 'Failed delivery attempts (retried).', (o) => o.failures);
  new Gauge({
    name: 'meterwire_output_state', help: 'Output state: 1 for the current state, 0 for the others.',
    labelNames: ['output', 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const [output, o] of labelled(ctx)) for (const state of OUTPUT_STATES) this.set({ output, state }, o.state === state ? 1 : 0);
    },
  });
}

export function createMeterMetrics(ctx: SinkContext): MeterMetrics {
  const registry = new Registry();
  const readings = createReadingMetrics(registry, ctx.log);
  const messageTime = new Gauge({
    name: 'meterwire_message_timestamp_seconds', help: "The meter's time stamp of its latest message (Unix seconds).",
    labelNames: ['meter'], registers: [registry],
  });
  const received = new Counter({
    name: 'meterwire_meter_messages_total', help: 'Messages delivered to this output, per meter.',
    labelNames: ['meter'], registers: [registry],
  });
  healthMetrics(registry, ctx);
  outputMetrics(registry, ctx);
  return {
    registry,
    record(messages) {
      for (const msg of messages) {
        const meter = meterLabel(msg);
        received.inc({ meter });
        const ts = msg.timestamp === undefined ? NaN : Date.parse(msg.timestamp);
        if (Number.isFinite(ts)) messageTime.set({ meter }, ts / 1000);
        readings.record(meter, msg.readings);
      }
    },
  };
}
