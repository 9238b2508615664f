// DSMR bounds: 10 MB lines give an issue or an error (never a RangeError), issue lists are capped, and the
// per-decoder caches stay bounded in entries and bytes over many varied telegrams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder } from '../src/index.js';
import { parseDsmrTelegram } from '../src/core/dsmr/parse-telegram.js';
import { formatDsmrTelegram } from '../src/core/dsmr/format-telegram.js';
import { encodeHexText } from '../src/core/dsmr/value-text.js';
import { createReadingFactory, type ReadingFactory } from '../src/core/model/reading-factory.js';
import { isMeterError } from '../src/core/errors.js';
import { prng } from '../src/sim/meter-model.js';

const N = 10_000_000;
const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const HUGE: Record<string, string> = {
  'identification line': `/${'H'.repeat(N)}\r\n\r\n1-0:1.8.1(1*kWh)\r\n!\r\n`,
  'hex text value': `/X5\r\n\r\n0-0:96.13.0(${'41'.repeat(N / 2)})\r\n1-0:1.8.1(1*kWh)\r\n!\r\n`,
  'number': `/X5\r\n\r\n1-0:1.8.1(${'1'.repeat(N)}*kWh)\r\n!\r\n`,
  'unit': `/X5\r\n\r\n1-0:1.8.1(1*${'k'.repeat(N)})\r\n!\r\n`,
  'value groups': `/X5\r\n\r\n0-0:98.1.0(3)${'(1)'.repeat(N / 3)}\r\n!\r\n`,
  'junk lines': `/X5\r\n\r\n${'x\r\n'.repeat(N / 3)}1-0:1.8.1(1*kWh)\r\n!\r\n`,
};

test('10 MB DSMR lines: parseDsmrTelegram gives an issue or a MeterError, never a RangeError', () => {
  for (const [what, text] of Object.entries(HUGE)) {
    for (const input of [text, latin1(text)]) {
      let t;
      try {
        t = parseDsmrTelegram(input);
      } catch (e) {
        assert.ok(isMeterError(e), `${what}: ${String(e)}`);
        assert.equal(e.code, 'LIMIT_EXCEEDED', what);
        continue;
      }
      assert.ok(t.issues.length > 0 && t.issues.length <= 33, `${what}: ${t.issues.length} issues`);
      assert.ok(t.issues.some((i) => i.code === 'UNPARSEABLE_LINE'), what);
      for (const r of t.readings) assert.ok(String(r.value).length < 5000 && (r.unit ?? '').length < 5000, what);
    }
  }
});

test('10 MB DSMR input through createDecoder({ format: "dsmr" }).push: one clear error, no exception', () => {
  for (const [what, text] of Object.entries(HUGE)) {
    const decoder = createDecoder({ format: 'dsmr' });
    const out = [...decoder.push(latin1(text)), ...decoder.flush()];
    const errors = out.flatMap((m) => ('error' in m ? [m.error.code] : []));
    assert.ok(errors.includes('LIMIT_EXCEEDED') && !errors.includes('INTERNAL'), `${what}: ${JSON.stringify(errors)}`);
  }
  // Within the framing limit, a 60 KB value is an issue on the message.
  const decoder = createDecoder({ format: 'dsmr' });
  const t = formatDsmrTelegram({ header: 'X5', lines: ['1-3:0.2.8(50)', `0-0:96.13.0(${'41'.repeat(30_000)})`, '1-0:1.8.1(000001.000*kWh)'] });
  const [msg] = decoder.push(latin1(t));
  assert.ok(msg && !('error' in msg), JSON.stringify(msg).slice(0, 200));
  assert.ok(msg.issues.some((i) => i.code === 'UNPARSEABLE_LINE' && /longer than 4096/.test(i.message)));
  assert.equal(msg.readings.find((r) => r.obis === '1-0:1.8.1')?.value, 1);
});

/** Bytes the factory's caches hold: byte copies and string chars (one byte each: all of it is latin1). */
function retained(f: ReadingFactory): { bytes: number; entries: number } {
  let bytes = 0, entries = 0;
  for (const s of f.spans.values()) bytes += s.bytes.length + s.text.length + (s.decoded?.length ?? 0);
  for (const t of f.texts.values()) bytes += t.length;
  for (const c of f.byGroups.values()) bytes += c.obis.length;
  for (const [k, c] of f.byText) bytes += k.length + c.obis.length;
  entries = f.spans.size + f.texts.size + f.byGroups.size + f.byText.size + f.seqKeys.length;
  const memo = f.dsmrLines; // the previous telegram's copy and what its lines gave
  if (memo) {
    bytes += memo.prev.length;
    for (const m of memo.lines) {
      if (m) bytes += String(m.value).length + (m.unit?.length ?? 0) + (m.timestamp?.length ?? 0);
    }
    entries += memo.lines.length;
  }
  for (const id of f.lastIds ?? []) bytes += id.length;
  return { bytes, entries };
}

test('caches stay bounded in bytes and entries over 10,000 varied telegrams', () => {
  const rnd = prng(7);
  const pick = (n: number) => Math.floor(rnd() * n);
  const word = (n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + pick(26))).join('');
  const factory = createReadingFactory(true);
  let peak = { bytes: 0, entries: 0 };
  for (let k = 0; k < 10_000; k++) {
    const lines = ['1-3:0.2.8(50)', `0-0:96.1.1(${encodeHexText(word(5 + pick(30)))})`];
    for (let j = pick(4); j > 0; j--) lines.push(`0-0:96.13.1(${'30'.repeat(1 + pick(40))})`); // shifts what follows
    lines.push(`0-0:96.13.0(${encodeHexText(word(1 + pick(1500)))})`);
    lines.push(`1-0:${pick(200)}.${pick(200)}.${pick(200)}(${pick(1e6)}*${word(1 + pick(4))})`);
    lines.push(`0-${1 + pick(4)}:96.1.0(${encodeHexText(word(10 + pick(200)))})`);
    parseDsmrTelegram(latin1(formatDsmrTelegram({ header: `${word(3)}5\\${word(5 + pick(40))}`, lines })), { factory });
    const now = retained(factory);
    peak = { bytes: Math.max(peak.bytes, now.bytes), entries: Math.max(peak.entries, now.entries) };
  }
  assert.ok(peak.bytes <= 256 * 1024, `caches held up to ${peak.bytes} bytes`);
  assert.ok(peak.entries <= 4096, `caches held up to ${peak.entries} entries`);
});
