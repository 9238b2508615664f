import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_PROFILES, getProfile, listProfiles } from '../src/core/profiles/builtin.js';
import { parseProfile } from '../src/adapters/profile-file.js';
import { lookupObis } from '../src/core/obis/registry.js';
import { buildNotificationBody } from '../src/core/dlms/encode-notification-body.js';
import { checkLayout } from '../src/core/dlms/layout-check.js';
import type { DlmsValue } from '../src/core/dlms/types.js';
import type { PositionalLayout } from '../src/core/profiles/types.js';
import { loadVectors, vector, VECTORS_SKIP } from './support/vectors.js';

test('every built-in profile passes the profile-file schema', () => {
  for (const p of BUILTIN_PROFILES) {
    assert.doesNotThrow(() => parseProfile(JSON.parse(JSON.stringify(p)), p.id), p.id);
  }
});

test('profile ids are unique and getProfile/listProfiles agree', () => {
  const ids = BUILTIN_PROFILES.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.equal(getProfile(id)?.id, id);
  assert.equal(getProfile('no-such-profile'), undefined);
  assert.equal(listProfiles(), BUILTIN_PROFILES);
  assert.ok(Object.isFrozen(BUILTIN_PROFILES[0]) && Object.isFrozen(BUILTIN_PROFILES[0].serial));
});

test('the expected families are present', () => {
  for (const id of ['nl-dsmr5', 'nl-dsmr4', 'nl-dsmr22', 'be-fluvius', 'lu-smarty', 'at-steiermark-t210dr',
    'at-evn-sagemcom-t210d', 'at-evn-kaifa-ma309', 'at-ksm-west-kaifa', 'at-tinetz-kaifa', 'at-salzburg-kaifa',
    'at-vorarlberg-kaifa', 'at-wienernetze-siemens', 'at-wienernetze-iskra', 'at-kaernten-am550', 'at-lg-e450',
    'at-burgenland-lg-e450', 'no-aidon', 'no-kaifa', 'no-kamstrup', 'se-aidon', 'dk-kamstrup-omnipower']) {
    assert.ok(getProfile(id), id);
  }
});

/**
 * A profile may have several layouts of one element count (Slovenian energy and Celje lists): each one's own
 * list, as the encoder builds it, must fit it and no other layout of that count, or the first would win silently.
 */
function assertSameCountLayoutsDiffer(id: string, layouts: readonly PositionalLayout[]): void {
  const dateTime = { year: 2026, month: 3, day: 1, hour: 12, minute: 0, second: 0, deviation: -60 };
  for (const a of layouts) {
    const readings = a.fields.filter((f) => !f.role && !f.skip)
      .map((f) => ({ obis: f.obis, value: f.scaler !== undefined || f.unit !== undefined ? 1 : 'X1' }));
    const body = buildNotificationBody('positional', readings, { layout: a, dateTime, meterNumber: 'ISK1030789375606' });
    const items = (body as { items: DlmsValue[] }).items;
    for (const b of layouts) {
      if (b === a || b.elements !== a.elements) continue;
      assert.ok(checkLayout(b, items) !== undefined, `${id}: two layouts of ${a.elements} elements accept the same list`);
    }
  }
}

test('positional profiles: one field per element, known OBIS codes, at most one meter-id', () => {
  for (const p of BUILTIN_PROFILES.filter((x) => x.payload === 'positional')) {
    assert.ok(p.layouts && p.layouts.length, p.id);
    const counts = p.layouts.map((l) => l.elements);
    assertSameCountLayoutsDiffer(p.id, p.layouts);
    for (const l of p.layouts) {
      assert.equal(l.fields.length, l.elements, `${p.id}/${l.elements}`);
      assert.ok(l.fields.filter((f) => f.role === 'meter-id').length <= 1, `${p.id}/${l.elements}`);
      for (const f of l.fields) assert.ok(lookupObis(f.obis), `${p.id}: ${f.obis} not in the registry`);
    }
    for (const n of p.match?.elements ?? []) assert.ok(counts.includes(n), `${p.id}: match ${n} has no layout`);
  }
});

test('scaler tables name registry codes', () => {
  for (const p of BUILTIN_PROFILES) {
    for (const code of Object.keys(p.scalers ?? {})) assert.ok(lookupObis(code), `${p.id}: ${code}`);
  }
});

/** Positional captures and the profile whose layout must fit them. */
const POSITIONAL: [string, string][] = [
  ['wn-siemens-sms', 'at-wienernetze-siemens'],
  ['wn-iskra-isk', 'at-wienernetze-iskra'],
  ['kaernten-kelag-am550-gh787-1', 'at-kaernten-am550'],
  ['kaernten-am550-shrdzm', 'at-kaernten-am550'],
  ['no-kaifa-ma304h3e', 'no-kaifa'],
];

test('positional layouts fit the leaves of the public captures', { skip: loadVectors() ? false : VECTORS_SKIP }, () => {
  for (const [vid, pid] of POSITIONAL) {
    const leaves = vector(vid)?.hints?.observed_decoded_leaves;
    assert.ok(leaves, `${vid}: no leaves`);
    const layout = getProfile(pid)?.layouts?.find((l) => l.elements === leaves.length);
    assert.ok(layout, `${pid} has no ${leaves.length}-element layout for ${vid}`);
    layout.fields.forEach((f, i) => {
      const leaf = leaves[i];
      if (f.skip) return;
      if (f.role === 'timestamp') assert.match(String(leaf), /^\d{4}-\d\d-\d\d /, `${vid}[${i}]`);
      else if (f.role) assert.equal(typeof leaf, 'string', `${vid}[${i}] ${f.role}`);
      else if (f.scaler !== undefined) assert.equal(typeof leaf, 'number', `${vid}[${i}] ${f.obis}`);
    });
  }
});

test('Kaifa NO scalers give plausible values for the MA304H3E capture', { skip: loadVectors() ? false : VECTORS_SKIP },
  () => {
    const leaves = vector('no-kaifa-ma304h3e')?.hints?.observed_decoded_leaves as (number | string)[];
    const layout = getProfile('no-kaifa')?.layouts?.find((l) => l.elements === 13);
    assert.ok(layout);
    const value = (obis: string): number => {
      const i = layout.fields.findIndex((f) => f.obis === obis);
      return (leaves[i] as number) * 10 ** (layout.fields[i].scaler ?? 0);
    };
    assert.ok(value('1-0:32.7.0') > 200 && value('1-0:32.7.0') < 260, 'voltage L1 in volts');
    assert.ok(value('1-0:31.7.0') > 0 && value('1-0:31.7.0') < 100, 'current L1 in amperes');
  });
