/**
 * Shared by the dashboard tests and the screenshot script: simulated meters' messages, a quiet sink context, and
 * a whole in-process reader (sim: source → reader → fan-out → web output) serving a real dashboard.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createDecoder } from '../src/index.js';
import { createSimulator, DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';
import { isErrorMessage, type MeterMessage } from '../src/core/model/message.js';
import { createSimSource } from '../src/adapters/sources/sim-source.js';
import { createReader, type Reader } from '../src/app/reader.js';
import { createFanout, type Fanout } from '../src/app/fanout.js';
import { createWebSink, type WebSink, type WebSinkOptions } from '../src/sinks/web/index.js';
import type { OutputStats, SinkContext, SinkHealth, SinkLog } from '../src/sinks/types.js';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import { formatDsmrTimestamp } from '../src/core/dsmr/timestamp.js';
import { totalsSinceEpoch } from '../src/sim/energy-curve.js';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { requireService } from './support/services.js';

export const quietLog: SinkLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Decoded messages of a simulated meter at the given times (ms). */
export function simulatedMessages(profile: string, times: readonly number[], keys = { key: DEMO_KEY, authKey: DEMO_AUTH_KEY }): MeterMessage[] {
  const sim = createSimulator({ profile, frameCounter: 100, ...keys });
  const d = createDecoder(keys);
  const out: MeterMessage[] = [];
  for (const t of times) {
    for (const m of [...d.push(sim.frame(t)), ...d.flush()]) {
      assert.ok(!isErrorMessage(m), JSON.stringify(m));
      out.push(m);
    }
  }
  return out;
}

/** The simulated household's gas meter reading (m³, 3 decimals as DSMR sends it) at `ms`. */
export function simulatedGasM3(ms: number): number {
  return Math.round((1523.412 + totalsSinceEpoch(ms).gasM3) * 1000) / 1000;
}

/** The tests' own water meter (m³, 3 decimals): 0.4 m³ per m³ of the household's gas (heating and hot water go together). */
export function simulatedWaterM3(ms: number): number {
  return Math.round((321.654 + 0.4 * totalsSinceEpoch(ms).gasM3) * 1000) / 1000;
}

/** An M-Bus device on a DSMR meter: its device type (DSMR 5.0.2 §6.12: 003 gas, 007 water) and reading at a time. */
export interface MbusDevice {
  deviceType: '003' | '007';
  equipmentId: string;
  m3(ms: number): number;
}

export const GAS_DEVICE: MbusDevice = { deviceType: '003', equipmentId: '4730303339303031373030343630383137', m3: simulatedGasM3 };
export const WATER_DEVICE: MbusDevice = { deviceType: '007', equipmentId: '5730303339303031373030343630383138', m3: simulatedWaterM3 };

/**
 * The nl-dsmr5 simulator's telegrams with M-Bus devices on channels 1, 2, … (each with its hourly-or-better
 * 0-n:24.2.1 reading and capture time), CRC recomputed, through the real decoder. The simulator itself sends
 * electricity only.
 */
export function simulatedMbusMessages(times: readonly number[], devices: readonly MbusDevice[]): MeterMessage[] {
  const sim = createSimulator({ profile: 'nl-dsmr5', frameCounter: 100 });
  const d = createDecoder({});
  const out: MeterMessage[] = [];
  for (const t of times) {
    const text = new TextDecoder().decode(sim.frame(t));
    const lines = text.slice(0, text.indexOf('!')).split('\r\n').filter((l) => l !== '');
    devices.forEach((dev, i) => {
      const value = dev.m3(t).toFixed(3).padStart(9, '0');
      lines.push(`0-${i + 1}:24.1.0(${dev.deviceType})`, `0-${i + 1}:96.1.0(${dev.equipmentId})`,
        `0-${i + 1}:24.2.1(${formatDsmrTimestamp(new Date(t).toISOString())})(${value}*m3)`);
    });
    const telegram = formatDsmrTelegram({ header: lines[0], lines: lines.slice(1) });
    for (const m of [...d.push(new TextEncoder().encode(telegram)), ...d.flush()]) {
      assert.ok(!isErrorMessage(m), JSON.stringify(m));
      out.push(m);
    }
  }
  return out;
}

/** The nl-dsmr5 simulator with a gas meter on M-Bus channel 1. */
export function simulatedGasMessages(times: readonly number[]): MeterMessage[] {
  return simulatedMbusMessages(times, [GAS_DEVICE]);
}

export const HEALTH: SinkHealth = {
  state: 'ok', framesOk: 120, messages: 118, errors: { AUTH_FAILED: 2 }, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 1,
  lastFrameAgeMs: 800,
};

export function context(outputs: OutputStats[] = [], health: () => SinkHealth = () => HEALTH): SinkContext {
  return { log: quietLog, health, outputs: () => outputs, stateDir: '.' };
}

export interface LiveReader {
  url: string;
  sink: WebSink;
  meters: string[];
  close(): Promise<void>;
}

