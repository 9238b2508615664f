// A Mosquitto of the bench's own: free port, persistence in `dir`, extra config lines; resolves once it accepts.
import { spawn } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startMosquitto(dir, port, lines = []) {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true',
    `persistence_location ${dir}/`, ...lines, ''].join('\n'));
  chmodSync(dir, 0o777);
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; ; i++) {
    const ok = await new Promise((r) => {
      const s = netConnect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) break;
    if (child.exitCode !== null || i > 200) throw new Error(`mosquitto did not start: ${stderr}`);
    await sleep(25);
  }
  return { port, pid: child.pid, stop: () => new Promise((r) => { if (child.exitCode !== null) r(); else { child.once('exit', r); child.kill('SIGTERM'); } }) };
}
