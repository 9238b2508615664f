/**
 * Positional lists are checked field by field (DESIGN §7 "layout fits"): every built-in positional layout,
 * against its own list (made by the project's encoder) with one element dropped, doubled, moved or retyped,
 * gives LAYOUT_MISMATCH (or another error), a flagged message, or exactly the right values — never unflagged
 * wrong values.
 *
 * What types alone cannot tell apart: a mutated list whose every element still has a type its field accepts (two
 * uint32 registers swapped, two texts of the Kaifa head moved) is a list a meter could send; such lists are
 * counted, not judged. Plausibility ranges catch some of them (an energy count moved onto a voltage), not all
 * (energy ↔ power: both uint32 and in range).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecoder, type DecodeResult, type MeterMessage } from '../src/index.js';
import { BUILTIN_PROFILES } from '../src/core/profiles/builtin.js';
import type { PositionalLayout, Profile } from '../src/core/profiles/types.js';
import { buildNotificationBody, type BodyReading } from '../src/core/dlms/encode-notification-body.js';
import { encodeDataNotification } from '../src/core/dlms/encode-data-notification.js';
import { encodeGeneralGloCipher } from '../src/core/security/encode-glo-cipher.js';
import { encodeHdlcFrames } from '../src/core/framing/encode-hdlc.js';
import { nodeAesGcm as aes } from '../src/crypto/node-aes-gcm.js';
import { describeObis } from '../src/core/obis/registry.js';
import { fieldTypes, isNumericField } from '../src/core/dlms/layout-check.js';
import { hasAnyType } from '../src/core/dlms/value-types.js';
import { DataTag, type DlmsValue } from '../src/core/dlms/types.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x11 * (i % 15));
const GAK = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const DATE_TIME = { year: 2026, month: 3, day: 29, dayOfWeek: 7, hour: 3, minute: 15, second: 0, hundredths: 0, deviation: -120, clockStatus: 0x80 };
const POSITIONAL = BUILTIN_PROFILES.filter((p) => p.payload === 'positional');

/** A distinct, plausible value per field, in the field's unit. */
function valueFor(obis: string, i: number, unit: string | undefined): number {
  const q = describeObis(obis).quantity;
  if (q === 'voltage') return 229 + i;
  if (q === 'current') return 1 + i / 10;
  if (q === 'angle') return 10 + i;
  if (q.endsWith('energy')) return 1_000_000 + 1000 * i;
  if (q.endsWith('power')) return unit === 'kW' ? 1 + i / 100 : 100 + i;
  return i;
}

function listFor(layout: PositionalLayout): { items: DlmsValue[] } {
  const numeric = (f: PositionalLayout['fields'][number]): boolean =>
    isNumericField(f) || fieldTypes(f).some((t) => t === 'enum' || t === 'boolean');
  /** Text of the size a sized string type asks for. */
  const text = (f: PositionalLayout['fields'][number], i: number): string => {
    const size = fieldTypes(f).map((t) => /\[(\d+)\]$/.exec(t)).find((m) => m !== null);
    return size ? `T${i}`.padEnd(Number(size[1]), 'x').slice(0, Number(size[1])) : `T${i}`;
  };
  const readings: BodyReading[] = layout.fields.filter((f) => !f.role && !f.skip).map((f, i) =>
    ({ obis: f.obis, value: numeric(f) ? valueFor(f.obis, i, f.unit) : text(f, i) }));
  return buildNotificationBody('positional', readings, { layout, dateTime: DATE_TIME, meterNumber: 'ISK1030789375606' }) as { items: DlmsValue[] };
}

function frameOf(profile: Profile, items: DlmsValue[]): Uint8Array {
  const plain = encodeDataNotification({ invokeId: 1, dateTime: DATE_TIME, body: { type: 'structure', items } });
  if (profile.keys.length === 0) return encodeHdlcFrames(plain);
  const m = profile.match?.manufacturers?.[0] ?? 'XXX';
  const st = Uint8Array.from([...m].map((c) => c.charCodeAt(0)).concat([0x67, 0x12, 0x34, 0x56, 0x78]));
  const sc = profile.securityControls?.[0] ?? 0x20;
  return encodeHdlcFrames(encodeGeneralGloCipher(plain, { systemTitle: st, securityControl: sc, invocationCounter: 5, key: KEY,
    authKey: sc & 0x10 ? GAK : undefined }, aes));
}

