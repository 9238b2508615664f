/**
 * `meterwire diagnose` on captures written by `meterwire simulate … file:`: the verdict for correct, swapped,
 * wrong-GAK and missing keys, as text and as --json, and through a source URL. Keys never appear in the output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitWithin, runCli, type CliRun } from './support/cli.js';
import { DEMO_AUTH_KEY, DEMO_KEY } from '../src/sim/simulator.js';

const dir = mkdtempSync(join(tmpdir(), 'meterwire-read-diagnose-'));
const smarty = join(dir, 'smarty.bin');
const evn = join(dir, 'evn.bin');
const dsmr = join(dir, 'dsmr.bin');
const WRONG_GAK = '0f0e0d0c0b0a09080706050403020100';

async function capture(profile: string, path: string): Promise<void> {
  const run = runCli(['simulate', '--profile', profile, `file:${path}`, '--interval', '20', '--count', '3']);
  assert.equal(await exitWithin(run, 45_000), 0, run.stderr());
  assert.ok(statSync(path).size > 100);
}

before(async () => {
  await Promise.all([capture('lu-smarty', smarty), capture('at-evn-sagemcom-t210d', evn), capture('nl-dsmr5', dsmr)]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function diagnose(args: string[]): Promise<{ run: CliRun; text: string; code: number | null }> {
  const run = runCli(['diagnose', ...args]);
  const code = await exitWithin(run, 45_000);
  const text = run.lines.map((l) => ('text' in l ? String(l.text) : JSON.stringify(l))).join('\n');
  assert.doesNotMatch(text + run.stderr(), new RegExp(`${DEMO_KEY}|${DEMO_AUTH_KEY}|${WRONG_GAK}`, 'i'), 'keys are never printed');
  return { run, text, code };
}

test('diagnose: correct GUEK and GAK → "both keys are correct"', { timeout: 60_000 }, async () => {
  const { text, code } = await diagnose([smarty, '--key', DEMO_KEY, '--auth-key', DEMO_AUTH_KEY]);
  assert.equal(code, 0);
  assert.match(text, /→ both keys are correct/);
  assert.match(text, /frame 3: apdu/);
  assert.match(text, /security control 0x30 \(authenticated \+ encrypted\)/);
});

test('diagnose: swapped keys → "swapped"', { timeout: 60_000 }, async () => {
  const { text } = await diagnose([smarty, '--key', DEMO_AUTH_KEY, '--auth-key', DEMO_KEY]);
  assert.match(text, /→ your keys are swapped/);
});

test('diagnose: right GUEK, wrong GAK → "GAK does not verify"', { timeout: 60_000 }, async () => {
  const { text } = await diagnose([smarty, '--key', DEMO_KEY, '--auth-key', WRONG_GAK]);
  assert.match(text, /→ the GUEK is right but the GAK does not verify/);
});

test('diagnose: no key → ask the grid operator for the GUEK (and GAK)', { timeout: 60_000 }, async () => {
  const a = await diagnose([smarty]);
  assert.match(a.text, /→ the meter encrypts \(security control 0x30\): ask your grid operator for the GUEK and the GAK/);
  const b = await diagnose([evn]);
  assert.match(b.text, /→ the meter encrypts \(security control 0x20\): ask your grid operator for the GUEK and pass --key$/m);
});

test('diagnose: EVN with its GUEK → encryption only, no GAK needed; DSMR → no key needed', { timeout: 60_000 }, async () => {
  const a = await diagnose([evn, '--key', DEMO_KEY]);
  assert.match(a.text, /frame 1: mbus, 2 segment\(s\)/);
  assert.match(a.text, /no GAK needed/);
  const b = await diagnose([dsmr]);
  assert.match(b.text, /no key is needed/);
});

test('diagnose --json: frames, trials and the advice as one JSON object', { timeout: 60_000 }, async () => {
  const { run, code } = await diagnose([smarty, '--json', '--key', DEMO_AUTH_KEY, '--auth-key', DEMO_KEY]);
  assert.equal(code, 0);
  assert.equal(run.lines.length, 1);
  const out = run.lines[0] as { frames: { securityControl: number; trials: { label: string; outcome: string }[] }[]; advice: string; discardedBytes: number };
  assert.equal(out.frames.length, 3);
  assert.equal(out.frames[0].securityControl, 0x30);
  assert.deepEqual(out.frames[0].trials.find((t) => t.label === 'keys swapped')?.outcome, 'verified');
  assert.match(out.advice, /swapped/);
  assert.equal(out.discardedBytes, 0);
  const ok = await diagnose([smarty, '--json', '--key', DEMO_KEY, '--auth-key', DEMO_AUTH_KEY]);
  assert.match((ok.run.lines[0] as { advice: string }).advice, /both keys are correct/);
});

test('diagnose through a source URL (file:…) reads frames like a live source', { timeout: 60_000 }, async () => {
  const { text, code } = await diagnose([`file:${smarty}`, '--frames', '2', '--timeout', '20', '--key', DEMO_KEY, '--auth-key', DEMO_AUTH_KEY]);
  assert.equal(code, 0);
  assert.match(text, /frame 2: apdu/);
  assert.doesNotMatch(text, /frame 3:/);
  assert.match(text, /both keys are correct/);
});
