/** General-block-transfer assembly and A-XDR extents. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../src/core/bytes/hex.js';
import { encodeGbtBlocks } from '../src/core/framing/encode-gbt.js';
import { AXDR_INVALID, AXDR_NEED_MORE, axdrExtent } from '../src/core/framing/axdr-extent.js';
import { createGbtAssembler, decodeGbtBlock } from '../src/core/framing/gbt.js';

const APDU = Uint8Array.from({ length: 300 }, (_, i) => (i === 0 ? 0xdb : i & 0xff));

test('GBT: blocks in order give the APDU; encoder sets streaming and last-block bits', () => {
  const blocks = encodeGbtBlocks(APDU, 119);
  assert.equal(blocks.length, 3);
  assert.equal(bytesToHex(blocks[0].subarray(0, 7)), 'e04000010000' + '77');
  assert.equal(bytesToHex(blocks[2].subarray(0, 7)), 'e0c0000300003e');
  const g = createGbtAssembler();
  assert.deepEqual(g.push(blocks[0]), { pending: true });
  assert.deepEqual(g.push(blocks[1]), { pending: true });
  const r = g.push(blocks[2]);
  assert.ok('done' in r && r.blocks === 3);
  assert.deepEqual(r.done, APDU);
  assert.equal(g.flush(), undefined);
});

test('GBT: gaps and restarts drop the partial message; flush reports what arrived', () => {
  const [b1, b2, b3] = encodeGbtBlocks(APDU, 119);
  const g = createGbtAssembler();
  g.push(b1);
  const gap = g.push(b3);
  assert.ok('discarded' in gap && gap.dropped?.blocks === 1);
  assert.match(gap.discarded, /out of sequence/);
  assert.ok('discarded' in g.push(b2), 'block 2 without block 1');
  g.push(b1);
  const restart = g.push(b1);
  assert.ok('pending' in restart && restart.dropped?.partial.length === 119);
  const end = g.flush();
  assert.ok(end && end.blocks === 1 && /last-block flag missing/.test(end.reason));
  assert.ok('discarded' in g.push(hexToBytes('e0c000010000')), 'truncated block');
  assert.throws(() => decodeGbtBlock(hexToBytes('e0c0000100000301')));
});

test('axdrExtent: every type, A-XDR lengths, need-more and invalid tags', () => {
  const cases: [string, number][] = [
    ['00', 1], ['0301', 2], ['0412ffff00', 5], ['0600000001', 5], ['09020102', 4], ['0a8103616263', 6],
    ['0c00', 2], ['0d12', 2], ['0f01', 2], ['100001', 3], ['1101', 2], ['120001', 3], ['14' + '00'.repeat(8), 9],
    ['15' + '00'.repeat(8), 9], ['1601', 2], ['17' + '00'.repeat(4), 5], ['18' + '00'.repeat(8), 9],
    ['19' + '00'.repeat(12), 13], ['1a' + '00'.repeat(5), 6], ['1b' + '00'.repeat(4), 5],
    ['0102' + '1101' + '1102', 6], ['020209060100010800ff0600000001', 15], ['0182000100', 5],
    ['13' + '01000211' + '020102', 8], ['13' + '02021112' + '03010203', 9],
  ];
  for (const [hex, end] of cases) {
    const b = hexToBytes(hex + 'eeee');
    assert.equal(axdrExtent(b, 0), end, hex);
    for (let cut = 0; cut < end; cut++) assert.equal(axdrExtent(b.subarray(0, cut), 0), AXDR_NEED_MORE, `${hex} cut ${cut}`);
  }
  for (const bad of ['07', '0b00', '1c', 'ff', '0980', '0985']) assert.equal(axdrExtent(hexToBytes(bad + '00000000'), 0), AXDR_INVALID, bad);
  assert.equal(axdrExtent(hexToBytes('0101'.repeat(40) + '00'), 0), AXDR_INVALID, 'nesting too deep');
});

test('axdrExtent never throws and stays within the bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(10), (bytes, off) => {
    const r = axdrExtent(bytes, off);
    assert.ok(r === AXDR_NEED_MORE || r === AXDR_INVALID || (r > off && r <= bytes.length));
  }), { numRuns: 2000 });
});
