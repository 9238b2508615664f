#!/usr/bin/env node
/** meterwire command line: argv → options → app. Errors are one clear line, never a stack trace. */
import { Command, Option } from 'commander';
import { reportFatal } from './fatal.js';
import { READ_HELP } from './read-help.js';

// Commands load on use: `decode` on one frame should not pull in MQTT, database and serial drivers.
const commands = {
  decode: () => import('./decode-command.js'),
  profiles: () => import('./profiles-command.js'),
  read: () => import('./read-command.js'),
  simulate: () => import('./simulate-command.js'),
  diagnose: () => import('./diagnose-command.js'),
  ports: () => import('./ports-command.js'),
  export: () => import('./export-command.js'),
  counters: () => import('./counters-command.js'),
  service: () => import('./service-command.js'),
  dashboard: () => import('./dashboard-command.js'),
};

const program = new Command();
program
  .name('meterwire')
  .description('Read and decrypt the customer interface of European smart meters (DSMR P1, DLMS/COSEM over M-Bus/HDLC).')
  .version('0.1.0');

program.command('decode')
  .description('decode a captured frame or telegram: a hex string, a file (binary, hex text or DSMR text), or - for stdin')
  .argument('[input...]', 'hex string, capture file, or - for stdin')
  .option('-k, --key <GUEK>', 'encryption key (GUEK): 32 hex digits or 16 characters [env METERWIRE_KEY]')
  .option('-a, --auth-key <GAK>', 'authentication key (GAK) to verify the tag [env METERWIRE_AUTH_KEY]')
  .addOption(new Option('-f, --format <format>', 'outer framing').choices(['auto', 'dsmr', 'mbus', 'hdlc', 'apdu']).default('auto'))
  .option('-p, --profile <id|file.json>', 'meter profile id (see `meterwire profiles`) or a profile file; default: detected')
  .option('--pretty', 'print a readable table instead of JSON lines')
  .option('--apdu', 'include the decrypted APDU (hex) in each message, for diagnostics')
  .option('--allow-unauthenticated', 'accept frames without an authentication tag where one is required (refused by default as a possible downgrade)')
  .action(async (input: string[], flags) => {
    process.exitCode = await (await commands.decode()).runDecode(input, flags);
  });

const FORMAT = () => new Option('-f, --format <format>', 'outer framing').choices(['auto', 'dsmr', 'mbus', 'hdlc', 'apdu']);

program.command('read')
  .description('read a meter continuously and print one JSON message per line (no SOURCE: the built-in simulated meter)')
  .argument('[source]', 'serial:///dev/ttyUSB0[?baud=…&parity=…], tcp://host:port, tcp-listen://addr:port, mqtt://broker/topic, file:capture.bin, -, sim:PROFILE')
  .option('-k, --key <GUEK>', 'encryption key (GUEK) [env METERWIRE_KEY; KEY only if well-formed]')
  .option('-a, --auth-key <GAK>', 'authentication key (GAK) [env METERWIRE_AUTH_KEY; AAD only if well-formed]')
  .option('-p, --profile <id>', 'meter profile: serial settings, layouts (see `meterwire profiles`)')
  .addOption(FORMAT())
  .option('--allow-unauthenticated', 'accept frames without an authentication tag where one is required (refused by default as a possible downgrade)')
  .option('-c, --config <file>', 'configuration file (YAML or JSON); SIGHUP reloads it')
  .option('-n, --count <n>', 'exit after n messages')
  .option('--pretty', 'print a readable table instead of JSON lines')
  .option('--stats', 'print health counters to stderr every 10 s and at exit')
  .option('--watchdog <seconds>', 'recycle the connection after this long without a frame (default 3× the push interval)')
  .option('--state-dir <dir>', 'where frame counters are kept across restarts (default ./data)')
  .option('--accept-counter-reset <systemTitle>', 'accept one frame counter reset of this meter in this run (see `meterwire counters`), repeatable',
    (v: string, prev: string[] = []) => [...prev, v])
  .option('--print-config', 'print the effective configuration (keys redacted) to stderr')
  .option('-o, --output <url>', 'where messages go, repeatable: - (stdout), mqtt://…, sqlite:…, postgres://…, mysql://…, mongodb://…, influx://…, dsmr-tcp://…, prometheus://…, web://… (default: stdout)',
    (v: string, prev: string[] = []) => [...prev, v])
  .option('--dashboard <url>', 'also serve the dashboard, e.g. web://127.0.0.1:8080 (the built-in simulated meter has it by default)')
  .option('--no-dashboard', 'no dashboard, also not the built-in simulated meter\'s')
  .addHelpText('after', READ_HELP)
  .action(async (source: string | undefined, flags) => {
    process.exitCode = await (await commands.read()).runRead(source, flags);
    process.exit();
  });

