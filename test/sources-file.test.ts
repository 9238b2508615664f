import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { openSource } from '../src/adapters/sources/open-source.js';
import { createStreamSource } from '../src/adapters/sources/stdin-source.js';
import { createRecorder, hasNoRepeatedState } from './support/source-recorder.js';

const dir = mkdtempSync(join(tmpdir(), 'meterwire-file-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const frame = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 0x7e) & 0xff);

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('binary file: every byte arrives, then ended', async () => {
  const src = openSource(`file://${write('a.bin', frame)}`);
  const rec = createRecorder();
  src.start(rec);
  await rec.waitForState('ended');
  assert.deepEqual(new Uint8Array(rec.bytes()), frame);
  assert.deepEqual(rec.stateList(), ['connecting', 'connected', 'ended']);
  await src.stop();
});

test('hex text file (relative file: URL) is decoded to bytes', async () => {
  const path = write('a.hex', Buffer.from(frame).toString('hex').replace(/(.{32})/g, '$1\n'));
  const src = openSource(`file:${relative(process.cwd(), path)}`);
  const rec = createRecorder();
  src.start(rec);
  await rec.waitForState('ended');
  assert.deepEqual(new Uint8Array(rec.bytes()), frame);
});

test('pace=baud emits the file in several chunks, bytes intact', async () => {
  // 300 bytes at 9600 baud 8N1 (960 B/s) take about 0.3 s: many 20 ms ticks.
  const src = openSource(`file://${write('b.bin', frame)}?pace=baud&baud=9600`);
  const rec = createRecorder();
  src.start(rec);
  await rec.waitForState('ended');
  assert.ok(rec.chunks.length > 1, `expected several chunks, got ${rec.chunks.length}`);
  assert.deepEqual(new Uint8Array(rec.bytes()), frame);
});

test('loop=1 repeats the file until stop(), and stop() silences the source', async () => {
  const src = openSource(`file://${write('c.bin', Uint8Array.of(1, 2, 3))}?loop=1`);
  const rec = createRecorder();
  src.start(rec);
  await rec.waitForBytes(30);
  await src.stop();
  const seen = rec.bytes().length;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(rec.bytes().length, seen);
  assert.deepEqual([...rec.bytes().subarray(0, 9)], [1, 2, 3, 1, 2, 3, 1, 2, 3]);
  assert.ok(!rec.stateList().includes('ended'));
});

test('a missing file ends with a reason instead of throwing', async () => {
  const src = openSource(`file://${join(dir, 'nope.bin')}`);
  const rec = createRecorder();
  src.start(rec);
  await rec.waitForState('ended');
  assert.match(rec.states.at(-1)?.detail ?? '', /cannot read .*ENOENT/);
  assert.ok(hasNoRepeatedState(rec.states));
});

test('stream source (stdin): bytes then ended at EOF', async () => {
  const stream = new PassThrough();
  const src = createStreamSource(stream, 'stdin');
  const rec = createRecorder();
  src.start(rec);
  stream.write(Buffer.from([0xdb, 0x08]));
  stream.end(Buffer.from([0x53]));
  await rec.waitForState('ended');
  assert.deepEqual([...rec.bytes()], [0xdb, 0x08, 0x53]);
  assert.deepEqual(rec.stateList(), ['connected', 'ended']);
});

test('stdin: a child process reading "-" gets the piped bytes', async () => {
  const script = `
    import { openSource } from ${JSON.stringify(new URL('../src/adapters/sources/open-source.ts', import.meta.url).href)};
    const chunks = [];
    openSource('-').start({ data: (c) => chunks.push(...c), state: (s) => { if (s === 'ended') console.log(JSON.stringify(chunks)); } });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(Buffer.from([1, 2, 250]));
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), [1, 2, 250]);
});
