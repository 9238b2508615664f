/**
 * The shipped systemd unit and `meterwire service print|install`: ExecStart names this node and this meterwire by
 * absolute path, and systemd's own checker (systemd-analyze verify) finds nothing wrong with either file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/cli.js';
import { hasCommand, requireService } from './support/services.js';
import { tempDir } from './fanout-support.js';
import { renderUnit, systemdArg, UNIT_NAME } from '../src/cli/service-command.js';
import { READER_NODE_FLAGS } from '../src/cli/reader-node-flags.js';

const TEMPLATE = readFileSync(join(ROOT, 'packaging', UNIT_NAME), 'utf8');
const skipVerify = await requireService('systemd-analyze', () => hasCommand('systemd-analyze'),
  'install systemd (apt-get install systemd) to check the unit with systemd-analyze verify');

// tsx by its resolved path: --import resolves a bare name from the cwd, and some runs are outside the checkout.
const cli = (args: string[], cwd = ROOT) => spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args],
  { cwd, encoding: 'utf8' });

/** Directives of a unit file as [section, key, value], comments and blank lines left out. */
function directives(unit: string): [string, string, string][] {
  let section = '';
  const out: [string, string, string][] = [];
  for (const line of unit.split('\n')) {
    if (/^\s*(#|;|$)/.test(line)) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) { section = s[1]; continue; }
    const i = line.indexOf('=');
    out.push([section, line.slice(0, i), line.slice(i + 1)]);
  }
  return out;
}

const value = (unit: string, key: string) => directives(unit).filter(([, k]) => k === key).map(([, , v]) => v);

/**
 * systemd-analyze verify: exit code 0 and no complaint naming this unit. In a container it may also talk about
 * the host (no running systemd, missing units of its own): lines that do not name our file are not ours to fail on.
 */
function verify(unitPath: string): { ok: boolean; ours: string[]; other: string[] } {
  const r = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim());
  const name = unitPath.split('/').pop() as string;
  const ours = lines.filter((l) => l.includes(name));
  return { ok: r.status === 0 && ours.length === 0, ours, other: lines.filter((l) => !l.includes(name)) };
}

test('the shipped unit: a dedicated user with dialout, config in /etc, state dir, SIGHUP reload, restart on failure', () => {
  assert.deepEqual(value(TEMPLATE, 'User'), ['meterwire']);
  assert.deepEqual(value(TEMPLATE, 'SupplementaryGroups'), ['dialout']);
  assert.deepEqual(value(TEMPLATE, 'ExecStart'), ['/usr/bin/env meterwire read --config /etc/meterwire/meterwire.yaml --state-dir /var/lib/meterwire']);
  assert.deepEqual(value(TEMPLATE, 'ExecReload'), ['/bin/kill -HUP $MAINPID']);
  assert.deepEqual(value(TEMPLATE, 'Restart'), ['on-failure']);
  assert.deepEqual(value(TEMPLATE, 'StateDirectory'), ['meterwire']);
  assert.deepEqual(value(TEMPLATE, 'WorkingDirectory'), ['/var/lib/meterwire']);
  // Sandboxed, but the serial adapter (/dev) and the network stay reachable.
  assert.deepEqual(value(TEMPLATE, 'ProtectSystem'), ['strict']);
  assert.deepEqual(value(TEMPLATE, 'NoNewPrivileges'), ['yes']);
  for (const hidesDevices of ['PrivateDevices', 'DevicePolicy', 'PrivateNetwork', 'IPAddressDeny']) {
    assert.deepEqual(value(TEMPLATE, hidesDevices), [], `${hidesDevices} would cut the reader off its meter`);
  }
  assert.match(value(TEMPLATE, 'RestrictAddressFamilies')[0], /AF_INET AF_INET6/);
  assert.deepEqual(value(TEMPLATE, 'WantedBy'), ['multi-user.target']);
});

test("renderUnit fills in node with the reader's flags and main.js by absolute path and changes nothing else", () => {
  const unit = renderUnit(TEMPLATE, { node: '/usr/bin/node', script: '/usr/lib/node_modules/meterwire/dist/cli/main.js', config: '/etc/meterwire/meterwire.yaml' });
  assert.deepEqual(value(unit, 'ExecStart'),
    ['/usr/bin/node --optimize-for-size /usr/lib/node_modules/meterwire/dist/cli/main.js read --config /etc/meterwire/meterwire.yaml --state-dir /var/lib/meterwire']);
  const others = (u: string) => directives(u).filter(([, k]) => k !== 'ExecStart');
  assert.deepEqual(others(unit), others(TEMPLATE));
  assert.throws(() => renderUnit('[Service]\nExecStart=/bin/true\n', { node: '/n', script: '/s', config: '/c' }), /no "ExecStart=/);
});

test('systemdArg quotes spaces and escapes what systemd would expand', () => {
  assert.equal(systemdArg('/opt/node-20/bin/node'), '/opt/node-20/bin/node');
  assert.equal(systemdArg('/srv/my meters/meterwire.yaml'), '"/srv/my meters/meterwire.yaml"');
  assert.equal(systemdArg('/srv/100%/a$b'), '"/srv/100%%/a$$b"');
  assert.equal(systemdArg('/srv/q"uote'), '"/srv/q\\"uote"');
});

test('meterwire service print: this node, this checkout\'s dist/cli/main.js, the config made absolute', () => {
  const tmp = tempDir();
  try {
    const r = cli(['service', 'print', '--config', 'conf/meterwire.yaml'], tmp.dir);
    assert.equal(r.status, 0, r.stderr);
    const exec = value(r.stdout, 'ExecStart');
    const script = join(realpathSync(ROOT), 'dist/cli/main.js');
    assert.deepEqual(exec, [`${realpathSync(process.execPath)} --optimize-for-size ${script} read --config ${join(realpathSync(tmp.dir), 'conf/meterwire.yaml')} --state-dir /var/lib/meterwire`]);
    assert.match(r.stderr, /conf\/meterwire\.yaml does not exist yet/);
    if (!existsSync(script)) assert.match(r.stderr, /does not exist: build it first/);
  } finally {
    tmp.remove();
  }
});

test('meterwire service install writes the unit and the next steps, and replaces it only with --force', () => {
  const tmp = tempDir();
  try {
    const config = join(tmp.dir, 'meterwire.yaml');
    writeFileSync(config, 'source: serial:///dev/ttyUSB0\n');
    const first = cli(['service', 'install', '--unit-dir', tmp.dir, '--config', config]);
    assert.equal(first.status, 0, first.stderr);
    const unitPath = join(tmp.dir, UNIT_NAME);
    assert.match(first.stdout, new RegExp(`wrote ${unitPath}`));
    assert.match(first.stdout, /systemctl daemon-reload && systemctl enable --now meterwire/);
    assert.match(first.stdout, /useradd --system/);
    assert.equal(value(readFileSync(unitPath, 'utf8'), 'ExecStart')[0].split(' ')[0], realpathSync(process.execPath));

    writeFileSync(unitPath, '# edited by hand\n');
    const again = cli(['service', 'install', '--unit-dir', tmp.dir, '--config', config]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists; --force replaces it/);
    assert.equal(readFileSync(unitPath, 'utf8'), '# edited by hand\n');
    const forced = cli(['service', 'install', '--unit-dir', tmp.dir, '--config', config, '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(readFileSync(unitPath, 'utf8'), /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);

    const nowhere = cli(['service', 'install', '--unit-dir', join(tmp.dir, 'missing'), '--config', config]);
    assert.equal(nowhere.status, 1);
    assert.match(nowhere.stderr, /cannot write .*meterwire\.service \(ENOENT\)/);
    assert.doesNotMatch(nowhere.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    tmp.remove();
  }
});

test('systemd-analyze verify accepts the shipped unit and the printed one, and flags a broken copy', { skip: skipVerify }, () => {
  const tmp = tempDir();
  try {
    const shipped = join(tmp.dir, UNIT_NAME);
    writeFileSync(shipped, TEMPLATE);
    const a = verify(shipped);
    assert.ok(a.ok, `shipped unit: ${a.ours.join('\n')}`);

    const printed = join(tmp.dir, 'meterwire-printed.service');
    const r = cli(['service', 'print']);
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(printed, r.stdout);
    const b = verify(printed);
    assert.ok(b.ok, `printed unit: ${b.ours.join('\n')}`);

    // The check can fail: a misspelled directive and an unknown restart mode are reported against the file.
    const broken = join(tmp.dir, 'meterwire-broken.service');
    writeFileSync(broken, TEMPLATE.replace('Restart=on-failure', 'Restart=sometimes').replace('RestartSec=', 'RestartSecs='));
    const c = verify(broken);
    assert.equal(c.ok, false);
    assert.ok(c.ours.some((l) => /sometimes/.test(l)) && c.ours.some((l) => /RestartSecs/.test(l)), c.ours.join('\n'));
  } finally {
    tmp.remove();
  }
});

test('npm start passes the reader its node flags (the same as the unit\'s ExecStart)', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(scripts.start, `exec node ${READER_NODE_FLAGS.join(' ')} dist/cli/main.js read`);
});