program.command('simulate')
  .description('behave like a real meter of a profile and send its messages to TARGET')
  .argument('<target>', 'tcp-listen://127.0.0.1:2001 (0.0.0.0 for other machines), tcp://host:port, mqtt://broker/topic?encoding=hex, /dev/ttyX, file:out.bin or -')
  .option('-p, --profile <id>', 'meter family to simulate (see `meterwire profiles`); required without --fleet')
  .option('-k, --key <GUEK>', 'encryption key [env METERWIRE_KEY] (default: the demo key METERWIREDEMOKEY)')
  .option('-a, --auth-key <GAK>', 'authentication key [env METERWIRE_AUTH_KEY] (default: the demo key METERWIREDEMOGAK)')
  .option('-i, --interval <ms>', 'milliseconds between messages (default: the profile\'s push interval); with --fleet: seconds per meter')
  .option('-n, --count <n>', 'stop after n messages (with --fleet, 0: only write --meters-file)')
  .option('--seed <n>', 'seed of the simulated household (with --fleet: deterministic keys, for tests only)')
  .option('--fleet <n>', 'simulate n meters, each with its own keys, publishing QoS 1 to mqtt://host:port/…/{id}/…')
  .option('--meters-file <file.csv>', 'with --fleet: the meters and keys for `meterwire fleet meters import` (reused when it matches)')
  .option('--rate <r>', 'with --fleet: total messages a second (each meter every n/r s)')
  .option('--duration <s>', 'with --fleet: stop after s seconds')
  .option('--profiles <a,b,c>', 'with --fleet: the families to mix (default: all the simulator plays)')
  .addOption(new Option('--encoding <encoding>', 'with --fleet: payload as the meter sends it or as hex text').choices(['binary', 'hex']))
  .action(async (target: string, flags) => {
    process.exitCode = await (await commands.simulate()).runSimulate(target, flags);
    process.exit();
  });

program.command('diagnose')
  .description('read a few frames (or a capture) and tell which keys work and what to do')
  .argument('<source...>', 'a source URL as for read, a capture file, a hex string, or -')
  .option('-k, --key <GUEK>', 'encryption key to try [env METERWIRE_KEY]')
  .option('-a, --auth-key <GAK>', 'authentication key to try [env METERWIRE_AUTH_KEY]')
  .option('--frames <n>', 'frames to read (default 3)')
  .option('--timeout <seconds>', 'give up waiting for frames after this long (default 30)')
  .option('--json', 'print JSON')
  .action(async (source: string[], flags) => {
    process.exitCode = await (await commands.diagnose()).runDiagnose(source, flags);
    process.exit();
  });

program.command('ports')
  .description('list serial ports with their USB vendor/product')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean }) => {
    process.exitCode = await (await commands.ports()).runPorts(flags);
  });

program.command('dashboard')
  .description('serve the dashboard over a store a reader writes (history, energy, costs), without reading a meter')
  .option('-s, --store <url>', 'the store (default sqlite:./data/meterwire.db; postgres://…, mysql://…)')
  .option('-l, --listen <url>', 'where to listen (default web://127.0.0.1:8080; another address needs ?token=…)')
  .option('-c, --config <file>', 'config file: its tariffs: for the costs, its dashboard: as --listen')
  .option('--state-dir <dir>', 'where prices received over MQTT are kept across restarts (default ./data)')
  .action(async (flags) => {
    process.exitCode = await (await commands.dashboard()).runDashboard(flags);
    process.exit();
  });

