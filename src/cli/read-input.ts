/** Resolves the decode command's INPUT: a file (binary, hex text or DSMR telegram), '-' for stdin, or hex text. */
import { readFileSync, statSync } from 'node:fs';
import { MeterError } from '../core/errors.js';
import { looksLikeHex } from '../core/bytes/hex.js';
import { inputToBytes } from '../input-bytes.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export async function readInput(args: string[]): Promise<Uint8Array> {
  if (args.length === 0 || (args.length === 1 && args[0] === '-')) {
    if (process.stdin.isTTY) {
      throw new MeterError('BAD_HEX', 'input', 'no input: pass a hex string, a capture file, or pipe data into stdin with "-"');
    }
    return inputToBytes(await readStdin());
  }
  if (args.length === 1 && isFile(args[0])) return inputToBytes(new Uint8Array(readFileSync(args[0])));
  const text = args.join(' ');
  if (!looksLikeHex(text)) {
    const what = args.length === 1 && !/\s/.test(text) && /[./\\]/.test(text) ? `no such file: ${text}` : 'the input is neither an existing file nor hex';
    throw new MeterError('BAD_HEX', 'input', `${what} (give a hex string, a capture file, or - for stdin)`);
  }
  return inputToBytes(text);
}
