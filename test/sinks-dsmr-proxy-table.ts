/**
 * What DSMR tools require of a telegram, written down from their documentation and source (facts, not their
 * code), and a checker that holds a synthesized telegram against it and against the message it came from.
 *
 * - DSMR 5.0.2 P1 companion standard §6.12: the object set and each value's format (F9(3) = 9 digits, 3 decimals).
 * - dsmr_parser (ndokter/dsmr_parser, telegram_specifications.py): the lines each specification parses; a line
 *   of another code is skipped without a word, so a value written under a code the spec lacks is lost.
 * - Home Assistant DSMR integration (homeassistant/components/dsmr sensor.py, config_flow.py): setup waits for a
 *   telegram with the version's equipment identifier; a sensor exists when its object is in the first telegram
 *   and the chosen version is in the sensor's version list.
 * - dsmr-reader (dsmr_datalogger/services/datalogger.py, models/reading.py): in "DSMR 4/5" mode a reading is
 *   stored only with 1.8.1 and 2.8.1 (electricity_delivered_1/returned_1) and 1.7.0 and 2.7.0 (currently
 *   delivered/returned), all NOT NULL without default; 1.8.2/2.8.2 default to 0; currents go to integer columns.
 */
import assert from 'node:assert/strict';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import type { MeterMessage } from '../src/core/model/message.js';
import type { DsmrSpec } from '../src/sinks/dsmr-proxy/dsmr-spec.js';

const TST = '\\d{12}[WS]';
const hex = (max: number): string => `(?:[0-9A-F]{2}){0,${max}}`;
/** Value part of each object as DSMR 5.0.2 §6.12 gives it (M-Bus channel objects under `0-n`). */
export const DSMR5_FORMAT: Readonly<Record<string, RegExp>> = {
  '1-3:0.2.8': /^\(50\)$/,
  '0-0:96.1.4': /^\(\d{5}\)$/, // Belgian e-MUCS version line instead of 1-3:0.2.8
  '0-0:1.0.0': new RegExp(`^\\(${TST}\\)$`),
  '0-0:96.1.1': new RegExp(`^\\(${hex(48)}\\)$`), // Sn (n = 0..96), hex-coded
  '0-0:42.0.0': new RegExp(`^\\(${hex(48)}\\)$`), // Luxembourg: logical device name, hex-coded as the Smarty sends it
  '1-0:1.8.0': /^\(\d{6}\.\d{3}\*kWh\)$/, '1-0:2.8.0': /^\(\d{6}\.\d{3}\*kWh\)$/,
  '1-0:1.8.1': /^\(\d{6}\.\d{3}\*kWh\)$/, '1-0:1.8.2': /^\(\d{6}\.\d{3}\*kWh\)$/, // F9(3) kWh
  '1-0:2.8.1': /^\(\d{6}\.\d{3}\*kWh\)$/, '1-0:2.8.2': /^\(\d{6}\.\d{3}\*kWh\)$/,
  '0-0:96.14.0': /^\(\d{4}\)$/, // S4
  '1-0:1.7.0': /^\(\d{2}\.\d{3}\*kW\)$/, '1-0:2.7.0': /^\(\d{2}\.\d{3}\*kW\)$/, // F5(3) kW
  '0-0:96.7.21': /^\(\d{5}\)$/, '0-0:96.7.9': /^\(\d{5}\)$/, // F5(0)
  '1-0:32.32.0': /^\(\d{5}\)$/, '1-0:52.32.0': /^\(\d{5}\)$/, '1-0:72.32.0': /^\(\d{5}\)$/,
  '1-0:32.36.0': /^\(\d{5}\)$/, '1-0:52.36.0': /^\(\d{5}\)$/, '1-0:72.36.0': /^\(\d{5}\)$/,
  '1-0:32.7.0': /^\(\d{3}\.\d\*V\)$/, '1-0:52.7.0': /^\(\d{3}\.\d\*V\)$/, '1-0:72.7.0': /^\(\d{3}\.\d\*V\)$/, // F4(1) V
  '1-0:31.7.0': /^\(\d{3}\*A\)$/, '1-0:51.7.0': /^\(\d{3}\*A\)$/, '1-0:71.7.0': /^\(\d{3}\*A\)$/, // F3(0) A
  '1-0:21.7.0': /^\(\d{2}\.\d{3}\*kW\)$/, '1-0:41.7.0': /^\(\d{2}\.\d{3}\*kW\)$/, '1-0:61.7.0': /^\(\d{2}\.\d{3}\*kW\)$/,
  '1-0:22.7.0': /^\(\d{2}\.\d{3}\*kW\)$/, '1-0:42.7.0': /^\(\d{2}\.\d{3}\*kW\)$/, '1-0:62.7.0': /^\(\d{2}\.\d{3}\*kW\)$/,
  '0-n:24.1.0': /^\(\d{3}\)$/, // F3(0)
  '0-n:96.1.0': new RegExp(`^\\(${hex(48)}\\)$`),
  '0-n:24.2.1': new RegExp(`^\\(${TST}\\)\\(\\d{5}\\.\\d{3}\\*m3\\)$`), // TST + F8(3) m3
  '0-n:24.2.3': new RegExp(`^\\(${TST}\\)\\(\\d{5}\\.\\d{3}\\*m3\\)$`), // Belgium: not temperature-corrected
};

