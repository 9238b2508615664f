/** Public captures through the binary framers: checksums valid, segments and GBT blocks joined, quirks accepted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, hexToBytes } from '../src/core/bytes/hex.js';
import { axdrExtent } from '../src/core/framing/axdr-extent.js';
import { createApduFramer } from '../src/core/framing/apdu-framer.js';
import { createHdlcFramer } from '../src/core/framing/hdlc-framer.js';
import { createMbusFramer } from '../src/core/framing/mbus-framer.js';
import type { Framer, FramerEvent } from '../src/core/framing/types.js';
import { loadVectors, vector, VECTORS_SKIP, type Vector } from './support/vectors.js';
import { describe, runFramer } from './framing-support.js';

const vectors = loadVectors();
const skip = vectors ? false : VECTORS_SKIP;

/** Link frames each complete capture is made of (from the vectors' framing descriptions). */
const SEGMENTS: Record<string, number> = {
  'evn-netznoe-doc-example': 2, 'evn-sagemcom-energyagent': 2, 'evn-sagemcom-L01-quirk': 2,
  'tirol-kaifa-fneur-example': 2, 'vorarlberg-vkw-capture': 2, 'west-honeywell-single-mbus-frame-nokey': 1,
  'wn-siemens-sms': 1, 'wn-iskra-isk': 1, 'kaernten-kelag-am550-gh787-1': 1, 'kaernten-am550-shrdzm': 1,
  'other-lg-e450-gbt-3frames': 3, 'other-iskra-segmented-hdlc': 3, 'no-aidon-1phase': 1, 'no-kamstrup-amshan': 1,
  'no-kaifa-ma304h3e': 1, 'dk-kamstrup-omnipower-encrypted': 1,
};
const PARTIAL_GBT = ['kaernten-klagenfurt-lg-e450-gbt-first-block', 'other-lg-e450-stanz-first-frame'];

function framerFor(first: number): Framer {
  if (first === 0x68) return createMbusFramer();
  if (first === 0x7e) return createHdlcFramer();
  return createApduFramer();
}

/** Length the APDU header announces: DB 08 <ST> <A-XDR length> … or, for 0F, the end of its body element. */
function announcedLength(p: Uint8Array): number {
  if (p[0] === 0xdb) {
    const l = p[10];
    if (l < 0x80) return 11 + l;
    return l === 0x81 ? 12 + p[11] : 13 + ((p[11] << 8) | p[12]);
  }
  const body = p[5] === 0 ? 6 : p[5] === 0x0c ? 18 : 19;
  return axdrExtent(p, body);
}

const rawOf = (v: Vector): Uint8Array => hexToBytes(v.raw_hex ?? '');
const linkFramed = (v: Vector): boolean => v.raw_hex !== undefined && (v.raw_hex.startsWith('68') || v.raw_hex.startsWith('7e'));

test('every complete M-Bus/HDLC capture yields one APDU of the announced length', { skip }, () => {
  const ids = vectors!.filter(linkFramed).map((v) => v.id).filter((id) => !PARTIAL_GBT.includes(id));
  assert.deepEqual(ids.sort(), Object.keys(SEGMENTS).sort(), 'the vector set changed: update SEGMENTS');
  for (const id of ids) {
    const events = runFramer(framerFor(rawOf(vector(id)!)[0]), [rawOf(vector(id)!)]);
    assert.equal(events.length, 1, `${id}: ${describe(events).join(' | ')}`);
    const e = events[0];
    assert.equal(e.type, 'frame', id);
    if (e.type !== 'frame') continue;
    assert.ok(e.payload[0] === 0xdb || e.payload[0] === 0x0f, `${id} starts with ${e.payload[0].toString(16)}`);
    assert.equal(e.payload.length, announcedLength(e.payload), `${id}: payload length`);
    assert.equal(e.segments, SEGMENTS[id], `${id}: segments`);
  }
});

test('bare APDU captures come out unchanged', { skip }, () => {
  for (const v of vectors!.filter((x) => x.raw_hex && /^(db|0f)/.test(x.raw_hex))) {
    const events = runFramer(createApduFramer(), [rawOf(v)]);
    assert.deepEqual(describe(events), [`frame apdu x1 ${bytesToHex(rawOf(v))}`], v.id);
  }
});

