/**
 * A pseudo-terminal pair made by socat, standing in for a serial cable: bytes written to one end come out of
 * the other. stopSocat()/startSocat() with the same link names simulate unplugging and re-plugging the device.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the test writes to (the "meter"). */
  readonly a: string;
  /** The end the source under test opens. */
  readonly b: string;
  startSocat(): Promise<void>;
  /** Terminates socat (SIGTERM, so it removes its links) and waits for it to exit. */
  stopSocat(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` is true, polling a bounded number of times; throws with `what` when it never is. */
export async function waitFor(check: () => boolean, what: string, attempts = 400, everyMs = 25): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function createPtyPair(name = `meterwire-pty-${process.pid}-${Date.now()}`): PtyPair {
  const a = join(tmpdir(), `${name}-a`);
  const b = join(tmpdir(), `${name}-b`);
  let child: ChildProcess | undefined;
  return {
    a,
    b,
    async startSocat() {
      rmSync(a, { force: true });
      rmSync(b, { force: true });
      const c = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
      c.on('error', () => undefined);
      child = c;
      await waitFor(() => existsSync(a) && existsSync(b), 'socat to create its pty links');
    },
    async stopSocat() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
      rmSync(a, { force: true });
      rmSync(b, { force: true });
    },
  };
}

/** Writes bytes into a pty end without making it the controlling terminal of the test process. */
export function writeToPty(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  } finally {
    closeSync(fd);
  }
}
