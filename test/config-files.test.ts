/**
 * Configuration files: the README's sample loads as written (`authKey: null` is "not set"), and a file that does
 * not parse is reported by line and column without echoing any of its text, since that text is often a key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMeterError } from '../src/core/errors.js';
import { loadConfigFile } from '../src/cli/config-file.js';
import { ROOT } from './support/cli.js';
import { key } from './redact-support.js';

function withFile<T>(name: string, text: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mw-config-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, text);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first ```yaml block of the README's Configuration section. */
function readmeSample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Configuration'));
  const m = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the README has a sample configuration');
  return m[1];
}

test("the README's sample configuration loads; null means not set", () => {
  const cfg = withFile('meterwire.yaml', readmeSample(), loadConfigFile);
  assert.equal(cfg.authKey, undefined);
  assert.ok(!('authKey' in cfg), 'null is dropped, not kept as a value');
  assert.equal(typeof cfg.key, 'string');
  assert.ok(Array.isArray(cfg.outputs) && cfg.outputs.length > 0);
  const json = withFile('c.json', JSON.stringify({ source: null, key: null, profile: 'nl-dsmr5', outputs: null }), loadConfigFile);
  assert.deepEqual(json, { profile: 'nl-dsmr5' });
});

test('a wrong type is still refused with the field name, also next to null fields', () => {
  assert.throws(() => withFile('c.yaml', 'authKey: null\nwatchdogSeconds: -3\n', loadConfigFile),
    (e: unknown) => isMeterError(e) && e.code === 'BAD_CONFIG' && /watchdogSeconds/.test(e.message));
});

/** Every run of 4 or more characters of the key, lower-cased: none may appear in the message. */
function fragments(secret: string): string[] {
  const s = secret.replace(/[\s:]/g, '').toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 4 <= s.length; i++) out.push(s.slice(i, i + 4));
  return out;
}

/** The error loading `text` gives (with the temporary path taken out), or undefined when it loads. */
function loadError(name: string, text: string): { code: string; message: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'mw-config-'));
  const path = join(dir, name);
  try {
    writeFileSync(path, text);
    loadConfigFile(path);
    return undefined;
  } catch (e) {
    assert.ok(isMeterError(e), `a MeterError, got ${String(e)}`);
    return { code: e.code, message: e.message.split(path).join('<file>') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('property: a JSON or YAML config broken next to a key never shows any part of it', () => {
  const breakers = fc.constantFrom('', ',', '}', ' x', '"', ': [', '\n  - ', '\t{');
  let parseErrors = 0;
  const quoted = (k: string): string => k.replace(/["\\]/g, '');
  const jsonTexts = [
    (k: string, b: string) => `{"source": "serial:///dev/ttyUSB0", "key": ${k}${b}}`,
    (k: string, b: string) => `{"key": "${quoted(k)}" "authKey": "${quoted(k)}"${b}}`,
    (k: string, b: string, cut: number) => `{\n  "source": "serial:///dev/ttyUSB0",\n  "key": "${quoted(k)}${b}\n}`.slice(0, 60 + (cut % 20)),
  ];
  fc.assert(fc.property(key, breakers, fc.nat(3), fc.nat(40), (k, breaker, form, cut) => {
    const json = form < 3;
    const text = json ? jsonTexts[form](k, breaker, cut) : `source: serial:///dev/ttyUSB0\nkey: ${k}${breaker}\n  authKey: [${k}\n`;
    const err = loadError(json ? 'c.json' : 'c.yaml', text);
    if (!err) return;
    assert.equal(err.code, 'BAD_CONFIG');
    // The message's own words ("line", "column", "valid"…) are not the key's: a generated key may contain them.
    const lower = err.message.toLowerCase().replace(/^config file <file> is not valid (json|yaml)|at line \d+, column \d+/g, '');
    for (const f of fragments(k)) assert.ok(!lower.includes(f), `"${f}" of the key in: ${err.message}`);
    if (/not valid (JSON|YAML)/.test(err.message)) parseErrors++;
  }), { numRuns: 400 });
  assert.ok(parseErrors > 100, `${parseErrors} of 400 inputs were parse errors`);
});

test('a JSON config with a key and a missing comma: one line, position, no key text (failed before)', () => {
  const k = '36C66639E48A8CA4D6BC8B282A793BBB';
  const err = loadError('c.json', `{"key": "${k}" "authKey": "${k}"}`);
  assert.ok(err);
  assert.equal(err.code, 'BAD_CONFIG');
  assert.match(err.message, /not valid JSON at line 1, column \d+/);
  for (const f of fragments(k)) assert.ok(!err.message.toLowerCase().includes(f), err.message);
});
