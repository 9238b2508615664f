/** `meterwire diagnose SOURCE|CAPTURE`: reads a few frames and says what they are and which keys work. */
import { existsSync } from 'node:fs';
import { createFramer } from '../core/framing/auto-framer.js';
import { looksLikeHex } from '../core/bytes/hex.js';
import { parseKey } from '../core/security/keys.js';
import { nodeAesGcm } from '../crypto/node-aes-gcm.js';
import { openSource } from '../adapters/sources/open-source.js';
import { advice, diagnoseFrame, type DiagnoseKeys, type FrameDiagnosis } from '../app/diagnose.js';
import type { FrameEvent } from '../core/framing/types.js';
import { readInput } from './read-input.js';
import { keyOptions, type KeyFlags } from './key-options.js';
import { positiveInt, positiveNumber } from './numbers.js';
import { runSecrets } from './secrets.js';

export interface DiagnoseFlags extends KeyFlags { frames?: string; timeout?: string; json?: boolean }

interface Collected { frames: FrameEvent[]; discarded: number; openFailure?: string }

/** Frames from a live source; a source that fails before it ever opened ends the wait at once, with its reason. */
async function framesFromSource(url: string, want: number, timeoutMs: number): Promise<Collected> {
  const framer = createFramer('auto');
  const frames: FrameEvent[] = [];
  let discarded = 0;
  let opened = false;
  let openFailure: string | undefined;
  const src = openSource(url);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    const finish = () => { clearTimeout(timer); resolve(); };
    const take = (events: ReturnType<typeof framer.push>) => {
      for (const e of events) {
        if (e.type === 'frame') frames.push(e);
        else discarded += e.bytes;
      }
      if (frames.length >= want) finish();
    };
    src.start({
      data: (c) => take(framer.push(c)),
      state: (s, detail) => {
        if (s === 'connected') opened = true;
        if (s === 'disconnected' && !opened) { openFailure = detail ?? 'unknown reason'; finish(); }
        if (s === 'ended') { take(framer.flush()); finish(); }
      },
    });
  });
  await src.stop();
  return { frames: frames.slice(0, want), discarded, openFailure };
}

async function framesFromCapture(args: string[], want: number): Promise<{ frames: FrameEvent[]; discarded: number }> {
  const framer = createFramer('auto');
  const events = [...framer.push(await readInput(args)), ...framer.flush()];
  const frames = events.filter((e): e is FrameEvent => e.type === 'frame');
  const discarded = events.reduce((n, e) => n + (e.type === 'discarded' ? e.bytes : 0), 0);
  return { frames: frames.slice(0, want), discarded };
}

function render(d: FrameDiagnosis, i: number): string {
  const lines = [`frame ${i + 1}: ${d.framing}, ${d.segments} segment(s), APDU ${d.bytes} bytes`];
  if (d.securityControl !== undefined) {
    lines.push(`  security control 0x${d.securityControl.toString(16).padStart(2, '0')} (${d.hasTag ? 'authenticated + encrypted' : 'encryption only'}), ` +
      `system title ${d.systemTitle} (manufacturer ${d.manufacturer || '?'}), frame counter ${d.frameCounter}`);
  }
  for (const t of d.trials) lines.push(`  ${t.label.padEnd(32)} ${t.outcome}`);
  if (d.decoded) {
    lines.push(d.decoded.error ? `  decode: ${d.decoded.error}`
      : `  decode: ${d.decoded.readings} readings, meter ${d.decoded.meterId ?? '?'}, profile ${d.decoded.profile ?? '(generic)'}, time ${d.decoded.timestamp ?? '?'}`);
  }
  return lines.join('\n');
}

export async function runDiagnose(args: string[], flags: DiagnoseFlags): Promise<number> {
  const k = keyOptions(flags);
  runSecrets.add(k.key, k.authKey);
  if (args.length === 1) runSecrets.addUrl(args[0]);
  const keys: DiagnoseKeys = {};
  if (k.key) keys.key = parseKey(k.key, 'GUEK');
  if (k.authKey) keys.authKey = parseKey(k.authKey, 'GAK');
  const want = positiveInt(flags.frames, '--frames') ?? 3;
  const timeoutSeconds = positiveNumber(flags.timeout, '--timeout') ?? 30;
  const isCapture = args.length !== 1 || existsSync(args[0]) || args[0] === '-' || (looksLikeHex(args[0]) && !args[0].includes('://'));
  const { frames, discarded, openFailure } = isCapture ? { ...await framesFromCapture(args, want), openFailure: undefined }
    : await framesFromSource(args[0], want, timeoutSeconds * 1000);
  const diags = frames.map((f) => diagnoseFrame(f, keys, nodeAesGcm));
  const verdict = advice(diags, keys, openFailure);
  // Diagnostics never print keys; the run's redactor makes sure of it.
  const print = (text: string): void => { process.stdout.write(runSecrets.text(text)); };
  if (flags.json) {
    print(JSON.stringify({ frames: diags, discardedBytes: discarded, ...(openFailure ? { openFailure } : {}), advice: verdict }) + '\n');
  } else {
    for (const [i, d] of diags.entries()) print(render(d, i) + '\n');
    if (discarded) print(`(${discarded} bytes outside frames were skipped)\n`);
    print(`→ ${verdict}\n`);
  }
  return frames.length > 0 ? 0 : 1;
}
