/**
 * Dynamic price series from MQTT topics named in the tariffs (`import: { type: dynamic, series, mqtt, format }`).
 * A price publisher normally publishes the day-ahead prices retained, so subscribing gets the current ones at once
 * and every later message adds or corrects slots: new slots merge into the known ones by start time. A payload
 * that does not parse, or whose slots would overlap the known ones, is logged with the slot or line the parser
 * names and ignored: the series keeps its previous prices. Parsing is the cost engine's (pure); the connection is
 * here. MQTT.js is imported only when some tariff names a topic, and reconnects by itself after a broker loss
 * (subscribing again on each connect, which also brings the retained prices again). Broker credentials in the URL
 * never reach the log. With a state file (the reader's state dir), the known slots survive a restart
 * (price-state.ts): the retained message brings today's prices, the file the days before.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { meterError } from '../core/errors.js';
import { checkSlotSpacing, mergePriceSlots, parsePricePayload, type PricePayloadFormat, type PriceSlot,
  type TariffsConfig } from '../costs/index.js';
import { mqttConnectionOptions } from '../net/mqtt-connection.js';
import { MASK, redactText, redactUrl, urlSecrets } from '../redact/index.js';
import type { SinkLog } from '../sinks/types.js';
import type { PriceSeries } from './price-files.js';
import { openPriceState, type PriceSourceId } from './price-state.js';

/** MQTT.js's own reconnect period after a broker loss. */
const RECONNECT_MS = 5000;
/** A day of 15-minute slots is a few kB; far more is not a price message. */
const MAX_PAYLOAD_BYTES = 1 << 20;

export interface PriceMqtt {
  /** The slots received so far of every MQTT series (a series without any valid message yet is absent). */
  prices(): PriceSeries;
  close(): Promise<void>;
}

interface TopicEntry {
  readonly series: string;
  readonly url: string;
  /** The URL as logs show it (password and secret options masked). */
  readonly shown: string;
  readonly topic: string;
  readonly options: IClientOptions;
  readonly format: PricePayloadFormat;
  readonly unit?: string;
  readonly slotMinutes: number;
  slots?: readonly PriceSlot[];
  client?: MqttClient;
  /** The problem logged for the current outage (cleared by the next subscription). */
  problem?: string;
}

function topicOf(url: string): { parsed: URL; topic: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw meterError('BAD_CONFIG', `cannot parse the MQTT price URL ${redactUrl(url)}: expected e.g. mqtt://broker:1883/prices/nl`);
  }
  return { parsed, topic: decodeURIComponent(parsed.pathname.slice(1)) };
}

/** Series → topic of every dynamic source with `mqtt`; a series given two topics, or a topic and a file, is a BAD_CONFIG. */
function topicEntries(tariffs: TariffsConfig): TopicEntry[] {
  const bySeries = new Map<string, TopicEntry>();
  const sources = Object.entries(tariffs.plans).flatMap(([name, plan]) => [plan.import, plan.export].map((s) => [name, s] as const));
  const fileSeries = new Set(sources.flatMap(([, s]) => (s?.type === 'dynamic' && s.file !== undefined ? [s.series] : [])));
  for (const [name, source] of sources) {
    if (source?.type !== 'dynamic' || source.mqtt === undefined) continue;
    const shown = redactUrl(source.mqtt);
    const format = source.format ?? 'json';
    if (fileSeries.has(source.series)) {
      throw meterError('BAD_CONFIG', `tariffs.plans.${name}: price series "${source.series}" comes from a file and from ${shown}: give one source per series`);
    }
    const seen = bySeries.get(source.series);
    if (seen && (seen.url !== source.mqtt || seen.format !== format || seen.unit !== source.unit)) {
      throw meterError('BAD_CONFIG', `tariffs.plans.${name}: price series "${source.series}" is read from ${seen.shown} (${seen.format}) and from ` +
        `${shown} (${format}), or in two units: give one topic, format and unit per series`);
    }
    const { parsed, topic } = topicOf(source.mqtt);
    const options: IClientOptions = { ...mqttConnectionOptions(parsed, 'meterwire-prices'), reconnectPeriod: RECONNECT_MS, resubscribe: false };
    bySeries.set(source.series, { series: source.series, url: source.mqtt, shown, topic, options, format, unit: source.unit,
      slotMinutes: Math.max(seen?.slotMinutes ?? 0, source.slotMinutes) });
  }
  return [...bySeries.values()];
}