program.command('export')
  .description('export stored history or rollups as CSV or JSON (from the database an output writes)')
  .requiredOption('-r, --reading <id>', 'reading id, e.g. energy_import, power_import')
  .option('--db <url>', 'database (default sqlite:./data/meterwire.db; postgres://…, mysql://…)')
  .option('-m, --meter <id>', 'meter id (default: all meters)')
  .option('--from <iso>', 'start (default: 24 h before --to)')
  .option('--to <iso>', 'end (default: now); without an offset: wall-clock time in --tz')
  .option('--tz <zone>', 'zone of --from/--to without an offset (default: this machine\'s)')
  .option('--base-units', 'values in Wh, W, V, A, m3 … instead of the meter\'s own unit')
  .addOption(new Option('--resolution <r>', 'raw rows or rollups (hour, day, month: the meter\'s local time)').choices(['raw', '5m', '15m', '1h', '1d', '1mo']).default('1h'))
  .addOption(new Option('--format <f>', 'output format').choices(['csv', 'json']).default('csv'))
  .action(async (flags) => {
    process.exitCode = await (await commands.export()).runExport(flags);
    process.exit();
  });

const counters = program.command('counters')
  .description('frame counters kept per system title against replayed frames (see the README: reading)');
counters.command('list')
  .description('list the kept counters and confirmed resets')
  .option('--state-dir <dir>', 'state dir of the reader (default ./data)')
  .option('-c, --config <file>', 'take the state dir from this configuration file')
  .option('--json', 'print JSON')
  .action(async (flags) => { process.exitCode = (await commands.counters()).runCountersList(flags); });
counters.command('reset')
  .description('confirm that this meter really restarted its frame counter: its next lower frame is accepted once')
  .argument('<systemTitle>', '16 hex digits, as in messages and `meterwire counters list`')
  .option('--state-dir <dir>', 'state dir of the reader (default ./data)')
  .option('-c, --config <file>', 'take the state dir from this configuration file')
  .option('--json', 'print JSON')
  .action(async (title: string, flags) => { process.exitCode = (await commands.counters()).runCountersReset(title, flags); });

const service = program.command('service')
  .description('run the reader as a systemd service (packaging/meterwire.service; see the README)');
service.command('print')
  .description('print the systemd unit, with this node and this meterwire filled in')
  .option('-c, --config <file>', 'configuration file the service reads', '/etc/meterwire/meterwire.yaml')
  .action(async (flags) => { process.exitCode = (await commands.service()).runServicePrint(flags); });
service.command('install')
  .description('write the unit to /etc/systemd/system (as root) and print the remaining steps')
  .option('-c, --config <file>', 'configuration file the service reads', '/etc/meterwire/meterwire.yaml')
  .option('--unit-dir <dir>', 'where to write meterwire.service', '/etc/systemd/system')
  .option('--force', 'replace an existing unit file')
  .action(async (flags) => { process.exitCode = (await commands.service()).runServiceInstall(flags); });

// Fleet mode has subcommands of its own: their definitions load only for `meterwire fleet …`.
if (process.argv[2] === 'fleet') {
  const { fleetMetersCommand } = await import('./fleet-meters-command.js');
  (await import('./fleet-command.js')).mountFleetCommands(program, [fleetMetersCommand()]);
}
else program.command('fleet').description('decode many meters from an MQTT broker into PostgreSQL: worker, status, redecode, meters (see `meterwire fleet --help`)');

program.command('profiles')
  .description('list the meter profiles that --profile accepts')
  .option('--wide', 'one line per profile, with the operators (wider than a terminal)')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean; wide?: boolean }) => (await commands.profiles()).runProfiles(flags));

program.parseAsync(process.argv).catch(reportFatal);