test('EVN T210-D length wrap 68 01 01 68 (257 bytes) is accepted', { skip }, () => {
  const raw = rawOf(vector('evn-sagemcom-L01-quirk')!);
  assert.deepEqual([...raw.subarray(0, 4)], [0x68, 0x01, 0x01, 0x68]);
  const [e] = runFramer(createMbusFramer(), [raw]);
  assert.ok(e.type === 'frame');
  assert.equal(e.payload.length, 252 + 8); // 257 - C,A,CI,01,67 in frame one; 13 - 5 in frame two
});

test('Wiener Netze: the 96 appended bytes are discarded after the frame', { skip }, () => {
  for (const id of ['wn-siemens-sms', 'wn-iskra-isk']) {
    const full = hexToBytes((vector(id) as Vector & { full_capture_hex_as_in_source: string }).full_capture_hex_as_in_source);
    const events = runFramer(createHdlcFramer(), [full]);
    assert.equal(events[0].type, 'frame', id);
    const dropped = events.slice(1).reduce((n, e) => n + (e.type === 'discarded' ? e.bytes : 0), 0);
    assert.ok(dropped >= 90 && dropped <= 96, `${id}: ${describe(events).join(' | ')}`);
  }
});

test('Siemens frame with a 4-byte source address, Kamstrup 11-bit length 0x1E9', { skip }, () => {
  const siemens = rawOf(vector('wn-siemens-sms')!);
  assert.equal(bytesToHex(siemens.subarray(3, 9)), 'cf0002002313');
  assert.equal(runFramer(createHdlcFramer(), [siemens])[0].type, 'frame');
  const dk = rawOf(vector('dk-kamstrup-omnipower-encrypted')!);
  assert.equal(((dk[1] & 7) << 8) | dk[2], 0x1e9);
  const [e] = runFramer(createHdlcFramer(), [dk]);
  assert.ok(e.type === 'frame' && e.payload.length === 477);
});

test('LG E450 general-block-transfer: 3 HDLC frames joined into one DB APDU', { skip }, () => {
  const [e, ...rest] = runFramer(createHdlcFramer(), [rawOf(vector('other-lg-e450-gbt-3frames')!)]);
  assert.equal(rest.length, 0);
  assert.ok(e.type === 'frame');
  assert.equal(bytesToHex(e.payload.subarray(0, 13)), 'db084c475a677370b177820103');
  assert.equal(e.payload.length, 13 + 0x103);
  assert.equal(e.segments, 3);
});

test('first GBT block only: no frame, one discard carrying the partial APDU', { skip }, () => {
  for (const id of PARTIAL_GBT) {
    const v = vector(id)!;
    const pushed = framerFor(0x7e);
    assert.deepEqual(pushed.push(rawOf(v)), [], `${id}: nothing before end of input`);
    const events: FramerEvent[] = pushed.flush();
    assert.equal(events.length, 1, describe(events).join(' | '));
    const d = events[0];
    assert.ok(d.type === 'discarded' && d.partial !== undefined);
    assert.match(d.reason, /GBT message incomplete.*1 block.*last-block flag missing/);
    assert.equal(d.error?.code, 'TRUNCATED');
    assert.equal(d.partial.length, 119);
    assert.equal(bytesToHex(d.partial.subarray(0, 2)), 'db08');
  }
});

test('Iskra segmented HDLC (A8, A8, A0, LLC in the first only) gives one data-notification', { skip }, () => {
  const raw = rawOf(vector('other-iskra-segmented-hdlc')!);
  const events = runFramer(createHdlcFramer(), [raw]);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.ok(e.type === 'frame');
  assert.equal(bytesToHex(e.payload.subarray(0, 5)), '0f000026eb');
  assert.equal(axdrExtent(e.payload, 18), e.payload.length);
});

test('every capture survives byte-by-byte delivery', { skip }, () => {
  for (const v of vectors!.filter((x) => x.raw_hex)) {
    const raw = rawOf(v);
    const once = describe(runFramer(framerFor(raw[0]), [raw]));
    const bytewise = describe(runFramer(framerFor(raw[0]), Array.from(raw, (b) => Uint8Array.of(b))));
    assert.deepEqual(bytewise, once, v.id);
  }
});
