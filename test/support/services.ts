/**
 * Availability checks for integration tests that need a real service (Mosquitto, socat). Absent service: the
 * test is skipped with a message saying what to install or start. Under CI=true an absent service is a failure,
 * so a broken CI image cannot turn the integration suite into a row of silent skips.
 */
import { execFileSync } from 'node:child_process';
import { createServer, Socket, type AddressInfo } from 'node:net';

export const isCi = process.env.CI === 'true';

/**
 * Resolves to undefined when the probe succeeds, else to a skip reason for node:test's `{ skip }` option.
 * Throws instead of skipping when CI=true.
 */
export async function requireService(name: string, probe: () => boolean | Promise<boolean>, hint: string): Promise<string | undefined> {
  let ok = false;
  try {
    ok = await probe();
  } catch {
    ok = false;
  }
  if (ok) return undefined;
  const reason = `${name} is not available: ${hint}`;
  if (isCi) throw new Error(`CI=true and ${reason}`);
  return reason;
}

export function canConnectTcp(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A TCP port free on 127.0.0.1 right now, for a server a test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