const V5_CODES = ['0.2.8', '1.0.0', '96.1.1', '1.8.0', '1.8.1', '1.8.2', '2.8.1', '2.8.2', '96.14.0', '1.7.0', '2.7.0',
  '96.7.9', '96.7.21', '99.97.0', '32.32.0', '52.32.0', '72.32.0', '32.36.0', '52.36.0', '72.36.0', '32.7.0', '52.7.0',
  '72.7.0', '31.7.0', '51.7.0', '71.7.0', '96.13.0', '21.7.0', '41.7.0', '61.7.0', '22.7.0', '42.7.0', '62.7.0'];
const MBUS_CODES = ['24.1.0', '96.1.0', '96.1.1', '24.4.0', '24.2.1', '24.2.3'];
/** C.D.E of the objects each dsmr_parser specification parses (M-Bus channel objects apart). */
export const DSMR_PARSER_SPECS: Readonly<Record<string, readonly string[]>> = {
  V5: V5_CODES,
  LUXEMBOURG_SMARTY: [...V5_CODES, '42.0.0', '2.8.0'],
  BELGIUM_FLUVIUS: ['96.1.4', '96.1.1', '1.0.0', '1.8.1', '1.8.2', '2.8.1', '2.8.2', '96.14.0', '1.4.0', '1.6.0', '98.1.0',
    '1.7.0', '2.7.0', '21.7.0', '41.7.0', '61.7.0', '22.7.0', '42.7.0', '62.7.0', '32.7.0', '52.7.0', '72.7.0', '31.7.0',
    '51.7.0', '71.7.0', '96.3.10', '17.0.0', '31.4.0', '96.13.0'],
};

export interface HaVersion {
  /** The object whose presence completes Home Assistant's setup (config flow), else "cannot_communicate". */
  setup: string;
  /** Objects that become energy sensors (state class total_increasing) for this version. */
  energy: readonly string[];
  /** The dsmr_parser specification Home Assistant reads this version with. */
  parser: keyof typeof DSMR_PARSER_SPECS;
}
const TARIFFS = ['1-0:1.8.1', '1-0:1.8.2', '1-0:2.8.1', '1-0:2.8.2'];
export const HOME_ASSISTANT: Readonly<Record<string, HaVersion>> = {
  5: { setup: '0-0:96.1.1', energy: TARIFFS, parser: 'V5' },
  '5L': { setup: '0-0:42.0.0', energy: [...TARIFFS, '1-0:1.8.0', '1-0:2.8.0'], parser: 'LUXEMBOURG_SMARTY' },
  '5B': { setup: '0-0:96.1.1', energy: TARIFFS, parser: 'BELGIUM_FLUVIUS' },
};
/** The Home Assistant version (README) and dsmr_parser specification each proxy variant is for. */
export const VARIANT_TARGET: Readonly<Record<DsmrSpec, string>> = { 5: '5', '5L': '5L', '5B': '5B' };

/** dsmr-reader "DSMR 4/5": what a reading needs to be stored. */
export const DSMR_READER_REQUIRED = ['1-0:1.8.1', '1-0:2.8.1', '1-0:1.7.0', '1-0:2.7.0'];

/** The value lines of a telegram: code → value part (`(…)(…)`), in order. */
export function telegramLines(text: string): Array<[string, string]> {
  const body = text.slice(text.indexOf('\r\n\r\n') + 4, text.lastIndexOf('!'));
  return body.split('\r\n').filter((l) => l !== '').map((l) => {
    const open = l.indexOf('(');
    return [l.slice(0, open), l.slice(open)];
  });
}

function formatOf(code: string): RegExp | undefined {
  return DSMR5_FORMAT[code] ?? DSMR5_FORMAT[code.replace(/^0-[1-9]:/, '0-n:')];
}

/** Every line has a DSMR 5 code of the variant's parser and its exact format. */
export function assertDsmr5Lines(label: string, text: string, spec: DsmrSpec): void {
  const parser = DSMR_PARSER_SPECS[HOME_ASSISTANT[VARIANT_TARGET[spec]].parser];
  for (const [code, value] of telegramLines(text)) {
    const format = formatOf(code);
    assert.ok(format, `${label}: ${code} is no DSMR 5 object`);
    assert.match(value, format, `${label}: ${code}${value} is not in its DSMR 5 format`);
    const cde = code.slice(code.indexOf(':') + 1);
    const mbus = /^0-[1-9]:/.test(code);
    assert.ok(mbus ? MBUS_CODES.includes(cde) : parser.includes(cde), `${label}: ${code} is not read by dsmr_parser's spec for ${spec}`);
  }
}

