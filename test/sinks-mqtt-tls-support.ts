/**
 * A private TLS Mosquitto for tests: a CA, a server certificate for 127.0.0.1 and a client certificate made
 * with openssl in a temp dir, a second unrelated CA for the "wrong CA" case, and mosquitto on a free loopback
 * port requiring client certificates. stop() ends the broker; the caller removes the temp dir.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canConnectTcp, freePort } from './support/services.js';
export { freePort };


export interface TlsFiles { ca: string; wrongCa: string; clientCert: string; clientKey: string; serverCert: string; serverKey: string }

const openssl = (dir: string, args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=meterwire test ${name}`]);
}

function makeLeaf(dir: string, name: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`,
    '-days', '2', '-extfile', `${name}.ext`]);
}

export function makeTlsFiles(dir: string): TlsFiles {
  makeCa(dir, 'ca');
  makeCa(dir, 'wrong-ca');
  makeLeaf(dir, 'server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeLeaf(dir, 'client', 'extendedKeyUsage=clientAuth\n');
  // mosquitto started as root drops to its own user: it must be able to read the (throw-away) keys.
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  const p = (f: string) => join(dir, f);
  return { ca: p('ca.crt'), wrongCa: p('wrong-ca.crt'), clientCert: p('client.crt'), clientKey: p('client.key'), serverCert: p('server.crt'), serverKey: p('server.key') };
}

export interface TlsBroker { port: number; stop(): Promise<void> }

export async function startTlsBroker(dir: string, files: TlsFiles): Promise<TlsBroker> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, `cafile ${files.ca}`, `certfile ${files.serverCert}`, `keyfile ${files.serverKey}`,
    'require_certificate true', 'allow_anonymous true', ''].join('\n'));
  chmodSync(conf, 0o644);
  const child: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const deadline = Date.now() + 10_000;
  while (!(await canConnectTcp('127.0.0.1', port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start on ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
