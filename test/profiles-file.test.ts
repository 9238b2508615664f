import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfileFile } from '../src/adapters/profile-file.js';
import { selectProfile } from '../src/core/profiles/select.js';
import { BUILTIN_PROFILES } from '../src/core/profiles/builtin.js';
import { isMeterError } from '../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'meterwire-profile-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const good = {
  id: 'at-my-meter',
  meter: 'Example AM550',
  operator: 'Example Netz',
  country: 'AT',
  framing: 'hdlc',
  serial: { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
  keys: ['GUEK'],
  payload: 'positional',
  intervalMs: 5000,
  timezone: 'Europe/Vienna',
  layouts: [{ elements: 3, fields: [
    { obis: '0-0:1.0.0', role: 'timestamp' },
    { obis: '1-0:1.8.0', scaler: 0, unit: 'Wh' },
    { obis: '1-0:1.7.0', scaler: 0, unit: 'W' },
  ] }],
  match: { manufacturers: ['XYZ'], elements: [3] },
};

function write(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

test('a valid profile file loads and can be selected', () => {
  const p = loadProfileFile(write('good.json', JSON.stringify(good)));
  assert.equal(p.id, 'at-my-meter');
  assert.equal(p.layouts?.[0].fields[1].unit, 'Wh');
  assert.equal(selectProfile({ format: 'hdlc', manufacturer: 'XYZ', elements: 3 }, [...BUILTIN_PROFILES, p])?.id,
    'at-my-meter');
});

function errorOf(fn: () => unknown): Error {
  try { fn(); } catch (e) { return e as Error; }
  assert.fail('expected an error');
}

test('a bad profile file gives one clear message naming the fields and the fix', () => {
  const bad = { ...good, serial: { ...good.serial, parity: 'e' }, intervall: 5000,
    layouts: [{ elements: 4, fields: good.layouts[0].fields }] };
  const e = errorOf(() => loadProfileFile(write('bad.json', JSON.stringify(bad))));
  assert.ok(isMeterError(e));
  assert.equal(e.code, 'BAD_CONFIG');
  assert.match(e.message, /bad\.json/);
  assert.match(e.message, /serial\.parity: expected "none", "even" or "odd"/);
  assert.match(e.message, /unknown field\(s\) "intervall": remove or fix the spelling/);
  assert.match(e.message, /layouts\[0\]\.fields: fields must list exactly `elements` entries/);
});

test('missing file, bad JSON, bad OBIS code, positional without layouts', () => {
  assert.match(errorOf(() => loadProfileFile(join(dir, 'nope.json'))).message, /cannot read it \(ENOENT\)/);
  assert.match(errorOf(() => loadProfileFile(write('syntax.json', '{"id": '))).message, /not valid JSON/);
  const obis = { ...good, layouts: [{ elements: 1, fields: [{ obis: '1.8.0' }] }] };
  assert.match(errorOf(() => loadProfileFile(write('obis.json', JSON.stringify(obis)))).message,
    /layouts\[0\]\.fields\[0\]\.obis: expected an OBIS code like "1-0:1.8.0"/);
  const { layouts: _omit, ...noLayouts } = good;
  assert.match(errorOf(() => loadProfileFile(write('nolayouts.json', JSON.stringify(noLayouts)))).message,
    /layouts: a "positional" profile needs layouts/);
});