const sourceId = (e: TopicEntry): PriceSourceId => ({ source: e.shown, format: e.format, unit: e.unit, slotMinutes: e.slotMinutes });

export function createPriceMqtt(tariffs: TariffsConfig | undefined, log: SinkLog, stateFile?: string): PriceMqtt {
  const entries = tariffs ? topicEntries(tariffs) : [];
  let closed = false;
  const state = stateFile !== undefined && entries.length > 0 ? openPriceState(stateFile, log) : undefined;
  for (const e of entries) {
    const kept = state?.restore(e.series, sourceId(e));
    if (!kept) continue;
    try {
      checkSlotSpacing(kept, e.slotMinutes, `the kept slots of series "${e.series}"`);
      e.slots = kept;
    } catch (err) {
      log.error(`dashboard: ${(err as Error).message}: not used`);
    }
  }

  /** Error text from MQTT.js or the broker, with this URL's secrets masked wherever they might appear. */
  const clean = (e: TopicEntry, text: string): string => urlSecrets(e.url).reduce((t, s) => t.split(s).join(MASK), redactText(text));

  function problem(e: TopicEntry, text: string): void {
    // Once per outage: MQTT.js retries every few seconds, each retry failing the same way.
    if (closed || e.problem !== undefined) return;
    e.problem = text;
    log.error(`dashboard: price series "${e.series}": ${text}; its known prices stay, MQTT.js keeps reconnecting`);
  }

  function onMessage(e: TopicEntry, payload: Buffer, retained: boolean): void {
    const keeps = `series "${e.series}" keeps its ${e.slots?.length ?? 0} known slots`;
    // An empty retained message is how a publisher clears the topic: no new prices, nothing wrong.
    if (payload.length === 0) {
      log.info(`dashboard: price series "${e.series}": empty message on ${e.shown} (topic cleared); ${keeps}`);
      return;
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      log.error(`dashboard: price message on ${e.shown} is ${payload.length} bytes, more than ${MAX_PAYLOAD_BYTES}: ignored, ${keeps}`);
      return;
    }
    try {
      const slots = parsePricePayload(payload.toString('utf8'), { format: e.format, source: `price message on ${e.shown}`,
        timeZone: tariffs!.timeZone, currency: tariffs!.currency, unit: e.unit, slotMinutes: e.slotMinutes });
      const merged = mergePriceSlots(e.slots ?? [], slots);
      checkSlotSpacing(merged, e.slotMinutes, `price message on ${e.shown} with the known slots`);
      e.slots = merged;
      state?.save(e.series, sourceId(e), merged);
      log.info(`dashboard: price series "${e.series}": ${slots.length} slots from ${e.shown}${retained ? ' (retained)' : ''}, ${merged.length} known`);
    } catch (err) {
      log.error(`dashboard: ${clean(e, (err as Error).message)}: ignored, ${keeps}`);
    }
  }

  function connect(mqtt: typeof import('mqtt'), e: TopicEntry): void {
    const c = mqtt.connect(e.options);
    e.client = c;
    c.on('connect', () => {
      c.subscribe(e.topic, { qos: 1 }, (err, granted) => {
        if (closed) return;
        const refused = err ?? (granted ?? []).find((g) => g.qos >= 0x80);
        if (refused) return problem(e, `the broker refused the subscription to ${e.shown}`);
        e.problem = undefined;
        log.info(`dashboard: price series "${e.series}": subscribed to ${e.shown}`);
      });
    });
    c.on('message', (_topic, payload, packet) => onMessage(e, payload, packet.retain));
    c.on('error', (err) => problem(e, `broker ${e.shown}: ${clean(e, err.message)}`));
    c.on('offline', () => problem(e, `lost the broker ${e.shown}`));
  }

  const started = entries.length === 0 ? Promise.resolve() : import('mqtt').then((mqtt) => {
    if (!closed) for (const e of entries) connect(mqtt, e);
  }, (err: unknown) => {
    log.error(`dashboard: cannot load MQTT.js for the MQTT price series (${(err as Error).message}): those prices are unknown`);
  });

  return {
    prices() {
      const out: Record<string, readonly PriceSlot[]> = {};
      for (const e of entries) if (e.slots) out[e.series] = e.slots;
      return out;
    },
    async close() {
      closed = true;
      await started;
      await Promise.all(entries.map((e) => e.client?.endAsync(true).catch(() => undefined)));
    },
  };
}