/** Meter unit → factor to the DSMR unit (kWh, kW, V, A), for the message side of the comparison. */
const TO_DSMR: Readonly<Record<string, number>> = { Wh: 1e-3, kWh: 1, W: 1e-3, kW: 1, V: 1, A: 1 };
/** The LG E450 list and some Kamstrup values come without units: those are in the DLMS base units. */
const baseUnit = (obis: string): string | undefined =>
  (/^1-\d+:[12]\.8\./.test(obis) ? 'Wh' : /^1-\d+:(1|2|21|41|61|22|42|62)\.7\.0$/.test(obis) ? 'W' : undefined);

/** The message's value of an electricity code (any B) in DSMR units. */
export function messageValue(msg: MeterMessage, code: string): number | undefined {
  const cde = code.slice(code.indexOf(':') + 1);
  const r = msg.readings.find((x) => x.obis.startsWith('1-') && x.obis.endsWith(`:${cde}`) && typeof x.value === 'number');
  const factor = r ? TO_DSMR[r.unit ?? baseUnit(r.obis) ?? ''] : undefined;
  return r && factor !== undefined ? (r.value as number) * factor : undefined;
}

/** Resolution of each numeric code's format, and whether it is a counter (written floored). */
function resolutionOf(code: string): { step: number; counter: boolean } | undefined {
  if (/^1-0:[12]\.8\.\d$/.test(code)) return { step: 0.001, counter: true };
  if (/^1-0:(1|2|21|41|61|22|42|62)\.7\.0$/.test(code)) return { step: 0.001, counter: false };
  if (/^1-0:(32|52|72)\.7\.0$/.test(code)) return { step: 0.1, counter: false };
  if (/^1-0:(31|51|71)\.7\.0$/.test(code)) return { step: 1, counter: false };
  return undefined;
}

/** What 1.8.1/1.8.2 (c = 1) or 2.8.1/2.8.2 (c = 2) must hold: the meter's pair, else total and 0. */
function expectedTariffs(msg: MeterMessage, c: number): [number, number] | undefined {
  const t = (n: number): number | undefined => messageValue(msg, `1-0:${c}.8.${n}`);
  if (t(1) !== undefined && t(2) !== undefined && t(3) === undefined && t(4) === undefined) return [t(1)!, t(2)!];
  const total = t(0);
  return total === undefined ? undefined : [total, 0];
}

/**
 * CRC valid, time stamp and id as in the message, every number equal to the message's within its format's
 * resolution (counters never above it), and every measured value the variant carries present.
 */
export function assertSameAsMessage(label: string, msg: MeterMessage, text: string, spec: DsmrSpec, fallbackTime?: string): void {
  const parsed = parseDsmrTelegram(text); // throws BAD_CHECKSUM on a wrong CRC
  assert.equal(parsed.crc, 'valid', `${label}: CRC`);
  assert.equal(parsed.timestamp, msg.timestamp ?? fallbackTime?.replace(/\.\d+Z$/, '.000Z'), `${label}: 0-0:1.0.0`);
  const idLine = telegramLines(text).find(([code]) => code === '0-0:96.1.1')?.[1] ?? '()';
  assert.equal(Buffer.from(idLine.slice(1, -1), 'hex').toString('latin1'), msg.meter.id ?? msg.meter.systemTitle ?? `meterwire-${msg.meter.profile ?? msg.format}`,
    `${label}: 0-0:96.1.1`);
  const written = new Map(parsed.readings.map((r) => [r.obis, r.value]));
  const expected = new Map<string, number>();
  for (const c of [1, 2]) {
    const pair = expectedTariffs(msg, c);
    if (pair) { expected.set(`1-0:${c}.8.1`, pair[0]); expected.set(`1-0:${c}.8.2`, pair[1]); }
    const total = messageValue(msg, `1-0:${c}.8.0`) ?? (pair ? pair[0] + pair[1] : undefined);
    if (spec === '5L' && total !== undefined) expected.set(`1-0:${c}.8.0`, total);
  }
  for (const code of Object.keys(DSMR5_FORMAT)) {
    if (/^1-0:(\d+)\.7\.0$/.test(code)) {
      const v = messageValue(msg, code);
      if (v !== undefined) expected.set(code, v);
    }
  }
  for (const [code, want] of expected) {
    const res = resolutionOf(code)!;
    const got = written.get(code);
    assert.equal(typeof got, 'number', `${label}: ${code} missing from\n${text}`);
    const diff = want - (got as number);
    const ok = res.counter ? diff > -1e-9 && diff < res.step + 1e-9 : Math.abs(diff) <= res.step / 2 + 1e-9;
    assert.ok(ok, `${label}: ${code} is ${got}, the message says ${want} (step ${res.step}${res.counter ? ', floored' : ''})`);
  }
  for (const code of written.keys()) {
    if (resolutionOf(code)) assert.ok(expected.has(code), `${label}: ${code} written without a value in the message`);
  }
}
