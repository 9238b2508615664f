import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCaptureFile, decodeMqttPayload, detectPayloadEncoding } from '../src/adapters/sources/payload-encoding.js';

const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

test('hex text, with any whitespace, decodes to its bytes', () => {
  assert.equal(detectPayloadEncoding(text('7ea0 2a\r\n41 0883')), 'hex');
  assert.deepEqual(decodeMqttPayload(text('7ea0 2a\r\n41 0883\n')), Uint8Array.from([0x7e, 0xa0, 0x2a, 0x41, 0x08, 0x83]));
  assert.deepEqual(decodeMqttPayload(text('DBFF')), Uint8Array.from([0xdb, 0xff]));
});

test('odd-length hex is not hex (and not base64): delivered as the ASCII bytes', () => {
  assert.equal(detectPayloadEncoding(text('7ea02')), 'binary');
  assert.deepEqual(decodeMqttPayload(text('7ea02')), text('7ea02'));
});

test('base64 with correct padding decodes; pure-hex strings stay hex even when valid base64', () => {
  const bytes = Uint8Array.from([0x7e, 0xa0, 0x67, 0xcf, 0x02, 0x23, 0x13]);
  const b64 = Buffer.from(bytes).toString('base64');
  assert.equal(detectPayloadEncoding(text(b64)), 'base64');
  assert.deepEqual(decodeMqttPayload(text(`${b64.slice(0, 4)}\n${b64.slice(4)}`)), bytes);
  assert.equal(detectPayloadEncoding(text('00112233')), 'hex');
});

test('bad base64 padding or non-canonical base64 is binary', () => {
  assert.equal(detectPayloadEncoding(text('fn6gZw=')), 'binary'); // length not a multiple of 4
  assert.equal(detectPayloadEncoding(text('fn6g=w==')), 'binary'); // "=" inside
  assert.equal(detectPayloadEncoding(text('fn6gZx==')), 'binary'); // non-zero padding bits
});

test('ASCII-looking binary payloads such as DSMR telegrams pass through unchanged', () => {
  const telegram = '/ISK5\\2M550T-1012\r\n\r\n1-0:1.8.1(000404.472*kWh)\r\n!7A3F\r\n';
  assert.equal(detectPayloadEncoding(text(telegram)), 'binary');
  assert.deepEqual(decodeMqttPayload(text(telegram)), text(telegram));
  const frame = Uint8Array.from([0x7e, 0xa0, 0x84, 0xce, 0xff, 0x03, 0x13, 0x12, 0x8b]);
  assert.deepEqual(decodeMqttPayload(frame), frame);
});

test('empty and whitespace-only payloads are binary', () => {
  assert.equal(detectPayloadEncoding(new Uint8Array()), 'binary');
  assert.equal(detectPayloadEncoding(text(' \n')), 'binary');
});

test('capture files accept hex, never base64', () => {
  assert.deepEqual(decodeCaptureFile(text('68 01 01 68\n')), Uint8Array.from([0x68, 0x01, 0x01, 0x68]));
  assert.deepEqual(decodeCaptureFile(text('QUJD')), text('QUJD'));
});

test('property: hex and base64 encodings of any bytes round-trip', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
      const hex = Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ');
      assert.deepEqual(decodeMqttPayload(text(hex)), bytes);
      const b64 = Buffer.from(bytes).toString('base64');
      // Base64 that happens to be all hex digits is read as hex by design (rule 1 wins).
      fc.pre(!/^[0-9a-fA-F]+$/.test(b64));
      assert.deepEqual(decodeMqttPayload(text(b64)), bytes);
    }),
  );
});

test('property: a payload with a byte outside both text alphabets is returned unchanged', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.constantFrom(0x00, 0x7e, 0xdb, 0x21, 0x28, 0xff), (bytes, odd) => {
      const payload = Uint8Array.from([...bytes, odd]);
      assert.deepEqual(decodeMqttPayload(payload), payload);
    }),
  );
});
