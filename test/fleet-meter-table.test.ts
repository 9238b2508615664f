/**
 * The directory's packed meter table against a plain Map model: random sets (topic moves, shared and distinct
 * meter ids, non-ASCII ids, odd system titles), evictions and clears; every live meter reads back exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MeterTable, type MeterFields } from '../src/fleet/keys/meter-table.js';

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : undefined);

type Op = { kind: 'set'; topic: number; meter: number; title: number; key: number; both: boolean } | { kind: 'evict'; meter: number } | { kind: 'clear' };

const idOf = (prefix: string, n: number) => (n % 5 === 0 ? `${prefix}-ü€${n}` : `${prefix}-${n}`);
const TITLES = [undefined, '4D4D4D0000BC614E', 'not a title', '0102030405060708'];

test('the packed meter table agrees with a Map model over random operations', () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), topic: fc.nat(60), meter: fc.nat(60), title: fc.nat(3), key: fc.nat(255), both: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('evict' as const), meter: fc.nat(60) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
    const table = new MeterTable();
    // topic id → fields and keys, and meter id → topic id, as the table promises them.
    const model = new Map<string, { fields: MeterFields; guek: string; gak?: string }>();
    for (const o of ops) {
      if (o.kind === 'clear') {
        table.clear();
        model.clear();
      } else if (o.kind === 'evict') {
        const meterId = idOf('m', o.meter);
        table.deleteMeter(meterId);
        for (const [t, v] of model) if (v.fields.meterId === meterId) model.delete(t);
      } else {
        const topicId = idOf('t', o.topic);
        const meterId = o.meter % 4 === 0 ? topicId : idOf('m', o.meter);
        const fields: MeterFields = { meterId, topicId, timeZone: o.key % 2 ? 'UTC' : 'Europe/Vienna',
          ...(TITLES[o.title] !== undefined ? { systemTitle: TITLES[o.title] } : {}), ...(o.key % 3 ? { profile: 'nl-dsmr5' } : {}) };
        const guek = Buffer.alloc(16, o.key);
        const gak = o.both ? Buffer.alloc(16, 255 - o.key) : undefined;
        table.set(fields, { guek, ...(gak ? { gak } : {}) }, 100);
        for (const [t, v] of model) if (v.fields.meterId === meterId) model.delete(t);
        model.set(topicId, { fields, guek: guek.toString('hex'), ...(gak ? { gak: gak.toString('hex') } : {}) });
      }
      assert.equal(table.size, model.size);
    }
    for (let i = 0; i <= 60; i++) {
      const topicId = idOf('t', i);
      const want = model.get(topicId);
      const slot = table.slotOf(topicId);
      if (!want) {
        assert.equal(slot, -1, topicId);
        continue;
      }
      const m = table.meter(slot, topicId);
      assert.deepEqual({ meterId: m.meterId, topicId: m.topicId, systemTitle: m.systemTitle, profile: m.profile, timeZone: m.timeZone },
        { meterId: want.fields.meterId, topicId, systemTitle: want.fields.systemTitle, profile: want.fields.profile, timeZone: want.fields.timeZone });
      assert.equal(hex(m.guek), want.guek);
      assert.equal(hex(m.gak), want.gak);
    }
  }), { numRuns: 300 });
});