function decode(profile: Profile, items: DlmsValue[]): DecodeResult[] {
  const sc = profile.securityControls?.[0] ?? 0x20;
  const d = createDecoder({ key: KEY, ...(sc & 0x10 ? { authKey: GAK } : {}) });
  return [...d.push(frameOf(profile, items)), ...d.flush()];
}

/** Flags that say something went wrong (positional readings all carry scaler_assumed/profile_unit). */
const isFlagged = (m: MeterMessage, r: MeterMessage['readings'][number]): boolean =>
  m.issues.length > 0 || r.quality.some((q) => q !== 'scaler_assumed' && q !== 'profile_unit');

function retyped(v: DlmsValue): DlmsValue {
  if (v.type === 'integer') return { type: 'octet-string', bytes: Uint8Array.of(0, 0, 0, 7) };
  if (v.type === 'octet-string') return { type: 'integer', tag: DataTag.Uint32, value: 7 };
  return { type: 'null' };
}

interface Mutation { name: string; items: DlmsValue[] }

function mutations(items: DlmsValue[]): Mutation[] {
  const out: Mutation[] = [];
  items.forEach((v, i) => {
    out.push({ name: `drop ${i + 1}`, items: items.filter((_, k) => k !== i) });
    out.push({ name: `double ${i + 1}`, items: [...items.slice(0, i + 1), v, ...items.slice(i + 1)] });
    out.push({ name: `retype ${i + 1}`, items: items.map((x, k) => (k === i ? retyped(x) : x)) });
    for (const j of [0, i + 2, items.length - 1]) {
      if (j === i || j < 0 || j >= items.length) continue;
      const moved = items.filter((_, k) => k !== i);
      moved.splice(j, 0, v);
      out.push({ name: `move ${i + 1}→${j + 1}`, items: moved });
    }
  });
  return out;
}

/** The mutated list has, element by element, types the layout accepts: types alone cannot tell it from a real one. */
function fitsByTypes(profile: Profile, items: readonly DlmsValue[]): boolean {
  return (profile.layouts ?? []).some((l) => l.elements === items.length &&
    l.fields.every((f, i) => hasAnyType(items[i], fieldTypes(f))));
}

test('built-in positional fields state what they accept (no field left to "any")', () => {
  for (const p of POSITIONAL) {
    for (const l of p.layouts ?? []) {
      for (const f of l.fields) if (!f.skip) assert.notDeepEqual(fieldTypes(f), ['any'], `${p.id}/${l.elements} ${f.obis}`);
    }
  }
});

test('every positional layout: its own list decodes; mutated lists are refused, flagged or right', (t) => {
  let checked = 0, indistinguishable = 0, refused = 0;
  for (const profile of POSITIONAL) {
    for (const layout of profile.layouts ?? []) {
      const base = listFor(layout).items;
      const truth = decode(profile, base);
      assert.equal(truth.length, 1, `${profile.id}/${layout.elements}`);
      assert.ok(!('error' in truth[0]), `${profile.id}/${layout.elements}: ${JSON.stringify(truth[0]).slice(0, 300)}`);
      const right = new Map((truth[0] as MeterMessage).readings.map((r) => [r.obis, r.value]));
      for (const mu of mutations(base)) {
        const byTypes = fitsByTypes(profile, mu.items);
        for (const r of decode(profile, mu.items)) {
          checked++;
          if ('error' in r) { refused++; continue; }
          if (byTypes) { indistinguishable++; continue; }
          for (const reading of r.readings) {
            if (isFlagged(r, reading) || !right.has(reading.obis)) continue;
            assert.deepEqual(reading.value, right.get(reading.obis),
              `${profile.id}/${layout.elements} ${mu.name}: ${reading.obis} delivered unflagged as ${reading.value}`);
          }
        }
      }
    }
  }
  t.diagnostic(`mutated lists: ${checked}, refused ${refused}, indistinguishable by types ${indistinguishable}`);
  // Refused by types or plausibility: most of them; accepted only where every element still has an accepted type.
  assert.ok(checked > 500 && refused > 0.8 * checked, `checked ${checked}, refused ${refused}, indistinguishable ${indistinguishable}`);
  assert.ok(indistinguishable < 0.2 * checked, `indistinguishable by types: ${indistinguishable} of ${checked}`);
});
