/**
 * A stand-in for `meterwire fleet meters …` until main.ts mounts the command: the same composition (commander,
 * errors through reportFatal), so the child-process test sees what a user would.
 *   node --import tsx test/fleet-keys-cli-entry.ts import meters.csv --store postgres://…
 */
import { Command } from 'commander';
import { fleetMetersCommand } from '../src/cli/fleet-meters-command.js';
import { reportFatal } from '../src/cli/fatal.js';

const program = new Command('meterwire');
program.command('fleet').addCommand(fleetMetersCommand());
program.parseAsync(['node', 'meterwire', 'fleet', 'meters', ...process.argv.slice(2)]).catch(reportFatal);
