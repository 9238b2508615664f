// The DSMR line memo (line-memo.ts) may only ever give what a fresh parse gives: sequences of edited telegrams
// parsed with one decoder's factory equal the same telegrams parsed each with a new factory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import { createReadingFactory } from '../src/core/model/reading-factory.js';
import { isMeterError } from '../src/core/errors.js';

const BASE = [
  '1-3:0.2.8(50)', '0-0:1.0.0(170102192002W)', '0-0:96.1.1(4B384547303034303436333935353037)',
  '1-0:1.8.1(000004.426*kWh)', '1-0:1.8.2(000002.399*kWh)', '0-0:96.14.0(0002)', '1-0:1.7.0(00.244*kW)',
  '1-0:99.97.0(1)(0-0:96.7.19)(170101120000W)(0000000100*s)', '1-0:32.7.0(0230.0*V)', '0-0:96.13.0()',
  '0-1:24.1.0(003)', '0-1:96.1.0(3232323241424344313233343536373839)', '0-1:24.2.1(170102161005W)(00000.107*m3)',
  '0-2:24.1.0(007)', '0-2:96.1.0(4730303339303031393234323934373139)', '0-2:24.2.1(170102161005W)(00001.107*m3)',
];
const REPLACEMENTS = [
  '1-0:1.8.1(000004.427*kWh)', '1-0:1.8.1(4.427*kWh)', '0-1:24.1.0(007)', '0-2:24.1.0(003)', '0-0:96.14.0(0001)',
  '1-3:0.2.8(42)', '0-0:1.0.0(000101000001W)', '0-0:1.0.0(170102192003W)', '0-1:96.1.0()', 'not a line',
  '1-0:32.7.0(0231.0*V)', '0-0:96.13.0(48656C6C6F)', '1-0:1.7.0(00.244*kW)', '1-0:1.7.0(00.244*kWh)',
  '0-1:24.2.1(000101000000W)(00000.107*m3)', '0-0:96.1.1(4B38)', '0-0:96.1.1()', '1-0:1.8.2(000002.399*kWh)x',
  '0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)', '(00001.001)', '1-0:1.8.1(000004.426*kWh)(1)',
];

type Edit = [kind: number, at: number, pick: number];

function edited(edits: Edit[]): string[] {
  const lines = BASE.slice();
  for (const [kind, at, pick] of edits) {
    const i = at % (lines.length + 1);
    const r = REPLACEMENTS[pick % REPLACEMENTS.length];
    if (kind === 0 && i < lines.length) lines[i] = r;
    else if (kind === 1) lines.splice(i, 0, r);
    else if (kind === 2 && i < lines.length) lines.splice(i, 1);
    else if (kind === 3 && i < lines.length) lines.splice(i, 0, lines[i]);
  }
  return lines;
}

function parsed(bytes: Uint8Array, factory = createReadingFactory(true), verifyCrc = true): unknown {
  try {
    const t = parseDsmrTelegram(bytes, { factory, verifyCrc });
    return JSON.parse(JSON.stringify(t)) as unknown;
  } catch (e) {
    if (!isMeterError(e)) throw e;
    return { error: e.code };
  }
}

/** The telegram's bytes at a given byte offset of a larger buffer (aligned and not: two compare paths). */
function at(text: string, offset: number): Uint8Array {
  const buf = new Uint8Array(text.length + offset);
  for (let i = 0; i < text.length; i++) buf[offset + i] = text.charCodeAt(i);
  return buf.subarray(offset);
}

test('property: telegrams parsed with the memo of the previous ones equal fresh parses', () => {
  const edit = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.nat());
  const telegram = fc.record({
    edits: fc.array(edit, { maxLength: 4 }),
    crc: fc.constantFrom('crc16' as const, 'none' as const, 'bad' as const),
    offset: fc.constantFrom(0, 0, 8, 1, 3),
    junk: fc.constantFrom('', '', 'xx'),
  });
  fc.assert(fc.property(fc.array(telegram, { minLength: 2, maxLength: 8 }), fc.boolean(), (seq, named) => {
    const shared = createReadingFactory(named);
    for (const t of seq) {
      let text = t.junk + formatDsmrTelegram({ header: 'ISk5\\2MT382-1000', lines: edited(t.edits), crc: t.crc === 'bad' ? 'crc16' : t.crc });
      if (t.crc === 'bad') text = text.replace(/![0-9A-F]{4}/, '!0000');
      const bytes = at(text, t.offset);
      for (const verify of [true, false]) {
        assert.deepEqual(parsed(bytes, shared, verify), parsed(bytes, createReadingFactory(named), verify));
      }
    }
  }), { numRuns: 400 });
});

test('the memo is used: an unchanged telegram is rebuilt, and changing one byte changes just that reading', () => {
  const factory = createReadingFactory(true);
  const text = formatDsmrTelegram({ header: 'ISk5\\2MT382-1000', lines: BASE });
  parseDsmrTelegram(at(text, 0), { factory }); // a decoder's first telegram is not recorded
  assert.equal(factory.dsmrLines?.lines.length, 0);
  parseDsmrTelegram(at(text, 0), { factory });
  assert.ok((factory.dsmrLines?.lines.filter(Boolean).length ?? 0) >= BASE.length - 2, 'lines were memoised');
  const changed = formatDsmrTelegram({ header: 'ISk5\\2MT382-1000', lines: BASE.map((l) => l.replace('000004.426', '000004.427')) });
  const t = parseDsmrTelegram(at(changed, 0), { factory });
  assert.equal(t.readings.find((r) => r.obis === '1-0:1.8.1')?.value, 4.427);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), parsed(at(changed, 0)));
});
