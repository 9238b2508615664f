/**
 * `meterwire service print|install`: the systemd unit shipped in packaging/meterwire.service, with ExecStart
 * naming this node and this meterwire's main.js by absolute path, since systemd's PATH rarely holds the node a
 * user installed (nvm, /opt). `install` only writes the unit file: creating the user, the configuration and
 * enabling the unit stay explicit steps, printed after it, so nothing on the system changes unseen.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READER_NODE_FLAGS } from './reader-node-flags.js';

export const UNIT_NAME = 'meterwire.service';
export const DEFAULT_CONFIG = '/etc/meterwire/meterwire.yaml';
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';
const TEMPLATE_EXEC = /^ExecStart=\/usr\/bin\/env meterwire read --config \S+/m;

const packageFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export interface UnitPaths {
  /** The node binary (process.execPath). */
  node: string;
  /** The built CLI entry point, dist/cli/main.js. */
  script: string;
  /** The configuration file the service reads. */
  config: string;
}

/** One ExecStart argument as systemd reads it: `%` and `$` are specifiers there, quotes and spaces split words. */
export function systemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The shipped unit with ExecStart pointing at `paths`. */
export function renderUnit(template: string, paths: UnitPaths): string {
  if (!TEMPLATE_EXEC.test(template)) throw new Error(`${UNIT_NAME}: no "ExecStart=/usr/bin/env meterwire read --config …" line to fill in`);
  const exec = `ExecStart=${[paths.node, ...READER_NODE_FLAGS, paths.script].map(systemdArg).join(' ')} read --config ${systemdArg(paths.config)}`;
  return template.replace(TEMPLATE_EXEC, exec);
}

export function installedPaths(config: string): UnitPaths {
  const script = packageFile('dist/cli/main.js');
  return {
    node: realpathSync(process.execPath),
    script: existsSync(script) ? realpathSync(script) : script,
    config: resolve(config),
  };
}

/** What would keep the unit from starting, as warnings (the unit is still printed). */
export function unitWarnings(paths: UnitPaths): string[] {
  const out: string[] = [];
  if (!existsSync(paths.script)) out.push(`${paths.script} does not exist: build it first (npm run build), or install meterwire with npm install -g`);
  for (const p of [paths.node, paths.script]) {
    if (/^\/(root|home|run\/user)\//.test(p)) {
      out.push(`${p} is in a home directory, which the service cannot read (User=meterwire, ProtectHome=yes): ` +
        'install Node.js and meterwire system-wide (a packaged nodejs, then npm install -g)');
    }
  }
  if (!existsSync(paths.config)) out.push(`${paths.config} does not exist yet: write the configuration there before starting the service`);
  return out;
}

export function nextSteps(unitPath: string, config: string): string {
  return [
    `wrote ${unitPath}`,
    'next, as root:',
    '  useradd --system --user-group --home-dir /var/lib/meterwire --shell /usr/sbin/nologin meterwire   # once',
    `  install -d -m 0750 -g meterwire ${dirname(resolve(config))}   # the configuration: mode 0640, group meterwire`,
    '  systemctl daemon-reload && systemctl enable --now meterwire',
    '  journalctl -u meterwire -f        # the log',
    '  systemctl reload meterwire        # re-read the configuration (SIGHUP)',
    '',
  ].join('\n');
}

export interface ServiceFlags { config?: string; unitDir?: string; force?: boolean }

function render(flags: ServiceFlags, err: NodeJS.WritableStream): string {
  const paths = installedPaths(flags.config ?? DEFAULT_CONFIG);
  for (const w of unitWarnings(paths)) err.write(`meterwire service: warning: ${w}\n`);
  return renderUnit(readFileSync(packageFile(`packaging/${UNIT_NAME}`), 'utf8'), paths);
}

export function runServicePrint(flags: ServiceFlags, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  out.write(render(flags, err));
  return 0;
}

export function runServiceInstall(flags: ServiceFlags, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  const unitPath = join(flags.unitDir ?? DEFAULT_UNIT_DIR, UNIT_NAME);
  if (existsSync(unitPath) && !flags.force) {
    err.write(`meterwire service: ${unitPath} exists; --force replaces it (e.g. after a new node or meterwire path)\n`);
    return 1;
  }
  const unit = render(flags, err);
  try {
    writeFileSync(unitPath, unit, { mode: 0o644 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' || code === 'EPERM' ? ': run it as root, or `meterwire service print > meterwire.service`' : '';
    err.write(`meterwire service: cannot write ${unitPath} (${code ?? 'error'})${hint}\n`);
    return 1;
  }
  out.write(nextSteps(unitPath, flags.config ?? DEFAULT_CONFIG));
  return 0;
}
