/**
 * Conformance against the public captures in ../shared/vectors (read at test time, never copied here):
 * every entry that states values decodes to those values; every other entry decodes without error unless
 * its description says it cannot (listed below with the reason).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '../src/index.js';
import { normaliseObis } from '../src/core/obis/obis.js';
import { bytesToHex } from '../src/core/bytes/hex.js';
import type { DecodeResult, MeterMessage, Reading } from '../src/core/model/message.js';
import { loadVectors, VECTORS_SKIP, type Vector, type VectorExpectation } from './support/vectors.js';

/** Vectors whose own description says they cannot fully decode, and the error that says why. */
const EXPECTED_ERRORS: Record<string, { code: string; why: string }> = {
  'west-honeywell-single-mbus-frame-nokey': { code: 'MISSING_KEY', why: 'no key published' },
  'greenbook-glo-ciphering': { code: 'UNSUPPORTED_APDU', why: 'the plaintext is a get-request, not a push message' },
  'greenbook-gmac': { code: 'AUTH_FAILED', why: 'HLS challenge example: the GMAC covers a challenge that is not in the frame' },
};

/** Partial captures (only the first GBT block): the description says the tag cannot be checked. */
const PARTIAL = new Set(['kaernten-klagenfurt-lg-e450-gbt-first-block', 'other-lg-e450-stanz-first-frame']);

function input(v: Vector): string {
  return v.raw_text ?? (v.raw_hex as string);
}

function scale(raw: number, scaler: number): number {
  return scaler < 0 ? raw / 10 ** -scaler : raw * 10 ** scaler;
}

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function textHex(s: string): string {
  return bytesToHex(new TextEncoder().encode(s));
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function valueMatches(actual: Reading['value'], expected: unknown): boolean {
  if (typeof expected === 'string' && ISO_INSTANT.test(expected)) return Date.parse(String(actual)) === Date.parse(expected);
  if (typeof expected === 'number' || (typeof expected === 'string' && /^-?\d+(\.\d+)?$/.test(expected) && typeof actual === 'number')) {
    return typeof actual === 'number' ? sameNumber(actual, Number(expected)) : sameNumber(Number(actual), Number(expected));
  }
  const e = String(expected);
  const a = String(actual);
  return a === e || textHex(a).toLowerCase() === e.toLowerCase();
}

/** Local wall-clock time "YYYY-MM-DD HH:MM:SS" of an ISO instant in Central European time. */
function cetWallClock(iso: string): string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Vienna', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return f.format(new Date(iso));
}

function checkExpectation(v: Vector, msg: MeterMessage & { apdu?: string }, e: VectorExpectation): void {
  if (e.check === 'plaintext') {
    assert.equal(msg.apdu, String(e.value).toLowerCase(), 'decrypted APDU');
    return;
  }
  if (e.obis === 'datetime') {
    assert.ok(msg.timestamp, 'message timestamp');
    assert.equal(cetWallClock(msg.timestamp), e.value, 'message timestamp (local time)');
    return;
  }
  const obis = normaliseObis(e.obis);
  const candidates = msg.readings.filter((r) => r.obis === obis);
  if (obis === '0-0:1.0.0' && candidates.length === 0) {
    assert.equal(Date.parse(msg.timestamp ?? ''), Date.parse(String(e.value)), 'timestamp');
    return;
  }
  assert.ok(candidates.length > 0, `no reading ${obis}; got ${msg.readings.map((r) => r.obis).join(' ')}`);
  let expected = e.value;
  if (e.raw) {
    const hint = v.hints?.observed_decoded_items?.find((h) => normaliseObis(h.obis) === obis);
    expected = scale(Number(e.value), hint?.scaler ?? 0);
  }
  // Sources that have no scaler for a meter (Kamstrup) assert the integer it sent; we keep it as `raw`
  // next to the value scaled with the profile's scaler (quality scaler_assumed).
  const hit = candidates.find((r) => valueMatches(r.value, expected) ||
    (r.quality.includes('scaler_assumed') && r.raw !== undefined && valueMatches(r.raw, expected)));
  assert.ok(hit, `${obis}: expected ${JSON.stringify(expected)}, got ${candidates.map((r) => JSON.stringify(r.value)).join(', ')}`);
  if (e.unit) assert.equal(hit.unit, e.unit, `${obis} unit`);
}

const vectors = loadVectors();

test('public vectors are present', (t) => {
  if (!vectors) return t.skip(VECTORS_SKIP);
  assert.ok(vectors.length > 0);
});

let stated = 0;
let reproduced = 0;

for (const v of vectors ?? []) {
  test(`vector ${v.id}`, () => {
    const results: DecodeResult[] = decode(input(v), {
      key: v.key_hex ?? undefined,
      authKey: v.auth_key_hex ?? undefined,
      includeApdu: true,
    });
    const expectedError = EXPECTED_ERRORS[v.id];
    if (expectedError) {
      const err = results.find((r) => 'error' in r);
      assert.ok(err && 'error' in err, `expected ${expectedError.code} (${expectedError.why})`);
      assert.equal(err.error.code, expectedError.code, err.error.message);
      return;
    }
    const messages = results.filter((r): r is MeterMessage => !('error' in r));
    const errors = results.filter((r) => 'error' in r);
    if (PARTIAL.has(v.id)) {
      // A capture cut short: what arrived is decoded and flagged, or (no values in it) reported as TRUNCATED.
      if (messages.length === 0) {
        assert.equal(v.expected.length, 0, 'values are stated, so they must be decoded');
        assert.deepEqual(errors.map((e) => 'error' in e && e.error.code), ['TRUNCATED']);
        return;
      }
      assert.ok(messages[0].issues.some((i) => i.code === 'INCOMPLETE_MESSAGE'), 'partial capture is flagged');
      assert.ok(messages[0].readings.every((r) => r.quality.includes('unverified')), 'no tag, so unverified');
    } else {
      assert.ok(messages.length > 0, `no message decoded: ${JSON.stringify(errors)}`);
      assert.deepEqual(errors, [], 'no errors besides the messages');
    }
    for (const m of messages) {
      assert.ok(!m.readings.some((r) => typeof r.value === 'number' && !Number.isFinite(r.value)), 'finite values');
    }
    for (const e of v.expected) {
      stated++;
      checkExpectation(v, messages[0], e);
      reproduced++;
    }
  });
}

test('conformance summary', (t) => {
  if (!vectors) return t.skip(VECTORS_SKIP);
  t.diagnostic(`${vectors.length} vectors, ${reproduced}/${stated} stated expectations reproduced`);
});
