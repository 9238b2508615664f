/**
 * One data-tag table (dlms/data-tags.ts) for the decoder, the extent scanner and the encoder: for every tag
 * byte the three agree with the table on whether it exists, what it occupies and whether a compact-array
 * description may hold it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAxdr } from '../src/core/dlms/axdr.js';
import { DATA_TAGS, dataTagInfo } from '../src/core/dlms/data-tags.js';
import { DataTag, type DlmsValue } from '../src/core/dlms/types.js';
import { encodeAxdr } from '../src/core/dlms/encode-axdr.js';
import { AXDR_INVALID, axdrExtent } from '../src/core/framing/axdr-extent.js';
import { MeterError } from '../src/core/errors.js';

/** What the decoder makes of `bytes`: the end offset, or the error code. */
function decoded(bytes: Uint8Array): number | string {
  try {
    return decodeAxdr(bytes).end;
  } catch (e) {
    if (e instanceof MeterError) return e.code;
    throw e;
  }
}

test('every tag byte: decoder and extent scanner agree with the table on existence and size', () => {
  for (let tag = 0; tag < 256; tag++) {
    const info = dataTagInfo(tag);
    // Content that is valid for every type: a length/count of 2 where one is read, then zero bytes.
    const bytes = Uint8Array.from([tag, 0x02, 0x00, 0x00, 0x00, ...new Uint8Array(20)]);
    if (!info) {
      assert.equal(decoded(bytes), 'UNKNOWN_TAG', `0x${tag.toString(16)}`);
      assert.equal(axdrExtent(bytes, 0), AXDR_INVALID);
      continue;
    }
    if (info.tag === DataTag.CompactArray) continue; // its content is a type description: below
    const expected = typeof info.content === 'number' ? 1 + info.content
      : info.content === 'length-prefixed' ? 1 + 1 + 2
        : info.content === 'bit-length' ? 1 + 1 + 1
          : 1 + 1 + 2; // container: two null elements
    assert.equal(decoded(bytes), expected, info.name);
    assert.equal(axdrExtent(bytes, 0), expected, info.name);
  }
});

test('every tag byte: compact-array descriptions accept exactly the table\'s simple types', () => {
  for (let tag = 0; tag < 256; tag++) {
    if (tag === DataTag.Array || tag === DataTag.Structure) continue;
    const allowed = dataTagInfo(tag)?.inCompactArray === true;
    const size = typeof dataTagInfo(tag)?.content === 'number' ? dataTagInfo(tag)!.content as number : 1;
    // One element: fixed-size content of zeros, or a zero length byte for length-prefixed types.
    const bytes = Uint8Array.from([0x13, tag, size, ...new Uint8Array(size)]);
    const d = decoded(bytes);
    assert.equal(d === bytes.length, allowed, `0x${tag.toString(16)}: decoder ${d}`);
    assert.equal(axdrExtent(bytes, 0) === bytes.length, allowed, `0x${tag.toString(16)}: extent`);
    let encodes = true;
    try {
      encodeAxdr({ type: 'compact-array', description: { tag }, items: [] });
    } catch {
      encodes = false;
    }
    assert.equal(encodes, allowed, `0x${tag.toString(16)}: encoder`);
  }
});

test('encoder integer widths and fixed sizes come from the table', () => {
  for (const t of DATA_TAGS) {
    if (t.signed === undefined) continue;
    const bytes = encodeAxdr({ type: 'integer', tag: t.tag as DataTag.Int8, value: 1 });
    assert.equal(bytes.length, 1 + (t.content as number), t.name);
  }
  assert.equal(encodeAxdr({ type: 'date', bytes: new Uint8Array(5) }).length, 6);
  assert.throws(() => encodeAxdr({ type: 'time', bytes: new Uint8Array(5) }), (e: unknown) => e instanceof MeterError);
});

const leaf: fc.Arbitrary<DlmsValue> = fc.oneof(
  fc.constant<DlmsValue>({ type: 'null' }),
  fc.integer({ min: 0, max: 255 }).map((value): DlmsValue => ({ type: 'integer', tag: DataTag.Uint8, value })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value): DlmsValue => ({ type: 'integer', tag: DataTag.Int32, value })),
  fc.uint8Array({ maxLength: 200 }).map((bytes): DlmsValue => ({ type: 'octet-string', bytes })),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes): DlmsValue => ({ type: 'time', bytes: bytes.subarray(0, 4) })),
  fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 4 }).map((xs): DlmsValue => ({
    type: 'compact-array', description: { tag: DataTag.Uint16 },
    items: xs.map((value) => ({ type: 'integer', tag: DataTag.Uint16, value })),
  })),
);
const value: fc.Arbitrary<DlmsValue> = fc.letrec<{ v: DlmsValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf,
    fc.array(tie('v'), { maxLength: 5 }).map((items): DlmsValue => ({ type: 'array', items })),
    fc.array(tie('v'), { maxLength: 5 }).map((items): DlmsValue => ({ type: 'structure', items }))),
})).v;

test('property: the extent scanner finds the end the decoder finds, for every encoded value', () => {
  fc.assert(fc.property(value, (v) => {
    const bytes = encodeAxdr(v);
    assert.equal(decodeAxdr(bytes).end, bytes.length);
    assert.equal(axdrExtent(bytes, 0), bytes.length);
  }), { numRuns: 500 });
});
