/**
 * The frame-counter rule on its own (src/app/frame-counter-tracker.ts): a property over random counter sequences
 * from a few titles, with state handed over at random "restarts", and the bound on kept titles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCounterTracker, MAX_TITLES, normalizeSystemTitle, type CounterState } from '../src/app/frame-counter-tracker.js';

const TITLES = ['4b464d1220000009', '5341478210193075', '534d530788000020'];

test('property: per title the accepted counters strictly increase, and a frame above all accepted ones is accepted', () => {
  const step = fc.record({ title: fc.constantFrom(...TITLES), counter: fc.integer({ min: 0, max: 40 }), restart: fc.boolean() });
  fc.assert(fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
    let state: CounterState | undefined;
    let tracker = createCounterTracker();
    const max = new Map<string, number>();
    for (const s of steps) {
      if (s.restart) { state = tracker.snapshot(); tracker = createCounterTracker({ initial: state }); }
      const v = tracker.check(s.title, s.counter, 0);
      const before = max.get(s.title);
      const accepted = v.kind === 'first' || v.kind === 'monotonic';
      assert.ok(v.kind !== 'reset' && v.kind !== 'limit', v.kind);
      assert.equal(accepted, before === undefined || s.counter > before, `${s.title} ${s.counter} after ${before}: ${v.kind}`);
      assert.equal(v.kind === 'first', before === undefined);
      if (accepted) max.set(s.title, s.counter);
    }
  }), { numRuns: 500 });
});

test(`at most ${MAX_TITLES} titles are kept: the next new one is refused, known ones go on`, () => {
  const tracker = createCounterTracker();
  const title = (i: number) => i.toString(16).padStart(16, '0');
  for (let i = 0; i < MAX_TITLES; i++) assert.equal(tracker.check(title(i), 1, 0).kind, 'first');
  assert.equal(tracker.check(title(MAX_TITLES), 1, 0).kind, 'limit');
  assert.equal(tracker.check(title(0), 2, 0).kind, 'monotonic');
  assert.equal(Object.keys(tracker.snapshot().meters).length, MAX_TITLES);
});

test('system titles as people type them are normalised; anything else is refused', () => {
  assert.equal(normalizeSystemTitle('4B 46 4D 12 20 00 00 09'), '4b464d1220000009');
  assert.equal(normalizeSystemTitle('4b:46:4d:12:20:00:00:09'), '4b464d1220000009');
  for (const bad of ['4b464d12200000', '4b464d1220000009aa', 'KFM1220000009xyz', '']) assert.throws(() => normalizeSystemTitle(bad), /16 hex digits/);
});