/**
 * Simulated meters read by the real reader at `intervalMs`, delivered by the fan-out to a web output on a free
 * loopback port. One reader per profile (two profiles: two meters on one dashboard).
 */
export async function startLiveReader(profiles: readonly string[], intervalMs: number, o: { webQuery?: string; historyMs?: number } = {}): Promise<LiveReader> {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-dash-'));
  const readers: Reader[] = [];
  const health = (): SinkHealth => readers[0]?.health() ?? HEALTH;
  const sink = createWebSink(`web://127.0.0.1:0${o.webQuery ?? ''}`, { log: quietLog, health, outputs: () => fanout.stats(), stateDir: dir });
  const fanout: Fanout = createFanout([sink], { outboxPath: join(dir, 'outbox.db'), log: quietLog, backoff: { initialMs: 20, maxMs: 200 } });
  if (o.historyMs) {
    // Simulated history (one message per 5 s) up to now, so the 15-minute chart has something to show at once.
    const now = Date.now();
    const steps = Array.from({ length: Math.floor(o.historyMs / 5000) }, (_, i) => now - o.historyMs! + i * 5000);
    for (const profile of profiles) sink.dashboard.record(simulatedMessages(profile, steps), now);
  }
  for (const profile of profiles) {
    const reader = createReader({
      source: createSimSource(`sim:${profile}?interval=${intervalMs}`, { key: DEMO_KEY, authKey: DEMO_AUTH_KEY }),
      decoder: { key: DEMO_KEY, authKey: DEMO_AUTH_KEY }, watchdogMs: 60_000, log: quietLog,
      onMessage: (m) => fanout.publish(m), onError: () => undefined,
    });
    readers.push(reader);
    reader.start();
  }
  while (sink.dashboard.url() === undefined) await new Promise((r) => setTimeout(r, 10));
  const meters: string[] = [];
  while (meters.length < profiles.length) {
    await new Promise((r) => setTimeout(r, 20));
    meters.splice(0, meters.length, ...sink.dashboard.meters().map((m) => m.meter));
  }
  return {
    url: sink.dashboard.url() as string,
    sink,
    meters,
    async close() {
      await Promise.all(readers.map((r) => r.stop()));
      await fanout.close(1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `?key=value` appended to a store URL that may already have a query. */
export function withParam(url: string, param: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${param}`;
}

/**
 * Simulated messages written through the real SQL output (rollups included) in large batches, with the meter's
 * own times: a week of history takes seconds. `?retention=forever` so old simulated times are not pruned.
 */
export async function writeSqlHistory(storeUrl: string, messages: readonly MeterMessage[], batch = 250): Promise<void> {
  const { createSqlSink } = await import('../src/sinks/sql/sql-sink.js');
  const sink = createSqlSink(withParam(storeUrl, 'retention=forever'), { log: quietLog, health: () => HEALTH, outputs: () => [], stateDir: tmpdir() });
  await sink.open();
  try {
    for (let i = 0; i < messages.length; i += batch) await sink.write(messages.slice(i, i + batch));
  } finally {
    await sink.close();
  }
}

/** A base-unit reading (Wh, W, m3) of a message, or undefined. */
export function baseReading(m: MeterMessage, id: string): number | undefined {
  const r = m.readings.find((x) => x.id === id);
  if (!r || typeof r.value !== 'number') return undefined;
  const factor = r.unit === 'kWh' || r.unit === 'kW' ? 1000 : 1;
  return Math.round(r.value * factor * 1e6) / 1e6;
}

/**
 * The energy of [start, end) as the counters show it, computed from the messages alone: the register's last value
 * before `end` minus its last value before `start` (or its first value when there is none). A DSMR meter without
 * a total register: the sum of its two tariff registers.
 */
export function energyFromMessages(messages: readonly MeterMessage[], meter: string, direction: 'import' | 'export', start: number, end: number): number {
  const mine = messages.filter((m) => m.meter.id === meter).sort((a, b) => Date.parse(a.timestamp!) - Date.parse(b.timestamp!));
  const register = (m: MeterMessage): number | undefined => {
    const total = baseReading(m, `energy_${direction}`);
    if (total !== undefined) return total;
    const t1 = baseReading(m, `energy_${direction}_t1`);
    const t2 = baseReading(m, `energy_${direction}_t2`);
    return t1 !== undefined && t2 !== undefined ? t1 + t2 : undefined;
  };
  let before: number | undefined;
  let first: number | undefined;
  let last: number | undefined;
  for (const m of mine) {
    const t = Date.parse(m.timestamp!);
    const v = register(m);
    if (v === undefined) continue;
    if (t < start) before = v;
    else if (t < end) { first ??= v; last = v; }
  }
  if (last === undefined) return 0;
  return Math.round((last - (before ?? first!)) * 1e6) / 1e6;
}

/** Local midnights in Europe/Vienna around the 2026 changes, written out (not computed by the code under test). */
export const VIENNA = {
  zone: 'Europe/Vienna',
  /** 27 March 24 h, 28 March 24 h, 29 March 23 h (02:00 CET → 03:00 CEST), 30 March 24 h. */
  mar: [Date.UTC(2026, 2, 26, 23), Date.UTC(2026, 2, 27, 23), Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 22), Date.UTC(2026, 2, 30, 22)],
  /** 24 October 24 h, 25 October 25 h (03:00 CEST → 02:00 CET), 26 October 24 h. */
  oct: [Date.UTC(2026, 9, 23, 22), Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 23), Date.UTC(2026, 9, 26, 23)],
  marchStart: Date.UTC(2026, 1, 28, 23),
  aprilStart: Date.UTC(2026, 2, 31, 22),
};

export interface HistoryFixture {
  url: string;
  messages: MeterMessage[];
  /** The DSMR meter (tariff registers only, kWh) and the DLMS meter (total registers, Wh). */
  dsmr: string;
  dlms: string;
  stepMs: number;
  drop(): void;
}

/**
 * A SQLite store with two simulated meters every `stepMs` over 27–30 March and 23–26 October 2026 (Vienna),
 * written through the SQL output with `?tz=Europe/Vienna`.
 */
export async function viennaHistory(stepMs = 10 * 60_000): Promise<HistoryFixture> {
  const span = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / stepMs) }, (_, i) => from + i * stepMs);
  const times = [...span(VIENNA.mar[0], VIENNA.mar[4]), ...span(VIENNA.oct[0], VIENNA.oct[3])];
  const messages = [...simulatedMessages('nl-dsmr5', times), ...simulatedMessages('at-wienernetze-siemens', times)];
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-hist-'));
  const url = `sqlite:${join(dir, 'meterwire.db')}`;
  await writeSqlHistory(withParam(url, `tz=${VIENNA.zone}`), messages);
  const dsmr = messages[0].meter.id!;
  const dlms = messages.find((m) => m.meter.id !== dsmr)!.meter.id!;
  return { url, messages, dsmr, dlms, stepMs, drop: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A live stream read over a real loopback socket: its events as they come, `onEvent` woken at each. */
export interface SseClient { events: Array<{ event: string; data: string }>; close(): void; closed: Promise<void> }

export function sse(url: string, onEvent: () => void): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const events: SseClient['events'] = [];
    const req = request(url, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) { events.push({ event, data }); onEvent(); }
        }
      });
      resolve({ events, close: () => req.destroy(), closed: new Promise((r) => res.on('close', () => r())) });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Times every `stepMs` over the `spanMs` that ends at `endMs` (the last one is `endMs`). */
export function timesUntil(endMs: number, spanMs: number, stepMs: number): number[] {
  return Array.from({ length: Math.floor(spanMs / stepMs) }, (_, i) => endMs - spanMs + (i + 1) * stepMs);
}

export interface StoreDashboard {
  sink: WebSink;
  /** The store's URL (sqlite:…). */
  store: string;
  close(): Promise<void>;
}

/**
 * Messages written through the real SQL output into a new SQLite store (`?tz=zone`), and a web output serving
 * it (`?store=`, no reader), open on a free loopback port; close() stops it and deletes the store.
 */
export async function storeDashboard(messages: readonly MeterMessage[], zone: string, options: WebSinkOptions = {}): Promise<StoreDashboard> {
  const dir = mkdtempSync(join(tmpdir(), 'meterwire-store-dash-'));
  const store = `sqlite:${join(dir, 'meterwire.db')}`;
  try {
    await writeSqlHistory(`${store}?tz=${zone}`, messages);
    const sink = createWebSink(`web://127.0.0.1:0?store=${encodeURIComponent(store)}`, context(), options);
    await sink.open();
    return { sink, store, async close() { await sink.close(); rmSync(dir, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export const CHROMIUM = '/usr/bin/chromium';

/** The skip reason of a browser test when Debian's Chromium is absent (under CI=true: a failure). */
export function chromiumSkip(): Promise<string | undefined> {
  return requireService('chromium', () => existsSync(CHROMIUM), `install Debian's chromium (${CHROMIUM}); playwright never downloads one here`);
}

/** Debian's Chromium through playwright-core (loaded here, not by the tests that need no browser). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** Records a page's console errors and uncaught exceptions (a CSP violation is a console error) into `errors`. */
export function watchErrors(page: Page, errors: string[], label = ''): Page {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${label}${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${label}${e.message}`));
  return page;
}

export interface WatchedPage {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** A page in a new browser context (en-GB unless the options say otherwise) whose errors are recorded. */
export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const ctx = await browser.newContext({ locale: 'en-GB', ...options });
  const errors: string[] = [];
  const page = watchErrors(await ctx.newPage(), errors);
  return { page, errors, close: () => ctx.close() };
}

/** A pattern that matches exactly this text (for locators' hasText / hasNotText). */
export function exactly(text: string | null): RegExp {
  return new RegExp(`^${(text ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
