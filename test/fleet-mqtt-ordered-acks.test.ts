/**
 * The PUBACK order rule (MQTT §4.6) as a pure property: whatever order the worker acknowledges in, packet ids are
 * released exactly in arrival order, each once, and only when everything received before it is acknowledged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createOrderedAcks } from '../src/fleet/mqtt/ordered-acks.js';

test('acks in any order (repeats included) release every packet id once, in arrival order, when its prefix is acknowledged', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3000 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      fc.array(fc.nat(n - 1), { maxLength: 20 }))),
    ([n, order, repeats]) => {
      const acks = createOrderedAcks();
      const ids = Array.from({ length: n }, (_, i) => (i % 65535) + 1);
      const slots = ids.map((id) => acks.add(id));
      const released: number[] = [];
      const done = new Set<number>();
      for (const [k, slot] of order.entries()) {
        const out = acks.ack(slots[slot]);
        done.add(slot);
        // What was released so far is exactly the longest acknowledged prefix.
        let prefix = 0;
        while (done.has(prefix)) prefix++;
        released.push(...out);
        assert.equal(released.length, prefix);
        assert.equal(acks.pending, n - prefix);
        // A second ack of a message already acknowledged (a retried commit) releases nothing.
        if (k < repeats.length) assert.deepEqual(acks.ack(slots[order[repeats[k] % (k + 1)]]), []);
      }
      assert.deepEqual(released, ids);
      assert.equal(acks.pending, 0);
    }), { numRuns: 200 });
});

test('an unknown slot or a second ack of the same message releases nothing', () => {
  const acks = createOrderedAcks();
  const a = acks.add(7);
  const b = acks.add(9);
  assert.deepEqual(acks.ack(b), []);
  assert.deepEqual(acks.ack(b), []);
  assert.deepEqual(acks.ack(42), []);
  assert.deepEqual(acks.ack(a), [7, 9]);
  assert.deepEqual(acks.ack(a), []);
  assert.equal(acks.pending, 0);
});

test('ackInto appends the due ids to what the caller already holds and returns how many', () => {
  const acks = createOrderedAcks();
  const [a, b, c] = [acks.add(5), acks.add(6), acks.add(7)];
  const out = [1];
  assert.equal(acks.ackInto(b, out), 0);
  assert.equal(acks.ackInto(a, out), 2);
  assert.equal(acks.ackInto(a, out), 0);
  assert.equal(acks.ackInto(c, out), 1);
  assert.deepEqual(out, [1, 5, 6, 7]);
  assert.equal(acks.pending, 0);
});
